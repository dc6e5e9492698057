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

        // One withdrawal (moved away) in a trial of four randomized: every breakdown cell is 0 or small, pooled over the arms.
        Assert.True(text.Contains("Moved away <5"), text.All);
        Assert.True(text.Contains("AAA <5"), text.All);
        Assert.DoesNotContain("Moved away 1", text.All, StringComparison.Ordinal);
        Assert.DoesNotContain("Moved away 0", text.All, StringComparison.Ordinal);
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

        // Pooled: from randomization on, then before randomization (the second's early event and the never randomized's).
        Assert.True(text.Contains("Adverse event participants 1 2 events 2 2"), text.All);
        Assert.True(text.Contains("Serious adverse event participants 1 0 events 1 0"), text.All);
        Assert.True(text.Contains("Protocol deviation participants 0 0 events 0 0"), text.All);
        Assert.False(text.Contains("Jane Doe"));
    }

    [ServerFact]
    public async Task EthicsReport_NamesNoArm_AndPrintsTheDataQualityNotesAndScreenFailuresOfTheApi()
    {
        var (trialId, ids) = await TrialWithAFlowAsync();
        var raised = new List<string>();
        foreach (var field in new[] { "severity", "ageYears" })
        {
            var query = await server.Statistician.PostJsonAsync($"/api/participants/{ids[2]}/queries", new { field, question = "Please check the source" });
            Assert.Equal(HttpStatusCode.Created, query.StatusCode);
            raised.Add((await query.JsonAsync()).GetProperty("id").GetString()!);
        }

        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK,
            await server.Coordinator.PostJsonAsync($"/api/queries/{raised[0]}/answer", new { answer = "Checked: as recorded" }));
        var corrected = await server.Coordinator.PostJsonAsync($"/api/participants/{ids[3]}/corrections",
            new { field = "site", value = "AAA", reason = "site transcribed wrongly" });
        Assert.True(corrected.IsSuccessStatusCode, $"{corrected.StatusCode}: {await corrected.Content.ReadAsStringAsync()}");
        var open = (await (await server.Admin.GetAsync($"/api/trials/{trialId}/queries?status=open")).JsonAsync()).GetArrayLength();
        var consort = await (await server.Ethics.GetAsync(new Uri($"/api/trials/{trialId}/consort", UriKind.Relative))).JsonAsync();

        var text = new PdfText(await ReportPdfAsync(trialId));

        foreach (var arm in new[] { "mediator", "moderator", "comparator" })
        {
            Assert.DoesNotContain(arm, text.All, StringComparison.OrdinalIgnoreCase);
        }

        Assert.Equal(1, open);
        Assert.True(text.Contains($"Open data queries {open}"), text.All);
        Assert.True(text.Contains("Answered data queries 1"), text.All);
        Assert.True(text.Contains("Corrections recorded (each with its reason) 1"), text.All);
        var notes = consort.GetProperty("notes");
        Assert.Equal(1, notes.GetProperty("misStratified").GetInt32());
        Assert.True(text.Contains($"Mis-stratified (allocation and stratum stand) {notes.GetProperty("misStratified").GetInt32()}"), text.All);
        Assert.True(text.Contains($"Ineligible after randomization (analysed as allocated) {notes.GetProperty("ineligibleAfterRandomization").GetInt32()}"), text.All);
        // The screen failure was 12 years old: its criterion, never its age, and a small count.
        Assert.True(text.Contains("age below the minimum <5"), text.All);
        Assert.DoesNotContain("age 12", text.All, StringComparison.Ordinal);
        var missing = ExpectedConsortTexts(consort).Where(t => !text.Contains(t)).ToList();
        Assert.True(missing.Count == 0, "Missing from the report: " + string.Join(" | ", missing));
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

    /// <summary>
    /// Every CONSORT count as the pooled report draws it, from the API's flow: flow boxes "(n = x)" and table rows, each
    /// the sum over the arms. Withdrew consent is what leaves the analysis besides the lost to follow-up.
    /// </summary>
    internal static List<string> ExpectedConsortTexts(JsonElement consort)
    {
        int Pooled(string group) => consort.GetProperty(group).EnumerateObject().Sum(a => a.Value.GetInt32());
        var excluded = consort.GetProperty("excluded");
        var formulation = consort.GetProperty("formulation");
        var (assessed, randomized) = (consort.GetProperty("assessed").GetInt32(), consort.GetProperty("randomized").GetInt32());
        var (lost, analysed) = (Pooled("lostToFollowUp"), Pooled("analysed"));
        var consent = Pooled("allocated") - analysed - lost;
        var other = Pooled("withdrawn") - lost - consent;
        var texts = new List<string>
        {
            $"Assessed for eligibility (n = {assessed})", $"Assessed for eligibility {assessed}",
            $"Excluded (n = {excluded.GetProperty("total").GetInt32()})", $"Excluded {excluded.GetProperty("total").GetInt32()}",
            $"Randomized (n = {randomized})", $"Randomized {randomized}",
            $"pending second rating (n = {formulation.GetProperty("pendingSecondRating").GetInt32()})",
            $"Pending second rating {formulation.GetProperty("pendingSecondRating").GetInt32()}",
            $"pending consensus (n = {formulation.GetProperty("pendingConsensus").GetInt32()})",
            $"excluded by formulation (n = {formulation.GetProperty("excludedByFormulation").GetInt32()})",
            $"awaiting randomization (n = {consort.GetProperty("awaitingRandomization").GetInt32()})",
            $"Lost to follow-up (n = {lost})", $"Lost to follow-up {lost}",
            $"Withdrew consent (n = {consent})", $"Withdrew consent {consent}",
            $"Other withdrawals (n = {other})", $"Other withdrawals, still analysed {other}",
            $"Stopped treatment (n = {Pooled("stoppedTreatment")})", $"Stopped treatment, still followed up {Pooled("stoppedTreatment")}",
            $"Analysed (n = {analysed})", $"Analysed (intention to treat) {analysed}",
            $"Completed (n = {Pooled("completed")})", $"Completed {Pooled("completed")}",
        };
        texts.AddRange(excluded.GetProperty("reasons").EnumerateObject().Select(r => $"{r.Name} (n = {r.Value.GetInt32()})"));
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
