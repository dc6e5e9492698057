using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using TrialManager.Integration.Tests.Api;
using TrialManager.Integration.Tests.Documents;
using TrialManager.Integration.Tests.Harness;

namespace TrialManager.Integration.Tests.Safety;

/// <summary>
/// Issue 17's safety reporting over HTTP: adverse events carry their structured fields, serious ones are listed until an
/// admin or the DSMB has reviewed them, a safety alert becomes an event in one step, and events are corrected with reasons.
/// </summary>
public abstract partial class SafetyEventApiTests(TrialServer server)
{
    private static readonly string Today = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private HttpClient Coordinator => server.Coordinator;

    private HttpClient Dsmb => server.Client("dev-dsmb");

    private static string Events(string id) => $"/api/participants/{id}/events";

    private async Task<(string TrialId, string ParticipantId)> RandomizedAsync()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        var allocation = await DocumentSupport.RandomizedParticipantAsync(server, trialId);
        return (trialId, allocation.GetProperty("participantId").GetString()!);
    }

    private async Task<JsonElement> RecordAsync(string participantId, Dictionary<string, object?> body)
    {
        var recorded = await Coordinator.PostJsonAsync(Events(participantId), body);
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, recorded);
        return await recorded.JsonAsync();
    }

    private async Task<List<JsonElement>> EventsOfRecordAsync(string participantId) =>
        [.. (await (await Coordinator.GetAsync($"/api/participants/{participantId}")).JsonAsync()).GetProperty("events").EnumerateArray()];

    private async Task<List<JsonElement>> ListedAsync(string trialId, string review = "pending") =>
        [.. (await (await Dsmb.GetAsync($"/api/trials/{trialId}/events?review={review}")).JsonAsync()).EnumerateArray()];

    [ServerFact]
    public async Task AnAdverseEvent_WithoutOrWithMisspelledSafetyFields_Is400NamingEach_AndRecordsNothing()
    {
        var (_, id) = await RandomizedAsync();

        var bare = await ProblemAssertions.Assert400Async(await Coordinator.PostJsonAsync(Events(id), new { type = "adverseEvent", occurredOn = Today, description = "headache" }));
        foreach (var field in new[] { "serious", "severity", "relatedness", "expected", "outcome" })
        {
            bare.AssertNames(field);
        }

        async Task RefusedAsync(string field, Action<Dictionary<string, object?>> change, string type = "adverseEvent")
        {
            var body = TestEvents.Body(type, Today, "headache");
            change(body);
            (await ProblemAssertions.Assert400Async(await Coordinator.PostJsonAsync(Events(id), body))).AssertNames(field);
        }

        await RefusedAsync("severity", b => b["severity"] = "terrible");
        await RefusedAsync("relatedness", b => b["relatedness"] = "maybe");
        await RefusedAsync("outcome", b => b["outcome"] = "fine");
        await RefusedAsync("serious", b => b["serious"] = new[] { "hospitalization" });
        await RefusedAsync("serious", b => b.Remove("serious"));
        await RefusedAsync("expected", b => b.Remove("expected"));
        // A serious adverse event meets a criterion; an adverse event that meets one is recorded as serious, not quietly.
        await RefusedAsync("serious", b => b["serious"] = Array.Empty<string>(), "seriousAdverseEvent");
        await RefusedAsync("serious", b => b["serious"] = new[] { "hospitalisation" });
        await RefusedAsync("outcome", b => b["outcome"] = "fatal");
        await RefusedAsync("resolvedOn", b => (b["outcome"], b["resolvedOn"]) = ("recovered", DateTime.UtcNow.AddDays(-3).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
        await RefusedAsync("resolvedOn", b => b["resolvedOn"] = Today);
        // A protocol deviation keeps its old shape and takes none of them.
        await RefusedAsync("severity", b => b["severity"] = "mild", "protocolDeviation");

        Assert.Empty(await EventsOfRecordAsync(id));
    }

    [ServerFact]
    public async Task AnAdverseEvent_WithEveryField_IsRecorded_AndTheRecordShowsThem()
    {
        var (_, id) = await RandomizedAsync();
        var body = TestEvents.Body("adverseEvent", Today, "headache");
        (body["outcome"], body["resolvedOn"]) = ("recovered", Today);

        var recorded = await RecordAsync(id, body);
        await RecordAsync(id, TestEvents.Body("protocolDeviation", Today, "session by phone"));

        Assert.True(Guid.TryParse(recorded.GetProperty("id").GetString(), out _));
        var events = await EventsOfRecordAsync(id);
        Assert.Equal(2, events.Count);
        var e = events[0];
        Assert.Equal(("adverseEvent", 0, "mild", "unlikely", false, "recovered", Today),
            (e.GetProperty("type").GetString(), e.GetProperty("serious").GetArrayLength(), e.GetProperty("severity").GetString(),
                e.GetProperty("relatedness").GetString(), e.GetProperty("expected").GetBoolean(), e.GetProperty("outcome").GetString(),
                e.GetProperty("resolvedOn").GetString()));
        Assert.Equal(JsonValueKind.Null, events[1].GetProperty("severity").ValueKind);
        Assert.Equal(JsonValueKind.Null, events[1].GetProperty("serious").ValueKind);
    }

    [ServerFact]
    public async Task ASeriousEvent_IsListedUntilReviewed_ReviewedOnceWithAComment_AndOnlyIfSerious()
    {
        var (trialId, id) = await RandomizedAsync();
        var mild = (await RecordAsync(id, TestEvents.Body("adverseEvent", Today, "headache"))).GetProperty("id").GetString();
        var serious = (await RecordAsync(id, TestEvents.Body("seriousAdverseEvent", Today, "admitted overnight"))).GetProperty("id").GetString();

        var listed = Assert.Single(await ListedAsync(trialId));
        Assert.Equal((id, "AAA", serious), (listed.GetProperty("participantId").GetString(), listed.GetProperty("site").GetString(),
            listed.GetProperty("event").GetProperty("id").GetString()));
        Assert.Equal("admitted overnight", listed.GetProperty("event").GetProperty("description").GetString());
        Assert.DoesNotContain("arm", listed.GetRawText(), StringComparison.OrdinalIgnoreCase);
        Assert.Single(await ListedAsync(trialId, "all"));
        (await ProblemAssertions.Assert400Async(await Dsmb.GetAsync($"/api/trials/{trialId}/events?review=later"))).AssertNames("review");
        Assert.Equal(HttpStatusCode.NotFound, (await Dsmb.GetAsync("/api/trials/no-such-trial/events")).StatusCode);

        (await ProblemAssertions.Assert400Async(await Dsmb.PostJsonAsync($"/api/events/{serious}/review", new { comment = " " }))).AssertNames("comment");
        await ProblemAssertions.AssertConflictNamingAsync(await Dsmb.PostJsonAsync($"/api/events/{mild}/review", new { comment = "fine" }), "adverseEvent");
        Assert.Equal(HttpStatusCode.NotFound, (await Dsmb.PostJsonAsync($"/api/events/{Guid.NewGuid()}/review", new { comment = "x" })).StatusCode);

        var reviewed = await Dsmb.PostJsonAsync($"/api/events/{serious}/review", new { comment = "expected course; no action" });
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, reviewed);
        var review = (await reviewed.JsonAsync()).GetProperty("review");
        Assert.Equal(("dev-dsmb", "expected course; no action"), (review.GetProperty("reviewedBy").GetString(), review.GetProperty("comment").GetString()));
        await ProblemAssertions.AssertConflictNamingAsync(await server.Admin.PostJsonAsync($"/api/events/{serious}/review", new { comment = "again" }), "dev-dsmb");

        Assert.Empty(await ListedAsync(trialId));
        Assert.Equal("dev-dsmb", Assert.Single(await ListedAsync(trialId, "all")).GetProperty("event").GetProperty("review").GetProperty("reviewedBy").GetString());
        Assert.Equal("dev-dsmb", (await EventsOfRecordAsync(id))[1].GetProperty("review").GetProperty("reviewedBy").GetString());
        var trail = await (await server.Admin.GetAsync($"/api/audit?trialId={trialId}&limit=1000")).JsonAsync();
        Assert.Contains(trail.EnumerateArray(), e => e.GetProperty("action").GetString() == "ReviewEvent" && e.GetProperty("actor").GetString() == "dev-dsmb");
    }

    [ServerFact]
    public async Task CorrectingAReviewedSeriousEvent_ListsItAgainAsChangedSinceReview_KeepingTheReview_UntilReviewedAgain()
    {
        var (trialId, id) = await RandomizedAsync();
        var serious = (await RecordAsync(id, TestEvents.Body("seriousAdverseEvent", Today, "admitted overnight"))).GetProperty("id").GetString();
        Assert.False(Assert.Single(await ListedAsync(trialId)).GetProperty("changedSinceReview").GetBoolean());
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await Dsmb.PostJsonAsync($"/api/events/{serious}/review", new { comment = "expected course" }));
        Assert.Empty(await ListedAsync(trialId));

        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await Coordinator.PostJsonAsync($"/api/participants/{id}/corrections",
            new { target = $"event:{serious}", field = "relatedness", value = "probable", reason = "the psychiatrist's letter links it to the therapy" }));
        var listed = Assert.Single(await ListedAsync(trialId));
        Assert.True(listed.GetProperty("changedSinceReview").GetBoolean());
        Assert.Equal("probable", listed.GetProperty("event").GetProperty("relatedness").GetString());
        var kept = listed.GetProperty("event").GetProperty("review");
        Assert.Equal(("dev-dsmb", "expected course"), (kept.GetProperty("reviewedBy").GetString(), kept.GetProperty("comment").GetString()));

        // Reviewed again (the earlier review stays on the audit trail): off the list, and a further review is again a conflict.
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK,
            await server.Admin.PostJsonAsync($"/api/events/{serious}/review", new { comment = "probably related; therapist informed" }));
        Assert.Empty(await ListedAsync(trialId));
        var all = Assert.Single(await ListedAsync(trialId, "all"));
        Assert.False(all.GetProperty("changedSinceReview").GetBoolean());
        Assert.Equal("dev-admin", all.GetProperty("event").GetProperty("review").GetProperty("reviewedBy").GetString());
        await ProblemAssertions.AssertConflictNamingAsync(await Dsmb.PostJsonAsync($"/api/events/{serious}/review", new { comment = "again" }), "dev-admin");
        var trail = await (await server.Admin.GetAsync($"/api/audit?trialId={trialId}&limit=1000")).JsonAsync();
        Assert.Equal(["expected course", "probably related; therapist informed"], trail.EnumerateArray()
            .Where(e => e.GetProperty("action").GetString() == "ReviewEvent").OrderBy(e => e.GetProperty("sequence").GetInt64())
            .Select(e => JsonDocument.Parse(e.GetProperty("changes").GetString()!).RootElement.EnumerateArray()
                .Single(c => c.GetProperty("record").GetString() == "ParticipantEvent").GetProperty("values").GetProperty("ReviewComment").GetString()));
    }

    [ServerFact]
    public async Task ASafetyAlert_BecomesAnEvent_InOneStep_LinkedAndAcknowledged_Once()
    {
        var (trialId, id) = await RandomizedAsync();
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Admin.PostJsonAsync($"/api/trials/{trialId}/therapists",
            new { code = "dev-therapist", site = "AAA", arms = new[] { "mediator", "moderator" } }));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await Coordinator.PostJsonAsync($"/api/participants/{id}/therapist", new { therapist = "dev-therapist" }));
        var therapist = server.Client("dev-therapist");
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await therapist.PostJsonAsync($"/api/participants/{id}/sessions",
            new { number = 1, date = Today, attendance = "attended" }));
        var items = Enumerable.Range(1, 9).ToDictionary(i => i.ToString(CultureInfo.InvariantCulture), i => i == 9 ? 2 : 1);
        var measure = await therapist.PostJsonAsync($"/api/participants/{id}/measures", new { instrument = "phq9", session = 1, completedOn = Today, items });
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, measure);
        var alertId = Assert.Single((await measure.JsonAsync()).GetProperty("alerts").EnumerateArray()).GetProperty("id").GetString();
        var path = $"/api/alerts/{alertId}/event";

        (await ProblemAssertions.Assert400Async(await Coordinator.PostJsonAsync(path, TestEvents.Body("protocolDeviation", Today, "x")))).AssertNames("type");
        (await ProblemAssertions.Assert400Async(await Coordinator.PostJsonAsync(path, new { type = "seriousAdverseEvent", occurredOn = Today, description = "x" })))
            .AssertNames("severity");
        Assert.Equal(HttpStatusCode.NotFound, (await Coordinator.PostJsonAsync($"/api/alerts/{Guid.NewGuid()}/event", TestEvents.Body("adverseEvent", Today, "x"))).StatusCode);

        var body = TestEvents.Body("seriousAdverseEvent", Today, "crisis admission after the screening call");
        body["serious"] = new[] { "hospitalisation", "lifeThreatening" };
        var made = await Coordinator.PostJsonAsync(path, body);
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, made);
        var answer = await made.JsonAsync();
        Assert.Equal((id, alertId), (answer.GetProperty("participantId").GetString(), answer.GetProperty("event").GetProperty("alertId").GetString()));
        var eventId = answer.GetProperty("event").GetProperty("id").GetString()!;

        var alert = Assert.Single((await (await Coordinator.GetAsync($"/api/trials/{trialId}/alerts?status=all")).JsonAsync()).EnumerateArray());
        Assert.Equal("dev-coordinator", alert.GetProperty("acknowledgedBy").GetString());
        Assert.Contains(eventId, alert.GetProperty("action").GetString(), StringComparison.Ordinal);
        Assert.Equal(eventId, Assert.Single(await ListedAsync(trialId)).GetProperty("event").GetProperty("id").GetString());
        await ProblemAssertions.AssertConflictNamingAsync(await Coordinator.PostJsonAsync(path, body), eventId);
        Assert.Single(await EventsOfRecordAsync(id));
    }

    [ServerFact]
    public async Task TheRecordPage_AsksForTheSafetyFields_RecordsThem_AndAMissingOneRecordsNothing()
    {
        var (_, id) = await RandomizedAsync();
        var pages = await PageSignIn.SignedInClientAsync(server, "dev-coordinator");
        var page = new Uri($"/participants/{id}", UriKind.Relative);
        var html = await pages.GetStringAsync(page);
        foreach (var field in new[] { "name=\"Serious\" value=\"hospitalisation\"", "name=\"Severity\"", "name=\"Relatedness\"", "name=\"Outcome\"", "name=\"Expected\"", "name=\"ResolvedOn\"" })
        {
            Assert.Contains(field, html, StringComparison.Ordinal);
        }

        async Task PostAsync(Dictionary<string, string> fields)
        {
            fields["__RequestVerificationToken"] = WebUtility.HtmlDecode(TokenField().Match(await pages.GetStringAsync(page)).Groups[1].Value);
            using var body = new FormUrlEncodedContent(fields);
            using var _ = await pages.PostAsync(new Uri($"/participants/{id}?handler=Event", UriKind.Relative), body);
        }

        var fields = new Dictionary<string, string>
        {
            ["Type"] = "adverseEvent", ["OccurredOn"] = Today, ["Description"] = "headache", ["Severity"] = "mild", ["Relatedness"] = "unlikely",
            ["Outcome"] = "recovering",
        };
        await PostAsync(new Dictionary<string, string>(fields));
        Assert.Empty(await EventsOfRecordAsync(id)); // expectedness not answered: nothing recorded, never defaulted

        fields["Expected"] = "false";
        await PostAsync(fields);
        var e = Assert.Single(await EventsOfRecordAsync(id));
        Assert.Equal(("adverseEvent", 0, "mild", false, "recovering"), (e.GetProperty("type").GetString(), e.GetProperty("serious").GetArrayLength(),
            e.GetProperty("severity").GetString(), e.GetProperty("expected").GetBoolean(), e.GetProperty("outcome").GetString()));
        Assert.Contains("<td>unlikely</td>", await pages.GetStringAsync(page), StringComparison.Ordinal);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();

    [ServerFact]
    public async Task CorrectingAnEvent_KeepsTheOriginalInTheRawRows_AndToSerious_MakesTheTypeFollow()
    {
        var (trialId, id) = await RandomizedAsync();
        var eventId = (await RecordAsync(id, TestEvents.Body("adverseEvent", Today, "headache"))).GetProperty("id").GetString();
        var target = $"event:{eventId}";
        var corrections = $"/api/participants/{id}/corrections";

        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await Coordinator.PostJsonAsync(corrections,
            new { target, field = "severity", value = "moderate", reason = "severity misread" }));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await Coordinator.PostJsonAsync(corrections,
            new { target, field = "serious", value = new[] { "otherImportant" }, reason = "the GP called it an important medical event" }));
        // What entry refuses, a correction refuses; nothing changes.
        (await ProblemAssertions.Assert400Async(await Coordinator.PostJsonAsync(corrections,
            new { target, field = "outcome", value = "fatal", reason = "x" }))).AssertNames("value");
        (await ProblemAssertions.Assert400Async(await Coordinator.PostJsonAsync(corrections,
            new { target, field = "severity", value = "huge", reason = "x" }))).AssertNames("value");
        (await ProblemAssertions.Assert400Async(await Coordinator.PostJsonAsync(corrections,
            new { target, field = "type", value = "protocolDeviation", reason = "x" }))).AssertNames("field");
        Assert.Equal(HttpStatusCode.Forbidden, (await server.Client("dev-assessor").PostJsonAsync(corrections,
            new { target, field = "severity", value = "mild", reason = "x" })).StatusCode);

        var rows = await server.WithDbAsync(async db =>
        {
            var connection = db.Database.GetDbConnection();
            await db.Database.OpenConnectionAsync();
            try
            {
                await using var command = connection.CreateCommand();
                command.CommandText = "SELECT \"Field\", \"OldValue\", \"NewValue\", \"Reason\" FROM \"Corrections\" WHERE \"Target\" = @target ORDER BY \"CorrectedAt\", \"Field\"";
                var parameter = command.CreateParameter();
                (parameter.ParameterName, parameter.Value) = ("@target", target);
                command.Parameters.Add(parameter);
                var read = new List<(string, string, string, string)>();
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    read.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
                }

                return read;
            }
            finally
            {
                await db.Database.CloseConnectionAsync();
            }
        });
        Assert.Equal(
        [
            ("severity", "\"mild\"", "\"moderate\"", "severity misread"),
            ("serious", "[]", "[\"otherImportant\"]", "the GP called it an important medical event"),
            ("type", "\"adverseEvent\"", "\"seriousAdverseEvent\"", "the GP called it an important medical event"),
        ], rows);

        var e = Assert.Single(await EventsOfRecordAsync(id));
        Assert.Equal(("seriousAdverseEvent", "moderate", "headache"),
            (e.GetProperty("type").GetString(), e.GetProperty("severity").GetString(), e.GetProperty("description").GetString()));
        Assert.Equal(eventId, Assert.Single(await ListedAsync(trialId)).GetProperty("event").GetProperty("id").GetString());
        var record = await (await Coordinator.GetAsync($"/api/participants/{id}")).JsonAsync();
        Assert.Equal(3, record.GetProperty("corrections").EnumerateArray().Count(c => c.GetProperty("target").GetString() == target));
    }
}

[Collection(SqliteServerCollection.Name)]
public sealed class SafetyEventApiTests_Sqlite(SqliteTrialServer server) : SafetyEventApiTests(server);

[Collection(PostgresServerCollection.Name)]
public sealed class SafetyEventApiTests_Postgres(PostgresTrialServer server) : SafetyEventApiTests(server), IRunsOnPostgres;
