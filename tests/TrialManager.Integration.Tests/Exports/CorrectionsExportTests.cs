using System.Globalization;
using System.Net;
using TrialManager.Integration.Tests.Api;
using TrialManager.Integration.Tests.Documents;
using TrialManager.Integration.Tests.Harness;
using TrialManager.Integration.Tests.Visits;

namespace TrialManager.Integration.Tests.Exports;

/// <summary>corrections.csv in the analysis export: every correction addressed as the other files name the value, without reasons or free text.</summary>
public abstract partial class AnalysisExportTests
{
    private const string Reason = "REASON-TEXT-";

    private static string Days(string date) =>
        (DateOnly.ParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture).DayNumber - DateOnly.ParseExact(Today, "yyyy-MM-dd", CultureInfo.InvariantCulture).DayNumber)
        .ToString(CultureInfo.InvariantCulture);

    private async Task CorrectAsync(HttpClient client, string id, string target, string field, object? value) =>
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await client.PostJsonAsync($"/api/participants/{id}/corrections",
            new { target, field, value, reason = Reason + field }));

    [ServerFact]
    public async Task CorrectionsCsv_ListsEveryCorrection_WithItsTargetOldAndNewValueWhoAndWhen_NeverAReasonOrFreeText()
    {
        var (trialId, id, _) = await TrialWithDataAsync();
        var record = await (await server.Coordinator.GetAsync($"/api/participants/{id}")).JsonAsync();
        var eventId = record.GetProperty("events")[0].GetProperty("id").GetString()!;
        var measures = (await (await server.Coordinator.GetAsync($"/api/participants/{id}/measures")).JsonAsync()).EnumerateArray()
            .ToDictionary(m => m.GetProperty("instrument").GetString()!, m => m.GetProperty("id").GetString()!);
        var (phq9, alliance) = (measures["phq9"], measures["alliance12"]);
        var tomorrow = DateTime.UtcNow.AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);

        // A value of every kind, each by the role that enters it; free text (a rationale, a description) among them.
        await CorrectAsync(server.Coordinator, id, "participant", "severity", 16);
        await CorrectAsync(server.Coordinator, id, "participant", "severity", 17);
        await CorrectAsync(server.Coordinator, id, "participant", "exclusions", new[] { "bipolar" });
        await CorrectAsync(server.Coordinator, id, "participant", "motivation", 6);
        await CorrectAsync(server.Coordinator, id, "participant", "consentedOn", "2026-11-21");
        await CorrectAsync(server.Coordinator, id, "rating:1", "behavioral", 1);
        await CorrectAsync(server.Coordinator, id, "rating:1", "rationale", Private + "rationale");
        await CorrectAsync(Therapist, id, "session:2", "attendance", "cancelled");
        await CorrectAsync(server.Coordinator, id, "session:1", "date", tomorrow);
        await CorrectAsync(server.Coordinator, id, $"measure:{phq9}", "items.2", 3);
        await CorrectAsync(Therapist, id, $"measure:{alliance}", "items.1", 4);
        await CorrectAsync(server.Coordinator, id, $"measure:{phq9}", "completedOn", tomorrow);
        await CorrectAsync(server.Coordinator, id, $"event:{eventId}", "severity", "moderate");
        await CorrectAsync(server.Coordinator, id, $"event:{eventId}", "description", Private + "description");
        await CorrectAsync(server.Coordinator, id, $"event:{eventId}", "expected", true);
        // Serious: the type follows, a second correction with the same time.
        await CorrectAsync(server.Coordinator, id, $"event:{eventId}", "serious", new[] { "hospitalisation" });
        // A data query (raised by the statistician) answered with a correction: the answer is its reason.
        var query = await (await server.Statistician.PostJsonAsync($"/api/participants/{id}/queries", new { field = "ageYears", question = Reason + "question" })).JsonAsync();
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await server.Coordinator.PostJsonAsync(
            $"/api/queries/{query.GetProperty("id").GetString()}/answer", new { answer = Reason + "answer", correction = new { value = 31 } }));

        var zip = await DownloadAsync($"/api/trials/{trialId}/export");

        Assert.Equal(Files, zip.Entries.Keys);
        var (header, rows) = zip.Csv("corrections.csv");
        Assert.Equal(
            ["participantId", "correction", "file", "variable", "rating", "session", "event", "measureId", "instrument", "visit", "item",
             "oldValue", "newValue", "correctedByRole", "correctedBy", "correctedAt", "dataQuery"],
            header);
        // Columns: file, variable, rating, session, event, measureId, instrument, item, old, new, role, code, query.
        string[][] expected =
        [
            ["participants.csv", "severity", "", "", "", "", "", "", "15", "16", "coordinator", "", "false"],
            ["participants.csv", "severity", "", "", "", "", "", "", "16", "17", "coordinator", "", "false"],
            ["participants.csv", "exclusion_*", "", "", "", "", "", "", "none", "bipolar", "coordinator", "", "false"],
            ["participants.csv", "motivation", "", "", "", "", "", "", "", "6", "coordinator", "", "false"],
            ["participants.csv", "consentDay", "", "", "", "", "", "", Days("2026-11-20"), Days("2026-11-21"), "coordinator", "", "false"],
            ["ratings.csv", "score_behavioral", "1", "", "", "", "", "", "0", "1", "coordinator", "", "false"],
            ["ratings.csv", "rationale", "1", "", "", "", "", "", "", "", "coordinator", "", "false"],
            ["sessions.csv", "attendance", "", "2", "", "", "", "", "noShow", "cancelled", "therapist", "dev-therapist", "false"],
            ["sessions.csv", "sessionDay", "", "1", "", "", "", "", "0", "1", "coordinator", "", "false"],
            ["item_responses.csv", "value", "", "1", "", phq9, "phq9", "2", "2", "3", "coordinator", "", "false"],
            ["item_responses.csv", "value", "", "1", "", alliance, "alliance12", "1", "2", "4", "therapist", "dev-therapist", "false"],
            ["scores.csv", "completedDay", "", "1", "", phq9, "phq9", "", "0", "1", "coordinator", "", "false"],
            ["events.csv", "severity", "", "", "1", "", "", "", "mild", "moderate", "coordinator", "", "false"],
            ["events.csv", "description", "", "", "1", "", "", "", "", "", "coordinator", "", "false"],
            ["events.csv", "expected", "", "", "1", "", "", "", "false", "true", "coordinator", "", "false"],
            ["events.csv", "serious_*", "", "", "1", "", "", "", "none", "hospitalisation", "coordinator", "", "false"],
            ["events.csv", "type", "", "", "1", "", "", "", "adverseEvent", "seriousAdverseEvent", "coordinator", "", "false"],
            ["participants.csv", "ageYears", "", "", "", "", "", "", "30", "31", "coordinator", "", "true"],
        ];
        Assert.Equal(
            expected.Select(e => string.Join("|", e)),
            rows.Select(r => string.Join("|", new[]
            {
                r["file"], r["variable"], r["rating"], r["session"], r["event"], r["measureId"], r["instrument"], r["item"], r["oldValue"], r["newValue"],
                r["correctedByRole"], r["correctedBy"], r["dataQuery"],
            })));
        Assert.All(rows, r => Assert.Equal((id, ""), (r["participantId"], r["visit"])));
        Assert.Equal(Enumerable.Range(1, expected.Length).Select(n => n.ToString(CultureInfo.InvariantCulture)), rows.Select(r => r["correction"]));
        var times = rows.Select(r => DateTimeOffset.ParseExact(r["correctedAt"], "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)).ToList();
        Assert.All(times, t => Assert.InRange(t, before, DateTimeOffset.UtcNow.AddSeconds(1)));
        Assert.Equal(times.Order(), times);

        // The corrected values are the other files' current ones; the allocation's flags stand as they were computed.
        Assert.Equal("3", zip.Csv("item_responses.csv").Rows.Single(r => r["measureId"] == phq9 && r["item"] == "2")["value"]);
        Assert.Equal(("true", "false"), zip.Csv("allocations.csv").Rows.Where(a => a["participantId"] == id).Select(a => (a["ineligibleAfterRandomization"], a["misStratified"])).Single());

        // Every column documented; the manifest counts and hashes the file; no reason, question, answer or free text anywhere.
        Assert.Equal(header, zip.Csv("codebook.csv").Rows.Where(r => r["file"] == "corrections.csv").Select(r => r["variable"]));
        Assert.Contains("audit trail and the ODM export", zip.Text("codebook.html"), StringComparison.Ordinal);
        var listed = zip.Manifest.GetProperty("files").EnumerateArray().Single(f => f.GetProperty("name").GetString() == "corrections.csv");
        Assert.Equal((expected.Length, ExportZip.Sha256(zip.Entries["corrections.csv"])), (listed.GetProperty("rows").GetInt32(), listed.GetProperty("sha256").GetString()));
        foreach (var (name, bytes) in zip.Entries)
        {
            var text = System.Text.Encoding.UTF8.GetString(bytes);
            Assert.DoesNotContain(Private, text, StringComparison.Ordinal);
            Assert.DoesNotContain(Reason, text, StringComparison.Ordinal);
        }
    }

    [ServerFact]
    public async Task CorrectionsCsv_NamesTheRoleOfEachCorrector_AnAssessorAndACoordinatorOfOneVisitMeasure_WithoutTheirNames()
    {
        var trialId = await VisitApiTests.ScheduledTrialAsync(server);
        var id = (await DocumentSupport.RandomizedParticipantAsync(server, trialId)).GetProperty("participantId").GetString()!;
        var assessor = server.Client("dev-assessor");
        var visit = await (await assessor.PostJsonAsync($"/api/participants/{id}/measures",
            new { instrument = "phq9", visit = "baseline", completedOn = Today, items = Enumerable.Range(1, 9).ToDictionary(i => i.ToString(CultureInfo.InvariantCulture), _ => 1) })).JsonAsync();
        var measureId = visit.GetProperty("id").GetString()!;

        // Both roles may correct a visit measure: only the audit trail tells them apart.
        await CorrectAsync(assessor, id, $"measure:{measureId}", "items.1", 3);
        await CorrectAsync(server.Coordinator, id, $"measure:{measureId}", "items.1", 2);

        var rows = (await DownloadAsync($"/api/trials/{trialId}/export")).Csv("corrections.csv").Rows;
        Assert.Equal(
            [("assessor", "", "1", "3"), ("coordinator", "", "3", "2")],
            rows.Select(r => (r["correctedByRole"], r["correctedBy"], r["oldValue"], r["newValue"])));
        Assert.All(rows, r => Assert.Equal(("item_responses.csv", "value", measureId, "phq9", "", "baseline", "1"),
            (r["file"], r["variable"], r["measureId"], r["instrument"], r["session"], r["visit"], r["item"])));
    }

    [ServerFact]
    public async Task CorrectionsCsv_OfAFreeze_StaysByteIdentical_AfterALaterCorrection()
    {
        var (trialId, id, _) = await TrialWithDataAsync();
        await CorrectAsync(server.Coordinator, id, "participant", "severity", 16);
        var frozen = await (await server.Statistician.PostJsonAsync($"/api/trials/{trialId}/freezes", null)).JsonAsync();
        var path = $"/api/freezes/{frozen.GetProperty("id").GetString()}/export";
        var first = await DownloadAsync(path);
        Assert.Equal(["16"], first.Csv("corrections.csv").Rows.Select(r => r["newValue"]));

        await CorrectAsync(server.Coordinator, id, "participant", "severity", 18);

        var again = await DownloadAsync(path);
        Assert.Equal(first.Bytes, again.Bytes);
        Assert.Equal(frozen.GetProperty("sha256").GetString(), ExportZip.Sha256(again.Bytes));
        var live = await DownloadAsync($"/api/trials/{trialId}/export");
        Assert.Equal([("15", "16"), ("16", "18")], live.Csv("corrections.csv").Rows.Select(r => (r["oldValue"], r["newValue"])));
        Assert.Equal("18", live.Csv("participants.csv").Rows.Single(p => p["participantId"] == id)["severity"]);
    }
}
