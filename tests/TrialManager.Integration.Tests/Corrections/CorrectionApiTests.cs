using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using TrialManager.Integration.Tests.Api;
using TrialManager.Integration.Tests.Documents;
using TrialManager.Integration.Tests.Harness;

namespace TrialManager.Integration.Tests.Corrections;

/// <summary>Corrections with reasons (ICH E6(R3)) over HTTP: nothing is overwritten without the original staying visible.</summary>
public abstract class CorrectionApiTests(TrialServer server)
{
    private static readonly string Today = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private HttpClient Therapist => server.Client("dev-therapist");

    private static string Path(string id) => $"/api/participants/{id}/corrections";

    private async Task<string> ScreenedAsync(string trialId, int severity = 15)
    {
        var screened = await server.Coordinator.PostJsonAsync($"/api/trials/{trialId}/participants",
            new { site = "AAA", ageYears = 30, severity, exclusions = Array.Empty<string>() });
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, screened);
        return (await screened.JsonAsync()).GetProperty("id").GetString()!;
    }

    /// <summary>The correction rows as stored, read with plain SQL (no model in between).</summary>
    private Task<List<(string Target, string Field, string? Old, string? New, string Reason, string By)>> RawCorrectionsAsync(string participantId) =>
        server.WithDbAsync(async db =>
        {
            // Opened and closed here: the server's pooled context must not get this connection back open.
            var connection = db.Database.GetDbConnection();
            await db.Database.OpenConnectionAsync();
            try
            {
                return await ReadCorrectionRowsAsync(connection, participantId);
            }
            finally
            {
                await db.Database.CloseConnectionAsync();
            }
        });

    private static async Task<List<(string Target, string Field, string? Old, string? New, string Reason, string By)>> ReadCorrectionRowsAsync(
        System.Data.Common.DbConnection connection, string participantId)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT \"Target\", \"Field\", \"OldValue\", \"NewValue\", \"Reason\", \"CorrectedBy\" FROM \"Corrections\" " +
                              "WHERE \"ParticipantId\" = @id ORDER BY \"CorrectedAt\"";
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@id";
        parameter.Value = participantId;
        command.Parameters.Add(parameter);
        var rows = new List<(string, string, string?, string?, string, string)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetString(4), reader.GetString(5)));
        }

        return rows;
    }

    [ServerFact]
    public async Task CorrectingAScreeningAnswer_KeepsTheOriginal_InTheRecordTheRowsAndTheAuditTrail()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        var id = await ScreenedAsync(trialId, severity: 15);

        var first = await server.Coordinator.PostJsonAsync(Path(id), new { field = "severity", value = 21, reason = "transcription error" });
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, first);
        var body = await first.JsonAsync();
        Assert.Equal("participant", body.GetProperty("target").GetString());
        Assert.Equal(15, body.GetProperty("oldValue").GetInt32());
        Assert.Equal(21, body.GetProperty("newValue").GetInt32());
        Assert.Equal("dev-coordinator", body.GetProperty("correctedBy").GetString());
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created,
            await server.Coordinator.PostJsonAsync(Path(id), new { target = "participant", field = "severity", value = 22, reason = "rechecked the source form" }));

        var record = await (await server.Coordinator.GetAsync($"/api/participants/{id}")).JsonAsync();
        Assert.Equal(22, record.GetProperty("severity").GetInt32());
        var history = record.GetProperty("corrections").EnumerateArray().ToList();
        Assert.Equal([15, 21], history.Select(c => c.GetProperty("oldValue").GetInt32()));
        Assert.Equal([21, 22], history.Select(c => c.GetProperty("newValue").GetInt32()));
        Assert.Equal(["transcription error", "rechecked the source form"], history.Select(c => c.GetProperty("reason").GetString()));

        // The rows themselves: the value as first entered survives in the first correction.
        var rows = await RawCorrectionsAsync(id);
        Assert.Equal(2, rows.Count);
        Assert.Equal(("participant", "severity", "15", "21", "transcription error", "dev-coordinator"), rows[0]);
        Assert.Equal(("21", "22"), (rows[1].Old, rows[1].New));

        // The audit trail: the correction, with its old value and reason, is an event of its own.
        var trail = await (await server.Admin.GetAsync($"/api/audit?limit=1000&trialId={trialId}")).Content.ReadAsStringAsync();
        var corrections = JsonDocument.Parse(trail).RootElement.EnumerateArray().Where(e => e.GetProperty("action").GetString() == "CorrectRecord").ToList();
        Assert.Equal(2, corrections.Count);
        Assert.Contains(corrections, e => e.GetProperty("changes").GetString()!.Contains("transcription error", StringComparison.Ordinal)
                                          && e.GetProperty("changes").GetString()!.Contains("\"OldValue\":\"15\"", StringComparison.Ordinal));
    }

    [ServerFact]
    public async Task BadCorrections_Are400s_ByTheWrongRoleA403_AndChangeNothing()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        var id = await ScreenedAsync(trialId, severity: 15);
        var coordinator = server.Coordinator;

        (await ProblemAssertions.Assert400Async(await coordinator.PostJsonAsync(Path(id), new { field = "severity", value = 21 }))).AssertNames("reason");
        (await ProblemAssertions.Assert400Async(await coordinator.PostJsonAsync(Path(id), new { field = "severity", value = 21, reason = " " }))).AssertNames("reason");
        (await ProblemAssertions.Assert400Async(await coordinator.PostJsonAsync(Path(id), new { field = "severity", reason = "x" }))).AssertNames("value");
        (await ProblemAssertions.Assert400Async(await coordinator.PostJsonAsync(Path(id), new { value = 21, reason = "x" }))).AssertNames("field");
        (await ProblemAssertions.Assert400Async(await coordinator.PostJsonAsync(Path(id), new { field = "severty", value = 21, reason = "x" }))).AssertNames("field");
        (await ProblemAssertions.Assert400Async(await coordinator.PostJsonAsync(Path(id), new { target = "visit:1", field = "severity", value = 21, reason = "x" }))).AssertNames("target");
        (await ProblemAssertions.Assert400Async(await coordinator.PostJsonAsync(Path(id), new { field = "severity", value = 1001, reason = "x" }))).AssertNames("value");
        (await ProblemAssertions.Assert400Async(await coordinator.PostJsonAsync(Path(id), new { field = "severity", value = 2.5, reason = "x" }))).AssertNames("value");
        (await ProblemAssertions.Assert400Async(await coordinator.PostJsonAsync(Path(id), new { field = "severity", value = "21", reason = "x" }))).AssertNames("value");
        (await ProblemAssertions.Assert400Async(await coordinator.PostJsonAsync(Path(id), new { field = "site", value = "ZZZ", reason = "x" }))).AssertNames("value");
        (await ProblemAssertions.Assert400Async(await coordinator.PostJsonAsync(Path(id), new { field = "exclusions", value = new[] { "flu" }, reason = "x" }))).AssertNames("value");
        (await ProblemAssertions.Assert400Async(await coordinator.PostJsonAsync(Path(id), new { field = "ageYears", value = (int?)null, reason = "x" }))).AssertNames("value");
        (await ProblemAssertions.Assert400Async(await coordinator.PostJsonAsync(Path(id), new { target = "session:1", field = "date", value = Today, reason = "x" }))).AssertNames("target");
        (await ProblemAssertions.Assert400Async(await coordinator.PostJsonAsync(Path(id), new { field = "severity", value = 21, reason = "x", extra = 1 }))).AssertNames("extra");
        // No consent yet: nothing to correct.
        await ProblemAssertions.AssertConflictNamingAsync(
            await coordinator.PostJsonAsync(Path(id), new { field = "consentedOn", value = Today, reason = "x" }), "no consent");

        Assert.Equal(HttpStatusCode.Forbidden, (await server.Statistician.PostJsonAsync(Path(id), new { field = "severity", value = 21, reason = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await server.Client("dev-rater").PostJsonAsync(Path(id), new { field = "severity", value = 21, reason = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await coordinator.PostJsonAsync(Path("P-none"), new { field = "severity", value = 21, reason = "x" })).StatusCode);

        var record = await (await coordinator.GetAsync($"/api/participants/{id}")).JsonAsync();
        Assert.Equal(15, record.GetProperty("severity").GetInt32());
        Assert.Empty(record.GetProperty("corrections").EnumerateArray());
        Assert.Empty(await RawCorrectionsAsync(id));

        // A site, an optional answer cleared and the exclusions, each validated as at screening.
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await coordinator.PostJsonAsync(Path(id), new { field = "site", value = "bbb", reason = "wrong site picked" }));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await coordinator.PostJsonAsync(Path(id), new { field = "motivation", value = (int?)null, reason = "not asked" }));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await coordinator.PostJsonAsync(Path(id), new { field = "exclusions", value = new[] { "bipolar" }, reason = "history found" }));
        record = await (await coordinator.GetAsync($"/api/participants/{id}")).JsonAsync();
        Assert.Equal("BBB", record.GetProperty("site").GetString());
        Assert.Equal(["bipolar"], record.GetProperty("exclusions").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("AAA", record.GetProperty("corrections")[0].GetProperty("oldValue").GetString());
    }

    [ServerFact]
    public async Task Sessions_Ratings_AndMeasures_AreCorrectedByTheRoleThatEntersThem_AndMeasuresAreRescored()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Admin.PostJsonAsync($"/api/trials/{trialId}/therapists",
            new { code = "dev-therapist", site = "AAA", arms = new[] { "mediator", "moderator" } }));
        var id = (await DocumentSupport.RandomizedParticipantAsync(server, trialId)).GetProperty("participantId").GetString()!;
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await server.Coordinator.PostJsonAsync($"/api/participants/{id}/therapist", new { therapist = "dev-therapist" }));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await Therapist.PostJsonAsync($"/api/participants/{id}/sessions", new { number = 1, date = Today, attendance = "noShow" }));

        // Sessions: the therapist who delivered it, a coordinator; the value as at entry.
        (await ProblemAssertions.Assert400Async(await Therapist.PostJsonAsync(Path(id), new { target = "session:1", field = "attendance", value = "present", reason = "x" }))).AssertNames("value");
        (await ProblemAssertions.Assert400Async(await Therapist.PostJsonAsync(Path(id), new { target = "session:1", field = "date", value = "2020-01-01", reason = "x" }))).AssertNames("value");
        Assert.Equal(HttpStatusCode.Forbidden, (await Therapist.PostJsonAsync(Path(id), new { field = "severity", value = 20, reason = "x" })).StatusCode);
        var session = await Therapist.PostJsonAsync(Path(id), new { target = "session:1", field = "attendance", value = "attended", reason = "entered on the wrong row" });
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, session);
        Assert.Equal("noShow", (await session.JsonAsync()).GetProperty("oldValue").GetString());

        // Measures: re-scored by the server; an item outside its scale is a 400 and changes nothing.
        var measure = await (await server.Coordinator.PostJsonAsync($"/api/participants/{id}/measures",
            new { instrument = "phq9", session = 1, completedOn = Today, items = Enumerable.Range(1, 9).ToDictionary(i => i.ToString(CultureInfo.InvariantCulture), _ => 1) })).JsonAsync();
        var measureId = measure.GetProperty("id").GetString();
        Assert.Equal(9, measure.GetProperty("scores").GetProperty("total").GetDouble());
        (await ProblemAssertions.Assert400Async(await Therapist.PostJsonAsync(Path(id), new { target = $"measure:{measureId}", field = "items.2", value = 4, reason = "x" }))).AssertNames("value");
        (await ProblemAssertions.Assert400Async(await Therapist.PostJsonAsync(Path(id), new { target = $"measure:{measureId}", field = "items.99", value = 1, reason = "x" }))).AssertNames("field");
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created,
            await Therapist.PostJsonAsync(Path(id), new { target = $"measure:{measureId}", field = "items.2", value = 3, reason = "misread the form" }));
        var measures = await (await server.Coordinator.GetAsync($"/api/participants/{id}/measures")).JsonAsync();
        var rescored = Assert.Single(measures.EnumerateArray());
        Assert.Equal(11, rescored.GetProperty("scores").GetProperty("total").GetDouble());
        Assert.Equal(3, rescored.GetProperty("items").GetProperty("2").GetInt32());

        // Ratings: a coordinator corrects the paper rating it entered; the rating's own primary follows, the decision stands.
        var byCoordinator = await server.Coordinator.PostJsonAsync(Path(id), new { target = "rating:1", field = "behavioral", value = 2, reason = "score copied wrong" });
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, byCoordinator);
        await ProblemAssertions.AssertConflictNamingAsync(
            await server.Coordinator.PostJsonAsync(Path(id), new { target = "rating:1", field = "cognitive", value = 0, reason = "x" }), "consensus rating");
        (await ProblemAssertions.Assert400Async(await server.Coordinator.PostJsonAsync(Path(id), new { target = "rating:1", field = "cognitive", value = 5, reason = "x" }))).AssertNames("value");
        // A rater never corrects a rating that is not their own (and learns nothing of it).
        Assert.Equal(HttpStatusCode.Forbidden,
            (await server.Client("dev-rater").PostJsonAsync(Path(id), new { target = "rating:1", field = "behavioral", value = 1, reason = "x" })).StatusCode);

        var record = await (await server.Coordinator.GetAsync($"/api/participants/{id}")).JsonAsync();
        Assert.Equal("attended", record.GetProperty("sessions")[0].GetProperty("attendance").GetString());
        Assert.Equal(2, record.GetProperty("ratings")[0].GetProperty("scores").GetProperty("behavioral").GetInt32());
        Assert.Equal(["session:1", $"measure:{measureId}", "rating:1"], record.GetProperty("corrections").EnumerateArray().Select(c => c.GetProperty("target").GetString()));
        // The therapist sees their sessions' corrections only.
        var theirs = await (await Therapist.GetAsync($"/api/participants/{id}")).JsonAsync();
        Assert.Equal(["session:1"], theirs.GetProperty("corrections").EnumerateArray().Select(c => c.GetProperty("target").GetString()));
    }

    [ServerFact]
    public async Task AfterRandomization_TheAllocationStands_AndCorrectionsMarkItMisStratifiedOrIneligible()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        var allocated = await DocumentSupport.RandomizedParticipantAsync(server, trialId, site: "AAA");
        var id = allocated.GetProperty("participantId").GetString()!;
        var other = (await DocumentSupport.RandomizedParticipantAsync(server, trialId, site: "BBB")).GetProperty("participantId").GetString()!;

        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created,
            await server.Coordinator.PostJsonAsync(Path(id), new { field = "site", value = "BBB", reason = "wrong site picked at screening" }));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created,
            await server.Coordinator.PostJsonAsync(Path(other), new { field = "ageYears", value = 75, reason = "birth year misread" }));

        // The allocation never changes: same arm, stratum and sequence.
        var record = await (await server.Coordinator.GetAsync($"/api/participants/{id}")).JsonAsync();
        Assert.Equal(allocated.GetProperty("arm").GetString(), record.GetProperty("allocation").GetProperty("arm").GetString());
        Assert.Equal(allocated.GetProperty("stratum").GetString(), record.GetProperty("allocation").GetProperty("stratum").GetString());
        Assert.Equal("BBB", record.GetProperty("site").GetString());
        Assert.False(record.TryGetProperty("misStratified", out _));

        // The verification compares the values at randomization: the corrected site is listed, not a mismatch.
        var verify = await (await server.Statistician.PostAsync(new Uri($"/api/trials/{trialId}/randomization-plan/verify", UriKind.Relative), null)).JsonAsync();
        Assert.True(verify.GetProperty("matches").GetBoolean(), verify.GetRawText());
        var listed = Assert.Single(verify.GetProperty("misStratified").EnumerateArray());
        Assert.Equal((id, "site", "AAA", "BBB"), (listed.GetProperty("participantId").GetString(), listed.GetProperty("factor").GetString(),
            listed.GetProperty("recorded").GetString(), listed.GetProperty("corrected").GetString()));

        // The export's new last columns, in JSON and CSV.
        var rows = (await (await server.Statistician.GetAsync($"/api/trials/{trialId}/allocations")).JsonAsync()).EnumerateArray()
            .ToDictionary(r => r.GetProperty("participantId").GetString()!);
        Assert.True(rows[id].GetProperty("misStratified").GetBoolean());
        Assert.False(rows[id].GetProperty("ineligibleAfterRandomization").GetBoolean());
        Assert.False(rows[other].GetProperty("misStratified").GetBoolean());
        Assert.True(rows[other].GetProperty("ineligibleAfterRandomization").GetBoolean());
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/trials/{trialId}/allocations");
        request.Headers.Accept.ParseAdd("text/csv");
        var csv = (await (await server.Statistician.SendAsync(request)).Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.EndsWith(",matched,misStratified,ineligibleAfterRandomization", csv[0].TrimEnd('\r'), StringComparison.Ordinal);
        Assert.EndsWith(",true,false", csv.Single(l => l.StartsWith(id + ",", StringComparison.Ordinal)).TrimEnd('\r'), StringComparison.Ordinal);
        Assert.EndsWith(",false,true", csv.Single(l => l.StartsWith(other + ",", StringComparison.Ordinal)).TrimEnd('\r'), StringComparison.Ordinal);

        // CONSORT: both stay allocated and analysed; the notes count them, pooled.
        var consort = await (await server.Statistician.GetAsync($"/api/trials/{trialId}/consort")).JsonAsync();
        Assert.Equal(2, consort.GetProperty("randomized").GetInt32());
        Assert.Equal(1, consort.GetProperty("notes").GetProperty("misStratified").GetInt32());
        Assert.Equal(1, consort.GetProperty("notes").GetProperty("ineligibleAfterRandomization").GetInt32());

        // Corrected back: the flag clears; the history keeps both corrections.
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created,
            await server.Coordinator.PostJsonAsync(Path(id), new { field = "site", value = "AAA", reason = "the first form was right after all" }));
        verify = await (await server.Statistician.PostAsync(new Uri($"/api/trials/{trialId}/randomization-plan/verify", UriKind.Relative), null)).JsonAsync();
        Assert.True(verify.GetProperty("matches").GetBoolean(), verify.GetRawText());
        Assert.Empty(verify.GetProperty("misStratified").EnumerateArray());
        Assert.Equal(2, (await RawCorrectionsAsync(id)).Count);
    }

    [ServerFact]
    public async Task FoundIneligibleAfterConsent_IsItsOwnStatusAndConsortReason_AndOnlyBeforeRandomization()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        var consented = await ScreenedAsync(trialId);
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await server.Coordinator.PostJsonAsync($"/api/participants/{consented}/consent",
            new { consentVersion = "1.0", consentedOn = "2026-11-20" }));
        var formulated = await TestTrials.FormulatedParticipantAsync(server, trialId);
        var notConsented = await ScreenedAsync(trialId);
        var randomized = (await DocumentSupport.RandomizedParticipantAsync(server, trialId)).GetProperty("participantId").GetString()!;
        static string At(string id) => $"/api/participants/{id}/ineligibility";

        (await ProblemAssertions.Assert400Async(await server.Coordinator.PostJsonAsync(At(consented), new { note = "no criterion" }))).AssertNames("criterion");
        (await ProblemAssertions.Assert400Async(await server.Coordinator.PostJsonAsync(At(consented), new { criterion = " " }))).AssertNames("criterion");
        (await ProblemAssertions.Assert400Async(await server.Coordinator.PostJsonAsync(At(consented), new { criterion = "bipolar", reason = "misspelled" }))).AssertNames("reason");
        await ProblemAssertions.AssertConflictNamingAsync(await server.Coordinator.PostJsonAsync(At(notConsented), new { criterion = "bipolar" }), "eligible");
        await ProblemAssertions.AssertConflictNamingAsync(await server.Coordinator.PostJsonAsync(At(randomized), new { criterion = "bipolar" }), "randomized");
        Assert.Equal(HttpStatusCode.Forbidden, (await server.Statistician.PostJsonAsync(At(consented), new { criterion = "bipolar" })).StatusCode);

        var found = await server.Coordinator.PostJsonAsync(At(consented), new { criterion = "bipolar", note = "history found in the GP letter" });
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, found);
        var body = await found.JsonAsync();
        Assert.Equal("ineligible", body.GetProperty("status").GetString());
        Assert.Equal("bipolar", body.GetProperty("ineligibility").GetProperty("criterion").GetString());
        Assert.Equal("history found in the GP letter", body.GetProperty("ineligibility").GetProperty("note").GetString());
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await server.Coordinator.PostJsonAsync(At(formulated), new { criterion = "age" }));
        await ProblemAssertions.AssertConflictNamingAsync(await server.Coordinator.PostJsonAsync($"/api/participants/{formulated}/randomization", null), "ineligible");
        await ProblemAssertions.AssertConflictNamingAsync(await server.Coordinator.PostJsonAsync(At(consented), new { criterion = "bipolar" }), "ineligible");

        var consort = await (await server.Statistician.GetAsync($"/api/trials/{trialId}/consort")).JsonAsync();
        var reasons = consort.GetProperty("excluded").GetProperty("reasons");
        Assert.Equal(2, reasons.GetProperty("ineligible").GetInt32());
        Assert.Equal(0, reasons.GetProperty("withdrawn").GetInt32());
        Assert.Equal(2, consort.GetProperty("excluded").GetProperty("total").GetInt32());
        Assert.Equal(1, consort.GetProperty("awaitingRandomization").GetInt32());
        var listed = await (await server.Coordinator.GetAsync($"/api/trials/{trialId}/participants?status=ineligible")).JsonAsync();
        Assert.Equal([consented, formulated], listed.EnumerateArray().Select(p => p.GetProperty("id").GetString()));
    }

    [ServerFact]
    public async Task DataQueries_AreRaisedByAMonitor_AnsweredOrCorrectedByTheSite_AndListedPerSite()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        var id = await ScreenedAsync(trialId, severity: 15);
        var elsewhere = (await (await server.Coordinator.PostJsonAsync($"/api/trials/{trialId}/participants",
            new { site = "BBB", ageYears = 30, severity = 15, exclusions = Array.Empty<string>() })).JsonAsync()).GetProperty("id").GetString()!;
        var siteAaa = server.Client(SecurityTestSettings.SiteLimitedCoordinatorKey);
        var raise = $"/api/participants/{id}/queries";

        (await ProblemAssertions.Assert400Async(await server.Statistician.PostJsonAsync(raise, new { field = "severity" }))).AssertNames("question");
        (await ProblemAssertions.Assert400Async(await server.Statistician.PostJsonAsync(raise, new { field = "severty", question = "?" }))).AssertNames("field");
        (await ProblemAssertions.Assert400Async(await server.Statistician.PostJsonAsync(raise, new { target = "rating:9", field = "cognitive", question = "?" }))).AssertNames("target");
        Assert.Equal(HttpStatusCode.Forbidden, (await server.Coordinator.PostJsonAsync(raise, new { field = "severity", question = "?" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await server.Client("dev-rater").PostJsonAsync(raise, new { field = "severity", question = "?" })).StatusCode);

        var raised = await server.Statistician.PostJsonAsync(raise, new { field = "severity", question = "Severity 15 is unusual for this site: please check the source form." });
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, raised);
        var query = await raised.JsonAsync();
        Assert.Equal(("open", "participant", "dev-statistician"),
            (query.GetProperty("status").GetString(), query.GetProperty("target").GetString(), query.GetProperty("raisedBy").GetString()));
        var byAdmin = await (await server.Admin.PostJsonAsync(raise, new { field = "ageYears", question = "Please confirm the age." })).JsonAsync();
        var other = await (await server.Admin.PostJsonAsync($"/api/participants/{elsewhere}/queries", new { field = "ageYears", question = "Confirm?" })).JsonAsync();

        // Open queries: the monitor sees all, a coordinator limited to AAA only AAA's.
        var open = await (await server.Statistician.GetAsync($"/api/trials/{trialId}/queries?status=open")).JsonAsync();
        Assert.Equal(3, open.GetArrayLength());
        var own = await (await siteAaa.GetAsync($"/api/trials/{trialId}/queries")).JsonAsync();
        Assert.Equal([id, id], own.EnumerateArray().Select(q => q.GetProperty("participantId").GetString()));
        (await ProblemAssertions.Assert400Async(await server.Statistician.GetAsync($"/api/trials/{trialId}/queries?status=closed"))).AssertNames("status");

        // Answered with a correction: the value changes, the correction names the query and the answer is its reason.
        var answerPath = $"/api/queries/{query.GetProperty("id").GetString()}/answer";
        Assert.Equal(HttpStatusCode.Forbidden, (await server.Statistician.PostJsonAsync(answerPath, new { answer = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await siteAaa.PostJsonAsync($"/api/queries/{other.GetProperty("id").GetString()}/answer", new { answer = "x" })).StatusCode);
        (await ProblemAssertions.Assert400Async(await siteAaa.PostJsonAsync(answerPath, new { correction = new { value = 21 } }))).AssertNames("answer");
        (await ProblemAssertions.Assert400Async(await siteAaa.PostJsonAsync(answerPath, new { answer = "typo", correction = new { value = 2000 } }))).AssertNames("value");
        (await ProblemAssertions.Assert400Async(await siteAaa.PostJsonAsync(answerPath, new { answer = "typo", correction = new { value = 21, field = "ageYears" } }))).AssertNames("correction.field");
        var answered = await siteAaa.PostJsonAsync(answerPath, new { answer = "Transcription error: the form says 21.", correction = new { value = 21 } });
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, answered);
        var body = await answered.JsonAsync();
        Assert.Equal(("answered", "coordinator-aaa"), (body.GetProperty("status").GetString(), body.GetProperty("answeredBy").GetString()));
        var record = await (await server.Coordinator.GetAsync($"/api/participants/{id}")).JsonAsync();
        Assert.Equal(21, record.GetProperty("severity").GetInt32());
        var correction = Assert.Single(record.GetProperty("corrections").EnumerateArray());
        Assert.Equal(body.GetProperty("correction").GetString(), correction.GetProperty("id").GetString());
        Assert.Equal(query.GetProperty("id").GetString(), correction.GetProperty("query").GetString());
        Assert.Equal("Transcription error: the form says 21.", correction.GetProperty("reason").GetString());
        Assert.Equal(("15", "21"), ((await RawCorrectionsAsync(id))[0].Old, (await RawCorrectionsAsync(id))[0].New));
        await ProblemAssertions.AssertConflictNamingAsync(await siteAaa.PostJsonAsync(answerPath, new { answer = "again" }), "already answered");

        // Answered without a correction: nothing else changes.
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK,
            await server.Coordinator.PostJsonAsync($"/api/queries/{byAdmin.GetProperty("id").GetString()}/answer", new { answer = "Checked: 30 is right." }));
        Assert.Single(await RawCorrectionsAsync(id));
        Assert.Equal([other.GetProperty("id").GetString()],
            (await (await server.Admin.GetAsync($"/api/trials/{trialId}/queries")).JsonAsync()).EnumerateArray().Select(q => q.GetProperty("id").GetString()));
        var all = await (await server.Admin.GetAsync($"/api/trials/{trialId}/queries?status=all")).Content.ReadAsStringAsync();
        Assert.Equal(3, JsonDocument.Parse(all).RootElement.GetArrayLength());
        foreach (var secret in new[] { "\"arm\"", "\"stratum\"", "\"allocation\"", "\"sequence\"" })
        {
            Assert.DoesNotContain(secret, all, StringComparison.Ordinal);
        }
    }
}

[Collection(SqliteServerCollection.Name)]
public sealed class CorrectionApiTests_Sqlite(SqliteTrialServer server) : CorrectionApiTests(server);

[Collection(PostgresServerCollection.Name)]
public sealed class CorrectionApiTests_Postgres(PostgresTrialServer server) : CorrectionApiTests(server), IRunsOnPostgres;
