using System.Net;
using System.Text.Json;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TrialManager.Infrastructure.Documents;
using TrialManager.Server.Features.Documents;
using TrialManager.Integration.Tests.Api;
using TrialManager.Integration.Tests.Harness;
using static TrialManager.Integration.Tests.Documents.DocumentSupport;

namespace TrialManager.Integration.Tests.Documents;

public abstract class EthicsReportTests(TrialServer server)
{
    [ServerFact]
    public async Task EthicsReport_RequestedByEthics_IsReadyWithTheHashOfItsPdfAndTheConsortCountsOfTheApi()
    {
        var (trialId, participantIds) = await TrialWithAFlowAsync();
        var consortBefore = await (await server.Ethics.GetAsync(new Uri($"/api/trials/{trialId}/consort", UriKind.Relative))).JsonAsync();

        var requested = await server.Ethics.PostJsonAsync($"/api/trials/{trialId}/reports", new { kind = "ethicsProgress" });

        Assert.Equal(HttpStatusCode.Accepted, requested.StatusCode);
        var location = requested.Headers.Location ?? throw new InvalidOperationException("No Location on the 202.");
        var body = await requested.JsonAsync();
        Assert.Equal("queued", body.GetProperty("status").GetString());
        Assert.Equal($"/api/reports/{body.GetProperty("id").GetString()}", location.OriginalString);

        var report = await WaitForReportAsync(server.Ethics, location, TimeSpan.FromSeconds(60));
        Assert.Equal("ready", report.GetProperty("status").GetString());
        Assert.Equal(trialId, report.GetProperty("trialId").GetString());
        Assert.Equal("ethicsProgress", report.GetProperty("kind").GetString());
        var pdfResponse = await server.Ethics.GetAsync(new Uri(location.OriginalString + "/pdf", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, pdfResponse.StatusCode);
        Assert.Equal("application/pdf", pdfResponse.Content.Headers.ContentType?.MediaType);
        var pdf = await pdfResponse.Content.ReadAsByteArrayAsync();
        Assert.Equal(Sha256(pdf), report.GetProperty("sha256").GetString());

        // Nothing changed in this trial while the report was made, so these are the counts at generation time.
        var consort = await (await server.Ethics.GetAsync(new Uri($"/api/trials/{trialId}/consort", UriKind.Relative))).JsonAsync();
        Assert.Equal(consortBefore.GetRawText(), consort.GetRawText());
        var text = new PdfText(pdf);
        var missing = ExpectedConsortTexts(consort).Where(t => !text.Contains(t)).ToList();
        Assert.True(missing.Count == 0, "Missing from the report: " + string.Join(" | ", missing));
        Assert.True(text.Contains(trialId));
        Assert.True(text.Contains("NCT00000001"));
        Assert.DoesNotContain(participantIds, id => text.Contains(id));

        var listResponse = await server.Ethics.GetAsync(new Uri($"/api/trials/{trialId}/reports", UriKind.Relative));
        var list = await listResponse.JsonAsync();
        Assert.True(listResponse.StatusCode == HttpStatusCode.OK && list.ValueKind == JsonValueKind.Array, $"{listResponse.StatusCode}: {list}");
        var listed = Assert.Single(list.EnumerateArray());
        Assert.Equal(body.GetProperty("id").GetString(), listed.GetProperty("id").GetString());
        Assert.Equal("ready", listed.GetProperty("status").GetString());
    }

    [ServerFact]
    public async Task ConsortCheck_OnAReportOfAnotherTrial_FindsAMismatch()
    {
        // The control: the counts of one trial are not all in a report made for a trial with a different flow.
        var (trialId, _) = await TrialWithAFlowAsync();
        var other = await TestTrials.CreateAsync(server, recruiting: true);
        await RandomizedParticipantAsync(server, other);
        var requested = await server.Admin.PostJsonAsync($"/api/trials/{other}/reports", new { kind = "ethicsProgress" });
        var report = await WaitForReportAsync(server.Admin, requested.Headers.Location!, TimeSpan.FromSeconds(60));
        var pdf = await server.Admin.GetByteArrayAsync(new Uri($"/api/reports/{report.GetProperty("id").GetString()}/pdf", UriKind.Relative));
        var consort = await (await server.Ethics.GetAsync(new Uri($"/api/trials/{trialId}/consort", UriKind.Relative))).JsonAsync();

        var text = new PdfText(pdf);

        Assert.Contains(ExpectedConsortTexts(consort), t => !text.Contains(t));
    }

    [ServerFact]
    public async Task HarmsTable_CountsEventsOfParticipantsNeverRandomized_SoItsTotalsAgreeWithTheMonths()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        var randomized = (await RandomizedParticipantAsync(server, trialId)).GetProperty("participantId").GetString()!;
        var formulated = await TestTrials.FormulatedParticipantAsync(server, trialId);
        foreach (var id in new[] { randomized, formulated })
        {
            var recorded = await server.Coordinator.PostJsonAsync($"/api/participants/{id}/events",
                TestEvents.Body("adverseEvent", Today, "Headache after the session"));
            Assert.Equal(HttpStatusCode.Created, recorded.StatusCode);
        }

        await using var scope = server.Factory.Services.CreateAsyncScope();
        var data = await scope.ServiceProvider.GetRequiredService<ISender>().Send(new GetEthicsReportData(trialId));

        var adverse = Assert.Single(data.Harms, e => e.Kind == SafetyEventKind.AdverseEvent);
        Assert.Equal(1, adverse.Events.Total);
        Assert.Equal(1, adverse.EventsBefore);
        Assert.Equal(data.SafetyByMonth.Sum(m => m.AdverseEvents), adverse.Events.Total + adverse.EventsBefore);
    }

