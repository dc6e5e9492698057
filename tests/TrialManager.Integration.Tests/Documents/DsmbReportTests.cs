using System.Globalization;
using System.Net;
using System.Text.Json;
using TrialManager.Integration.Tests.Api;
using TrialManager.Integration.Tests.Harness;
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
            TestEvents.Body("adverseEvent", Today, "Headache"))).StatusCode);

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
