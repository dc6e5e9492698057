using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using TrialManager.Integration.Tests.Api;
using TrialManager.Integration.Tests.Harness;
using TrialManager.Integration.Tests.Visits;
using static TrialManager.Integration.Tests.Documents.DocumentSupport;

namespace TrialManager.Integration.Tests.Documents;

/// <summary>
/// The closed DSMB report: only the board requests or reads it (to anyone else it does not exist), and its figures by
/// arm are the API's: the CONSORT flow, the allocation flags, harms, and the measures' scores.
/// </summary>
public abstract class DsmbReportTests(TrialServer server)
{
    private HttpClient Dsmb => server.Client("dev-dsmb");

    private static string Today => DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    [ServerFact]
    public async Task DsmbClosed_IsRequestedAndReadByTheBoardOnly_AndToEveryoneElseDoesNotExist()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        await RandomizedParticipantAsync(server, trialId);
        foreach (var other in new[] { server.Ethics, server.Admin })
        {
            await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Forbidden,
                await other.PostJsonAsync($"/api/trials/{trialId}/reports", new { kind = "dsmbClosed" }));
        }

        var requested = await Dsmb.PostJsonAsync($"/api/trials/{trialId}/reports", new { kind = "dsmbClosed" });
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Accepted, requested);
        var location = requested.Headers.Location!;
        var report = await WaitForReportAsync(Dsmb, location, TimeSpan.FromSeconds(60));
        Assert.Equal("ready", report.GetProperty("status").GetString());
        Assert.Equal("dsmbClosed", report.GetProperty("kind").GetString());
        var pdf = await Dsmb.GetByteArrayAsync(new Uri(location.OriginalString + "/pdf", UriKind.Relative));
        Assert.Equal(Sha256(pdf), report.GetProperty("sha256").GetString());
        var id = report.GetProperty("id").GetString()!;

        // The board may also ask for the open report, which everyone with the reports route reads.
        var open = await Dsmb.PostJsonAsync($"/api/trials/{trialId}/reports", new { kind = "ethicsProgress" });
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Accepted, open);
        var openId = (await open.JsonAsync()).GetProperty("id").GetString()!;

        foreach (var other in new[] { server.Ethics, server.Admin })
        {
            await ProblemAssertions.AssertStatusAsync(HttpStatusCode.NotFound, await other.GetAsync($"/api/reports/{id}"));
            await ProblemAssertions.AssertStatusAsync(HttpStatusCode.NotFound, await other.GetAsync($"/api/reports/{id}/pdf"));
            var listed = await (await other.GetAsync($"/api/trials/{trialId}/reports")).JsonAsync();
            Assert.Equal([openId], listed.EnumerateArray().Select(r => r.GetProperty("id").GetString()!));
            await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await other.GetAsync($"/api/reports/{openId}"));
        }

        var board = await (await Dsmb.GetAsync($"/api/trials/{trialId}/reports")).JsonAsync();
        Assert.Equal([openId, id], board.EnumerateArray().Select(r => r.GetProperty("id").GetString()!));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Forbidden, await server.Coordinator.GetAsync($"/api/reports/{id}"));
    }

    [ServerFact]
    public async Task DsmbClosed_PrintsTheFlowFlagsHarmsAndMeasuresByArm_AsTheApiHasThem()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        var people = new List<(string Id, string Arm)>();
        foreach (var (site, lead) in new[] { ("AAA", "cognitive"), ("BBB", "cognitive"), ("AAA", "interpersonal"), ("AAA", "cognitive") })
        {
            var randomized = await RandomizedParticipantAsync(server, trialId, site, lead);
            people.Add((randomized.GetProperty("participantId").GetString()!, randomized.GetProperty("arm").GetString()!));
        }

        var (lost, stopped, flagged, harmed) = (people[0], people[1], people[2], people[3]);
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await server.Coordinator.PostJsonAsync(
            $"/api/participants/{lost.Id}/withdrawal", new { category = "lostToFollowUp", reason = "no answer" }));
        var stop = await server.Coordinator.PostJsonAsync($"/api/participants/{stopped.Id}/treatment-stop", new { category = "participantChoice", note = "x" });
        Assert.True(stop.IsSuccessStatusCode, $"{stop.StatusCode}: {await stop.Content.ReadAsStringAsync()}");
        Assert.Equal(HttpStatusCode.Created, (await server.Coordinator.PostJsonAsync($"/api/participants/{harmed.Id}/events",
            AdverseEvent("adverseEvent", [], "unrelated"))).StatusCode);

        // Session 1 of two participants: a PHQ-9 and an alliance each, and a blind fidelity rating of one.
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Admin.PostJsonAsync($"/api/trials/{trialId}/therapists",
            new { code = "dev-therapist", site = "AAA", arms = new[] { "mediator", "moderator" } }));
        var phq9 = new Dictionary<string, double>();
        var alliance = new Dictionary<string, double>();
        foreach (var (person, answer) in new[] { (flagged, 1), (harmed, 2) })
        {
            await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await server.Coordinator.PostJsonAsync(
                $"/api/participants/{person.Id}/therapist", new { therapist = "dev-therapist" }));
            await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Coordinator.PostJsonAsync(
                $"/api/participants/{person.Id}/sessions", new { number = 1, date = Today, attendance = "attended" }));
            phq9[person.Id] = await TotalAsync(server.Coordinator, person.Id, "phq9", Enumerable.Range(1, 9).ToDictionary(Key, i => (answer + i) % 3));
            alliance[person.Id] = await TotalAsync(server.Coordinator, person.Id, "alliance12", Enumerable.Range(1, 12).ToDictionary(Key, i => answer + (i % 3)));
        }

        var form = await (await server.Coordinator.GetAsync("/api/instruments/fidelity-cognitive")).JsonAsync();
        var zeros = form.GetProperty("items").EnumerateArray().Where(i => i.GetProperty("appliesWhen").ValueKind == JsonValueKind.Null)
            .ToDictionary(i => i.GetProperty("id").GetString()!, _ => 0);
        await TotalAsync(server.Client("dev-rater"), harmed.Id, "fidelity-cognitive", zeros);

        var corrected = await server.Coordinator.PostJsonAsync($"/api/participants/{flagged.Id}/corrections",
            new { field = "site", value = "BBB", reason = "site transcribed wrongly" });
        Assert.True(corrected.IsSuccessStatusCode, $"{corrected.StatusCode}: {await corrected.Content.ReadAsStringAsync()}");
        var consort = await (await server.Ethics.GetAsync($"/api/trials/{trialId}/consort")).JsonAsync();

        var requested = await Dsmb.PostJsonAsync($"/api/trials/{trialId}/reports", new { kind = "dsmbClosed" });
        var report = await WaitForReportAsync(Dsmb, requested.Headers.Location!, TimeSpan.FromSeconds(60));
        Assert.Equal("ready", report.GetProperty("status").GetString());
        var text = new PdfText(await Dsmb.GetByteArrayAsync(new Uri($"/api/reports/{report.GetProperty("id").GetString()}/pdf", UriKind.Relative)));

        string[] arms = ["mediator", "moderator"];
        int Arm(string group, string arm) => consort.GetProperty(group).GetProperty(arm).GetInt32();
        string Row(string label, Func<string, int> count) => $"{label} {string.Join(" ", arms.Select(count))} {arms.Sum(count)}";
        var expected = new List<string>
        {
            Row("Allocated", a => Arm("allocated", a)),
            Row("Stopped treatment, still followed up", a => Arm("stoppedTreatment", a)),
            Row("Lost to follow-up", a => Arm("lostToFollowUp", a)),
            Row("Withdrawn (all categories)", a => Arm("withdrawn", a)),
            Row("Completed", a => Arm("completed", a)),
            Row("Analysed (intention to treat)", a => Arm("analysed", a)),
            Row("Mis-stratified", a => a == flagged.Arm ? 1 : 0),
            Row("Adverse event participants", a => a == harmed.Arm ? 1 : 0),
            $"Allocated to relationship as mediator (n = {Arm("allocated", "mediator")})",
            $"Lost to follow-up (n = {Arm("lostToFollowUp", lost.Arm)})",
            $"Analysed (n = {Arm("analysed", lost.Arm)})",
            $"Assessed for eligibility {consort.GetProperty("assessed").GetInt32()}",
        };
        expected.AddRange(arms.Select(a => $"Stopped treatment (n = {Arm("stoppedTreatment", a)})"));

        string Cells(IEnumerable<(string Arm, double Value)> values) => string.Join(" ", arms.Select(a =>
            values.Where(v => v.Arm == a).Select(v => v.Value).ToList() is { Count: > 0 } xs
                ? $"{xs.Average().ToString("0.00", CultureInfo.InvariantCulture)} (n = {xs.Count})"
                : "-"));
        (string Arm, double Value)[] Of(Dictionary<string, double> values) => [.. new[] { flagged, harmed }.Select(p => (p.Arm, values[p.Id]))];
        expected.Add($"phq9 session 1 {Cells(Of(phq9))}");
        expected.Add($"Interpersonal {Cells([(flagged.Arm, alliance[flagged.Id])])}");
        expected.Add($"Cognitive {Cells([(harmed.Arm, alliance[harmed.Id])])}");
        expected.Add($"Differentiation (own arm's prescribed minus the other's) {Cells([(harmed.Arm, 0)])}");

        Assert.Equal(1, consort.GetProperty("notes").GetProperty("misStratified").GetInt32());
        var missing = expected.Where(t => !text.Contains(t)).ToList();
        Assert.True(missing.Count == 0, "Missing from the DSMB report: " + string.Join(" | ", missing) + "\n" + text.All);
        Assert.DoesNotContain(people, p => text.Contains(p.Id));
    }

    [ServerFact]
    public async Task DsmbClosed_PrintsHarmsByRelatednessAndSeriousness_AsTheParticipantRecordsHaveThem()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        var people = new List<(string Id, string Arm)>();
        for (var i = 0; i < 4; i++)
        {
            var randomized = await RandomizedParticipantAsync(server, trialId, lead: i % 2 == 0 ? "cognitive" : "interpersonal");
            people.Add((randomized.GetProperty("participantId").GetString()!, randomized.GetProperty("arm").GetString()!));
        }

        // Several events of one participant count once among the participants and each among the events; a deviation not at all.
        (int Person, string Type, string[] Serious, string Relatedness)[] events =
        [
            (0, "adverseEvent", [], "unrelated"), (0, "adverseEvent", [], "possible"), (0, "adverseEvent", [], "probable"),
            (1, "adverseEvent", [], "definite"), (2, "seriousAdverseEvent", ["hospitalisation"], "possible"),
            (2, "seriousAdverseEvent", ["otherImportant"], "definite"), (3, "seriousAdverseEvent", ["otherImportant"], "unlikely"),
        ];
        foreach (var (person, type, serious, relatedness) in events)
        {
            await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Coordinator.PostJsonAsync(
                $"/api/participants/{people[person].Id}/events", AdverseEvent(type, serious, relatedness)));
        }

        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Coordinator.PostJsonAsync(
            $"/api/participants/{people[3].Id}/events", new { type = "protocolDeviation", occurredOn = Today, description = "Session out of window" }));

        // The expected figures from the participant records the API serves, not from the list above.
        var recorded = new List<(string Id, string Arm, bool Serious, string Relatedness)>();
        foreach (var (id, arm) in people)
        {
            var record = await (await server.Coordinator.GetAsync($"/api/participants/{id}")).JsonAsync();
            recorded.AddRange(record.GetProperty("events").EnumerateArray()
                .Where(e => e.GetProperty("type").GetString() != "protocolDeviation")
                .Select(e => (id, arm, e.GetProperty("type").GetString() == "seriousAdverseEvent", e.GetProperty("relatedness").GetString()!)));
        }

        Assert.Equal(events.Length, recorded.Count);
        var text = await ClosedReportTextAsync(trialId);

        string[] arms = ["mediator", "moderator"];
        string[] causal = ["possible", "probable", "definite"];
        string Row(string label, List<(string Id, string Arm, bool Serious, string Relatedness)> of)
        {
            int Participants(string arm) => of.Where(e => e.Arm == arm).Select(e => e.Id).Distinct().Count();
            int Events(string arm) => of.Count(e => e.Arm == arm);
            return $"{label} participants {string.Join(" ", arms.Select(Participants))} {of.Select(e => e.Id).Distinct().Count()} "
                + $"events {string.Join(" ", arms.Select(Events))} {of.Count}";
        }

        var expected = new List<string>();
        foreach (var serious in new[] { false, true })
        {
            var name = serious ? "Serious" : "Non-serious";
            var of = recorded.Where(e => e.Serious == serious).ToList();
            expected.AddRange(new[] { "unrelated", "unlikely", "possible", "probable", "definite" }
                .Select(r => Row($"{name}, {r}", [.. of.Where(e => e.Relatedness == r)])));
            expected.Add(Row($"{name}, possible or more", [.. of.Where(e => causal.Contains(e.Relatedness))]));
        }

        var missing = expected.Where(t => !text.Contains(t)).ToList();
        Assert.True(missing.Count == 0, "Missing from the DSMB report: " + string.Join(" | ", missing) + "\n" + text.All);
        Assert.DoesNotContain(people, p => text.Contains(p.Id));
    }

    [ServerFact]
    public async Task DsmbClosed_PrintsTheAssessorsGuessesBangsIndexAndUnblindings_AsTheBlindingApiHasThem()
    {
        var trialId = await VisitApiTests.ScheduledTrialAsync(server);
        var people = new List<(string Id, string Arm)>();
        for (var i = 0; i < 5; i++)
        {
            var randomized = await RandomizedParticipantAsync(server, trialId, lead: i % 2 == 0 ? "cognitive" : "interpersonal");
            people.Add((randomized.GetProperty("participantId").GetString()!, randomized.GetProperty("arm").GetString()!));
        }

        // The last visit's window open for all (as if the schedule had run for 80 days), then right, wrong, don't know, right.
        foreach (var (id, _) in people)
        {
            await server.WithDbAsync(db => db.Participants.Where(p => p.Id == id)
                .ExecuteUpdateAsync(s => s.SetProperty(p => p.RandomizedAt, DateTimeOffset.UtcNow.AddDays(-80))));
        }

        var assessor = server.Client("dev-assessor");
        string[] guesses = [people[0].Arm, people[1].Arm == "mediator" ? "moderator" : "mediator", "dontKnow", people[3].Arm];
        for (var i = 0; i < guesses.Length; i++)
        {
            await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created,
                await assessor.PostJsonAsync($"/api/participants/{people[i].Id}/blinding-guess", new { guess = guesses[i] }));
        }

        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created,
            await assessor.PostJsonAsync($"/api/participants/{people[4].Id}/unblinding", new { reason = "emergency at the ward" }));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created,
            await server.Admin.PostJsonAsync($"/api/participants/{people[4].Id}/unblinding", new { reason = "ethics board query" }));

        var blinding = await (await Dsmb.GetAsync($"/api/trials/{trialId}/blinding")).JsonAsync();
        var text = await ClosedReportTextAsync(trialId);

        static string Fixed(JsonElement value, string format) =>
            value.ValueKind == JsonValueKind.Null ? "-" : value.GetDouble().ToString(format, CultureInfo.InvariantCulture);
        var expected = blinding.GetProperty("arms").EnumerateArray().Select(a =>
            $"{(a.GetProperty("arm").GetString() == "mediator" ? "Relationship as mediator" : "Relationship as moderator")} "
            + string.Join(" ", new[] { "guesses", "correct", "incorrect", "dontKnow" }.Select(f => a.GetProperty(f).GetInt32()))
            + $" {Fixed(a.GetProperty("index"), "0.00")} {Fixed(a.GetProperty("standardError"), "0.000")}").ToList();
        // Each unblinding names the arm it revealed (the board reads arms): the participant's allocated arm.
        var unblindings = blinding.GetProperty("unblindings").EnumerateArray().ToList();
        Assert.All(unblindings, u => Assert.Equal(people[4].Arm, u.GetProperty("arm").GetString()));
        var armTitle = people[4].Arm == "mediator" ? "Relationship as mediator" : "Relationship as moderator";
        expected.AddRange(unblindings.Select(u => $"{u.GetProperty("role").GetString()} {armTitle} {u.GetProperty("reason").GetString()}"));

        Assert.Equal(4, blinding.GetProperty("guesses").GetInt32());
        Assert.Equal(4, expected.Count);
        var missing = expected.Where(t => !text.Contains(t)).ToList();
        Assert.True(missing.Count == 0, "Missing from the DSMB report: " + string.Join(" | ", missing) + "\n" + text.All);
        Assert.DoesNotContain(people, p => text.Contains(p.Id));
    }

    private async Task<PdfText> ClosedReportTextAsync(string trialId)
    {
        var requested = await Dsmb.PostJsonAsync($"/api/trials/{trialId}/reports", new { kind = "dsmbClosed" });
        var report = await WaitForReportAsync(Dsmb, requested.Headers.Location!, TimeSpan.FromSeconds(60));
        Assert.Equal("ready", report.GetProperty("status").GetString());
        return new PdfText(await Dsmb.GetByteArrayAsync(new Uri($"/api/reports/{report.GetProperty("id").GetString()}/pdf", UriKind.Relative)));
    }

    private static object AdverseEvent(string type, string[] serious, string relatedness) => new
    {
        type, occurredOn = Today, description = "Headache", serious, severity = "moderate", relatedness, expected = false, outcome = "recovering",
    };

    private static string Key(int i) => i.ToString(CultureInfo.InvariantCulture);

    private static async Task<double> TotalAsync(HttpClient client, string participantId, string instrument, Dictionary<string, int> items)
    {
        var recorded = await client.PostJsonAsync($"/api/participants/{participantId}/measures", new { instrument, session = 1, completedOn = Today, items });
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, recorded);
        var scores = (await recorded.JsonAsync()).GetProperty("scores");
        return scores.TryGetProperty("total", out var total) && total.ValueKind == JsonValueKind.Number ? total.GetDouble() : double.NaN;
    }
}

[Collection(SqliteServerCollection.Name)]
public sealed class DsmbReportTests_Sqlite(SqliteTrialServer server) : DsmbReportTests(server);

[Collection(PostgresServerCollection.Name)]
public sealed class DsmbReportTests_Postgres(PostgresTrialServer server) : DsmbReportTests(server), IRunsOnPostgres;