    [ServerFact]
    public async Task EthicsReport_PrintsWithdrawalCategoriesNeverTheirNotes_AndSmallCellsAsLessThanFive_WithExactConsortTotals()
    {
        var (trialId, _) = await TrialWithAFlowAsync();
        var consort = await (await server.Ethics.GetAsync(new Uri($"/api/trials/{trialId}/consort", UriKind.Relative))).JsonAsync();

        var text = new PdfText(await ReportPdfAsync(trialId));

        Assert.False(text.Contains(PlantedNote), "The withdrawal note reached the report.");
        Assert.False(text.Contains("Jane Doe") || text.Contains("4471-2290"), "A name or record number from the note reached the report.");
        Assert.True(text.Contains("Withdrawals after allocation, by category"));
        foreach (var category in new[] { "Withdrew consent", "Lost to follow-up", "Adverse event", "Moved away", "Clinical decision", "Other" })
        {
            Assert.True(text.Contains(category), $"Category '{category}' is missing.");
        }

        // One withdrawal (moved away) in a trial of four randomized: every breakdown cell is 0 or small.
        // The arm is drawn from a server seed: the withdrawal's cell is first or second, the other arm's is 0.
        Assert.Matches(@"Moved away (<5 0|0 <5) <5", text.All);
        Assert.True(text.Contains("AAA <5"), text.All);
        Assert.DoesNotContain("Moved away 1", text.All, StringComparison.Ordinal);
        Assert.DoesNotContain("Moved away 0 1 1", text.All, StringComparison.Ordinal);
        var missing = ExpectedConsortTexts(consort).Where(t => !text.Contains(t)).ToList();
        Assert.True(missing.Count == 0, "Missing from the report: " + string.Join(" | ", missing));
    }

    [ServerFact]
    public async Task EthicsReport_CountsHarmsAsParticipantsBesideEvents_AndEventsBeforeRandomizationInTheirOwnRows()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        var first = await RandomizedParticipantAsync(server, trialId);
        var second = (await RandomizedParticipantAsync(server, trialId, "BBB")).GetProperty("participantId").GetString()!;
        var never = await TestTrials.FormulatedParticipantAsync(server, trialId);
        async Task EventAsync(string id, string type, string on) => Assert.Equal(HttpStatusCode.Created, (await server.Coordinator.PostJsonAsync(
            $"/api/participants/{id}/events", TestEvents.Body(type, on, "Dr. Jane Doe saw MRN 4471-2290"))).StatusCode);
        var firstId = first.GetProperty("participantId").GetString()!;
        await EventAsync(firstId, "adverseEvent", Today);
        await EventAsync(firstId, "adverseEvent", Today);
        await EventAsync(firstId, "seriousAdverseEvent", Today);
        await EventAsync(second, "adverseEvent", "2026-01-05"); // before its randomization
        await EventAsync(never, "adverseEvent", Today);

        var text = new PdfText(await ReportPdfAsync(trialId));

        var mediator = first.GetProperty("arm").GetString() == "mediator";
        string ByArm(int n) => mediator ? $"{n} 0 {n}" : $"0 {n} {n}";
        Assert.True(text.Contains($"Adverse event participants {ByArm(1)} events {ByArm(2)}"), text.All);
        Assert.True(text.Contains($"Serious adverse event participants {ByArm(1)} events {ByArm(1)}"), text.All);
        Assert.True(text.Contains("Protocol deviation participants 0 0 0 events 0 0 0"), text.All);
        Assert.True(text.Contains("Adverse event, before randomization participants 2 events 2"), text.All);
        Assert.True(text.Contains("Serious adverse event, before randomization participants 0 events 0"), text.All);
        Assert.False(text.Contains("Jane Doe"));
    }

    [ServerFact]
    public async Task EthicsReport_PrintsTheAuditChainHeadAsTheDatabaseHadItAtGeneration()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        await RandomizedParticipantAsync(server, trialId);
        var before = (await (await server.Admin.GetAsync(new Uri("/api/audit/verify", UriKind.Relative))).JsonAsync()).GetProperty("events").GetInt64();

        var text = new PdfText(await ReportPdfAsync(trialId));

        var after = (await (await server.Admin.GetAsync(new Uri("/api/audit/verify", UriKind.Relative))).JsonAsync()).GetProperty("events").GetInt64();
        var heads = await server.WithDbAsync(db => db.AuditEvents.Where(e => e.Sequence >= before && e.Sequence <= after)
            .Select(e => new { e.Sequence, e.Hash }).ToListAsync());
        var printed = heads.Where(h => text.Contains($"Chain head when this report was made: event {h.Sequence}, hash {h.Hash}")).ToList();
        Assert.True(printed.Count == 1, $"Expected one head of events {before}..{after} in the report: {text.All}");
    }

    private const string PlantedNote = "Told Dr. Jane Doe (MRN 4471-2290) she is moving to her sister's";

    private static string Today => DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private async Task<byte[]> ReportPdfAsync(string trialId)
    {
        var requested = await server.Ethics.PostJsonAsync($"/api/trials/{trialId}/reports", new { kind = "ethicsProgress" });
        Assert.Equal(HttpStatusCode.Accepted, requested.StatusCode);
        var report = await WaitForReportAsync(server.Ethics, requested.Headers.Location!, TimeSpan.FromSeconds(60));
        Assert.Equal("ready", report.GetProperty("status").GetString());
        return await server.Ethics.GetByteArrayAsync(new Uri($"/api/reports/{report.GetProperty("id").GetString()}/pdf", UriKind.Relative));
    }

    /// <summary>Every CONSORT count as the report draws it: flow boxes "(n = x)" and the table rows per arm.</summary>
    private static List<string> ExpectedConsortTexts(JsonElement consort)
    {
        int Arm(string group, string arm) => consort.GetProperty(group).GetProperty(arm).GetInt32();
        var excluded = consort.GetProperty("excluded");
        var texts = new List<string>
        {
            $"Assessed for eligibility (n = {consort.GetProperty("assessed").GetInt32()})",
            $"Excluded (n = {excluded.GetProperty("total").GetInt32()})",
            $"Randomized (n = {consort.GetProperty("randomized").GetInt32()})",
            $"Allocated to relationship as mediator (n = {Arm("allocated", "mediator")})",
            $"Allocated to relationship as moderator (n = {Arm("allocated", "moderator")})",
        };
        texts.AddRange(excluded.GetProperty("reasons").EnumerateObject().Select(r => $"{r.Name} (n = {r.Value.GetInt32()})"));
        foreach (var (group, label) in new[] { ("allocated", "Allocated"), ("withdrawn", "Withdrawn"), ("completed", "Completed") })
        {
            var mediator = Arm(group, "mediator");
            var moderator = Arm(group, "moderator");
            texts.Add($"{label} {mediator} {moderator} {mediator + moderator}");
            if (group != "allocated") // the allocation boxes are named by arm, above
            {
                texts.Add($"{label} (n = {mediator})");
                texts.Add($"{label} (n = {moderator})");
            }
        }

        return texts;
    }

    /// <summary>
    /// A trial whose CONSORT counts differ from one another: 7 assessed, 1 screen failure, 1 declined, 1 awaiting,
    /// 4 randomized, of whom 1 withdrew and 1 completed.
    /// </summary>
    private async Task<(string TrialId, List<string> ParticipantIds)> TrialWithAFlowAsync()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        var ids = new List<string>();
        foreach (var (site, lead) in new[] { ("AAA", "cognitive"), ("BBB", "cognitive"), ("AAA", "interpersonal"), ("BBB", "interpersonal") })
        {
            ids.Add((await RandomizedParticipantAsync(server, trialId, site, lead)).GetProperty("participantId").GetString()!);
        }

        Assert.Equal(HttpStatusCode.OK, (await server.Coordinator.PostJsonAsync($"/api/participants/{ids[0]}/withdrawal", new { category = "movedAway", reason = PlantedNote })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Coordinator.PostJsonAsync($"/api/participants/{ids[1]}/completion", null)).StatusCode);

        var screenFailed = await server.Coordinator.PostJsonAsync($"/api/trials/{trialId}/participants",
            new { site = "AAA", ageYears = 12, severity = 15, exclusions = Array.Empty<string>() });
        Assert.Equal(HttpStatusCode.Created, screenFailed.StatusCode);
        ids.Add((await screenFailed.JsonAsync()).GetProperty("id").GetString()!);

        var declining = await server.Coordinator.PostJsonAsync($"/api/trials/{trialId}/participants",
            new { site = "BBB", ageYears = 40, severity = 15, exclusions = Array.Empty<string>() });
        var decliningId = (await declining.JsonAsync()).GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await server.Coordinator.PostJsonAsync($"/api/participants/{decliningId}/consent", new { declined = true })).StatusCode);
        ids.Add(decliningId);

        ids.Add(await TestTrials.FormulatedParticipantAsync(server, trialId));
        return (trialId, ids);
    }
}

[Collection(SqliteServerCollection.Name)]
public sealed class EthicsReportTests_Sqlite(SqliteTrialServer server) : EthicsReportTests(server);

[Collection(PostgresServerCollection.Name)]
public sealed class EthicsReportTests_Postgres(PostgresTrialServer server) : EthicsReportTests(server), IRunsOnPostgres;
