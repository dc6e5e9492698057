using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using TrialManager.Integration.Tests.Api;
using TrialManager.Integration.Tests.Harness;

namespace TrialManager.Integration.Tests.Corrections;

/// <summary>
/// Corrections, ineligibility after consent and data queries on the pages: each through the API's command, bad input
/// shown again with the API's message and nothing saved.
/// </summary>
public abstract partial class CorrectionPageTests(TrialServer server)
{
    private static async Task<HttpResponseMessage> PostFormAsync(HttpClient pages, string html, string path, Dictionary<string, string> fields)
    {
        fields["__RequestVerificationToken"] = WebUtility.HtmlDecode(TokenField().Match(html).Groups[1].Value);
        using var body = new FormUrlEncodedContent(fields);
        return await pages.PostAsync(new Uri(path, UriKind.Relative), body);
    }

    private async Task<JsonElement> ParticipantAsync(string id) => await (await server.Coordinator.GetAsync($"/api/participants/{id}")).JsonAsync();

    [ServerFact]
    public async Task Coordinator_CorrectsAScreeningAnswer_WithAReason_SeesOldAndNew_AndDeclaresIneligibleBeforeRandomization()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        var id = await TestTrials.FormulatedParticipantAsync(server, trialId);
        var pages = await PageSignIn.SignedInClientAsync(server, "dev-coordinator");
        var path = $"/participants/{id}";
        var page = await pages.GetStringAsync(new Uri(path, UriKind.Relative));
        Assert.Contains("No value of this record has been corrected.", page, StringComparison.Ordinal);
        Assert.Contains("handler=Ineligible", page, StringComparison.Ordinal);

        // No reason: the API's message on the reason field, the typed value kept, nothing corrected.
        var noReason = await PostFormAsync(pages, page, $"{path}?handler=Correct", new() { ["CorrectionField"] = "severity", ["CorrectionValue"] = "22" });
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        var refused = await noReason.Content.ReadAsStringAsync();
        Assert.Contains("id=\"err-correction-reason\"", refused, StringComparison.Ordinal);
        Assert.Contains("is required: why the value is corrected", refused, StringComparison.Ordinal);
        Assert.Contains("value=\"22\"", refused, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"err-reason\"", refused, StringComparison.Ordinal); // the withdrawal form stays closed
        // A value the Corrector refuses as at entry.
        var badValue = await PostFormAsync(pages, page, $"{path}?handler=Correct",
            new() { ["CorrectionField"] = "severity", ["CorrectionValue"] = "high", ["CorrectionReason"] = "typo" });
        Assert.Equal(HttpStatusCode.BadRequest, badValue.StatusCode);
        Assert.Contains("id=\"err-correction-value\"", await badValue.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var unchanged = await ParticipantAsync(id);
        Assert.Equal(15, unchanged.GetProperty("severity").GetInt32());
        Assert.Empty(unchanged.GetProperty("corrections").EnumerateArray());

        var corrected = await PostFormAsync(pages, page, $"{path}?handler=Correct",
            new() { ["CorrectionField"] = "severity", ["CorrectionValue"] = "22", ["CorrectionReason"] = "transcribed from the wrong form" });
        Assert.Equal(HttpStatusCode.Redirect, corrected.StatusCode);
        var record = await ParticipantAsync(id);
        Assert.Equal(22, record.GetProperty("severity").GetInt32());
        var correction = Assert.Single(record.GetProperty("corrections").EnumerateArray());
        var by = correction.GetProperty("correctedBy").GetString()!;
        page = await pages.GetStringAsync(new Uri(path, UriKind.Relative));
        Assert.Matches($"<tr><td>severity</td><td>15</td><td>22</td><td>{Regex.Escape(by)}</td><td>[0-9-]+ [0-9:]+ UTC</td><td>transcribed from the wrong form</td></tr>", page);

        // Ineligible after consent: the criterion is required; then the status and the criterion, and no form any more.
        var noCriterion = await PostFormAsync(pages, page, $"{path}?handler=Ineligible", new() { ["IneligibilityNote"] = "seen at the second interview" });
        Assert.Equal(HttpStatusCode.BadRequest, noCriterion.StatusCode);
        var noCriterionPage = await noCriterion.Content.ReadAsStringAsync();
        Assert.Contains("id=\"err-criterion\"", noCriterionPage, StringComparison.Ordinal);
        Assert.Contains("seen at the second interview", noCriterionPage, StringComparison.Ordinal);
        Assert.Equal("formulated", (await ParticipantAsync(id)).GetProperty("status").GetString());

        var declared = await PostFormAsync(pages, page, $"{path}?handler=Ineligible",
            new() { ["Criterion"] = "current psychosis", ["IneligibilityNote"] = "seen at the second interview" });
        Assert.Equal(HttpStatusCode.Redirect, declared.StatusCode);
        var ineligible = await ParticipantAsync(id);
        Assert.Equal(("ineligible", "current psychosis"),
            (ineligible.GetProperty("status").GetString(), ineligible.GetProperty("ineligibility").GetProperty("criterion").GetString()));
        page = await pages.GetStringAsync(new Uri(path, UriKind.Relative));
        Assert.Contains("Ineligible after consent on", page, StringComparison.Ordinal);
        Assert.DoesNotContain("handler=Ineligible", page, StringComparison.Ordinal);

        // A randomized participant has no such form: ineligibility found then is a correction, not this step.
        var randomized = await TestTrials.FormulatedParticipantAsync(server, trialId);
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Coordinator.PostJsonAsync($"/api/participants/{randomized}/randomization", null));
        Assert.DoesNotContain("handler=Ineligible", await pages.GetStringAsync(new Uri($"/participants/{randomized}", UriKind.Relative)), StringComparison.Ordinal);
    }

    private static readonly string Today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private HttpClient Therapist => server.Client("dev-therapist");

    /// <summary>A randomized participant of a new trial, in therapy with dev-therapist: session 1 held, a PHQ-9 and an adverse event.</summary>
    private async Task<(string TrialId, string Id)> InTherapyAsync()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Admin.PostJsonAsync($"/api/trials/{trialId}/therapists",
            new { code = "dev-therapist", site = "AAA", arms = new[] { "mediator", "moderator" } }));
        var id = (await Documents.DocumentSupport.RandomizedParticipantAsync(server, trialId)).GetProperty("participantId").GetString()!;
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await server.Coordinator.PostJsonAsync($"/api/participants/{id}/therapist", new { therapist = "dev-therapist" }));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created,
            await Therapist.PostJsonAsync($"/api/participants/{id}/sessions", new { number = 1, date = Today, attendance = "attended" }));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Coordinator.PostJsonAsync($"/api/participants/{id}/measures",
            new { instrument = "phq9", session = 1, completedOn = Today, items = Enumerable.Range(1, 9).ToDictionary(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture), _ => 1) }));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created,
            await server.Coordinator.PostJsonAsync($"/api/participants/{id}/events", TestEvents.Body("adverseEvent", Today, "headache after the session")));
        return (trialId, id);
    }

    private async Task<List<JsonElement>> TrailAsync(string trialId) =>
    [
        .. JsonDocument.Parse(await (await server.Admin.GetAsync($"/api/audit?limit=1000&trialId={trialId}")).Content.ReadAsStringAsync()).RootElement
            .EnumerateArray().Where(e => e.GetProperty("action").GetString() == "CorrectRecord"),
    ];

    [ServerFact]
    public async Task Coordinator_CorrectsARatingASessionAMeasureAndAnEvent_OnTheRecord_EachKeptWithItsOriginal_AndInTheAuditTrail()
    {
        var (trialId, id) = await InTherapyAsync();
        var record = await ParticipantAsync(id);
        var eventId = record.GetProperty("events")[0].GetProperty("id").GetString()!;
        var measureId = (await (await server.Coordinator.GetAsync($"/api/participants/{id}/measures")).JsonAsync())[0].GetProperty("id").GetString()!;
        var pages = await PageSignIn.SignedInClientAsync(server, "dev-coordinator");
        var path = $"/participants/{id}";
        var page = WebUtility.HtmlDecode(await pages.GetStringAsync(new Uri(path, UriKind.Relative)));
        // Every value the coordinator enters is offered, each with the value it holds now.
        Assert.Contains("<option value=\"rating:1/behavioral\">Rating 1 by R01: behavioral (0)</option>", page, StringComparison.Ordinal);
        Assert.Contains("<option value=\"session:1/attendance\">Session 1: attendance (attended)</option>", page, StringComparison.Ordinal);
        Assert.Contains($"<option value=\"measure:{measureId}/items.2\">phq9 (session 1): item 2 (1)</option>", page, StringComparison.Ordinal);
        Assert.Contains($"<option value=\"event:{eventId}/severity\">Event 1 (adverseEvent): severity</option>", page, StringComparison.Ordinal);

        // Refused as at entry: the API's message on the value, what was typed kept, nothing corrected.
        var refused = await PostFormAsync(pages, page, $"{path}?handler=Correct",
            new() { ["CorrectionField"] = $"event:{eventId}/severity", ["CorrectionValue"] = "huge", ["CorrectionReason"] = "graded again" });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var refusedPage = WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync());
        Assert.Contains("id=\"err-correction-value\"", refusedPage, StringComparison.Ordinal);
        Assert.Contains("must be one of mild, moderate, severe", refusedPage, StringComparison.Ordinal);
        Assert.Contains("value=\"huge\"", refusedPage, StringComparison.Ordinal);
        Assert.Empty((await ParticipantAsync(id)).GetProperty("corrections").EnumerateArray());

        foreach (var (chosen, value, reason) in new[]
        {
            ("rating:1/behavioral", "1", "the paper sheet was misread"),
            ("session:1/attendance", "cancelled", "cancelled by phone"),
            ($"measure:{measureId}/items.2", "3", "item 2 was ticked 3"),
            ($"event:{eventId}/severity", "moderate", "graded again at the review"),
        })
        {
            var corrected = await PostFormAsync(pages, page, $"{path}?handler=Correct",
                new() { ["CorrectionField"] = chosen, ["CorrectionValue"] = value, ["CorrectionReason"] = reason });
            Assert.Equal(HttpStatusCode.Redirect, corrected.StatusCode);
        }

        record = await ParticipantAsync(id);
        Assert.Equal(1, record.GetProperty("ratings")[0].GetProperty("scores").GetProperty("behavioral").GetInt32());
        Assert.Equal("cancelled", record.GetProperty("sessions")[0].GetProperty("attendance").GetString());
        Assert.Equal("moderate", record.GetProperty("events")[0].GetProperty("severity").GetString());
        Assert.Equal(3, (await (await server.Coordinator.GetAsync($"/api/participants/{id}/measures")).JsonAsync())[0].GetProperty("items").GetProperty("2").GetInt32());
        Assert.Equal(["rating:1", "session:1", $"measure:{measureId}", $"event:{eventId}"],
            record.GetProperty("corrections").EnumerateArray().Select(c => c.GetProperty("target").GetString()));

        // The record page shows each original beside its correction, who, when and why; the audit trail holds each with its reason.
        page = WebUtility.HtmlDecode(await pages.GetStringAsync(new Uri(path, UriKind.Relative)));
        foreach (var row in new[]
        {
            "<tr><td>rating:1 behavioral</td><td>0</td><td>1</td><td>dev-coordinator</td>",
            "<tr><td>session:1 attendance</td><td>\"attended\"</td><td>\"cancelled\"</td><td>dev-coordinator</td>",
            $"<tr><td>measure:{measureId} items.2</td><td>1</td><td>3</td><td>dev-coordinator</td>",
            $"<tr><td>event:{eventId} severity</td><td>\"mild\"</td><td>\"moderate\"</td><td>dev-coordinator</td>",
        })
        {
            Assert.Contains(row, page, StringComparison.Ordinal);
        }

        Assert.Contains("item 2 was ticked 3</td></tr>", page, StringComparison.Ordinal);
        var trail = await TrailAsync(trialId);
        Assert.Equal(4, trail.Count);
        foreach (var reason in new[] { "the paper sheet was misread", "cancelled by phone", "item 2 was ticked 3", "graded again at the review" })
        {
            Assert.Contains(trail, e => e.GetProperty("changes").GetString()!.Contains(reason, StringComparison.Ordinal));
        }
    }

    [ServerFact]
    public async Task Therapist_CorrectsTheirSessionAndTheirLog_OnTheirPage_SeesOldAndNew_AndAScreeningAnswerIsRefused()
    {
        var (trialId, id) = await InTherapyAsync();
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await Therapist.PostJsonAsync($"/api/participants/{id}/measures",
            new { instrument = "ruptureLog", session = 1, completedOn = Today, items = new Dictionary<string, int> { ["1"] = 1, ["2"] = 0, ["3"] = 1, ["4"] = 0, ["5"] = 2 } }));
        var log = (await (await server.Coordinator.GetAsync($"/api/participants/{id}/measures")).JsonAsync()).EnumerateArray()
            .Single(m => m.GetProperty("instrument").GetString() == "ruptureLog").GetProperty("id").GetString()!;
        var pages = await PageSignIn.SignedInClientAsync(server, "dev-therapist");
        var path = $"/therapists/me/participants/{id}";
        var page = WebUtility.HtmlDecode(await pages.GetStringAsync(new Uri(path, UriKind.Relative)));
        Assert.Contains("<option value=\"session:1/date\">", page, StringComparison.Ordinal);
        Assert.Contains($"<option value=\"measure:{log}/items.2\">ruptureLog (session 1): item 2 (0)</option>", page, StringComparison.Ordinal);
        Assert.DoesNotContain("/items.2\">phq9", page, StringComparison.Ordinal); // the participant's questionnaire is not theirs to correct here

        // A screening answer is the coordinator's: the API's 403 text, nothing corrected.
        var refused = await PostFormAsync(pages, page, $"{path}?handler=Correct",
            new() { ["CorrectionField"] = "severity", ["CorrectionValue"] = "20", ["CorrectionReason"] = "seemed higher" });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("does not correct it", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty((await ParticipantAsync(id)).GetProperty("corrections").EnumerateArray());

        foreach (var (chosen, value, reason) in new[] { ("session:1/attendance", "noShow", "the participant did not come"), ($"measure:{log}/items.2", "1", "it was a confrontation") })
        {
            var corrected = await PostFormAsync(pages, page, $"{path}?handler=Correct",
                new() { ["CorrectionField"] = chosen, ["CorrectionValue"] = value, ["CorrectionReason"] = reason });
            Assert.Equal(HttpStatusCode.Redirect, corrected.StatusCode);
        }

        var record = await ParticipantAsync(id);
        Assert.Equal("noShow", record.GetProperty("sessions")[0].GetProperty("attendance").GetString());
        Assert.Equal(["session:1", $"measure:{log}"], record.GetProperty("corrections").EnumerateArray().Select(c => c.GetProperty("target").GetString()));
        Assert.All(record.GetProperty("corrections").EnumerateArray(), c => Assert.Equal("dev-therapist", c.GetProperty("correctedBy").GetString()));
        // Their page shows both with the originals (nothing overwritten), and the trail holds both reasons.
        page = WebUtility.HtmlDecode(await pages.GetStringAsync(new Uri(path, UriKind.Relative)));
        Assert.Contains("<tr><td>session:1 attendance</td><td>\"attended\"</td><td>\"noShow\"</td><td>dev-therapist</td>", page, StringComparison.Ordinal);
        Assert.Contains($"<tr><td>measure:{log} items.2</td><td>0</td><td>1</td><td>dev-therapist</td>", page, StringComparison.Ordinal);
        Assert.Contains("it was a confrontation</td></tr>", page, StringComparison.Ordinal);
        var trail = await TrailAsync(trialId);
        Assert.Equal(2, trail.Count);
        Assert.Contains(trail, e => e.GetProperty("changes").GetString()!.Contains("the participant did not come", StringComparison.Ordinal));
    }

    private async Task<List<JsonElement>> QueriesAsync(string trialId, string status) =>
        [.. (await (await server.Statistician.GetAsync($"/api/trials/{trialId}/queries?status={status}")).JsonAsync()).EnumerateArray()];

    [ServerFact]
    public async Task Statistician_RaisesAQueryOnThePage_TheSitesCoordinatorSeesAndAnswersIt_EachOnlyWithTheirRole()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        var id = await TestTrials.FormulatedParticipantAsync(server, trialId);
        var elsewhere = await TestTrials.FormulatedParticipantAsync(server, trialId, site: "BBB");
        var path = $"/trials/{trialId}/queries";
        var statistician = await PageSignIn.SignedInClientAsync(server, "dev-statistician");
        var page = await statistician.GetStringAsync(new Uri(path, UriKind.Relative));
        Assert.Contains("Raise a query", page, StringComparison.Ordinal);
        Assert.DoesNotContain("handler=Answer", page, StringComparison.Ordinal);

        // Missing question, unknown participant: the messages on their fields, nothing raised.
        var noQuestion = await PostFormAsync(statistician, page, $"{path}?handler=Raise", new() { ["ParticipantId"] = id, ["Target"] = "participant", ["Field"] = "severity" });
        Assert.Equal(HttpStatusCode.BadRequest, noQuestion.StatusCode);
        Assert.Contains("is required: what the site should check", await noQuestion.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var unknown = await PostFormAsync(statistician, page, $"{path}?handler=Raise",
            new() { ["ParticipantId"] = "NOPE-999", ["Target"] = "participant", ["Field"] = "severity", ["Question"] = "?" });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("id=\"err-participantId\"", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var badField = await PostFormAsync(statistician, page, $"{path}?handler=Raise",
            new() { ["ParticipantId"] = id, ["Target"] = "participant", ["Field"] = "severty", ["Question"] = "?" });
        Assert.Equal(HttpStatusCode.BadRequest, badField.StatusCode);
        Assert.Contains("id=\"err-field\"", await badField.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(await QueriesAsync(trialId, "all"));

        foreach (var (participant, question) in new[] { (id, "Severity 15 is unusual: please check the source form."), (elsewhere, "Site BBB: please confirm.") })
        {
            var raised = await PostFormAsync(statistician, page, $"{path}?handler=Raise",
                new() { ["ParticipantId"] = participant, ["Target"] = "participant", ["Field"] = "severity", ["Question"] = question });
            Assert.Equal(HttpStatusCode.Redirect, raised.StatusCode);
        }

        var query = (await QueriesAsync(trialId, "open")).Single(q => q.GetProperty("participantId").GetString() == id);
        Assert.Equal(("severity", "dev-statistician"), (query.GetProperty("field").GetString(), query.GetProperty("raisedBy").GetString()));
        var queryId = query.GetProperty("id").GetString()!;

        // The coordinator limited to site AAA sees AAA's query only, and answers it; an empty answer is refused.
        var coordinator = await PageSignIn.SignedInClientAsync(server, SecurityTestSettings.SiteLimitedCoordinatorKey);
        var coordinatorPage = WebUtility.HtmlDecode(await coordinator.GetStringAsync(new Uri(path, UriKind.Relative)));
        Assert.Contains("Severity 15 is unusual: please check the source form.", coordinatorPage, StringComparison.Ordinal);
        Assert.DoesNotContain("Site BBB: please confirm.", coordinatorPage, StringComparison.Ordinal);
        Assert.DoesNotContain("Raise a query", coordinatorPage, StringComparison.Ordinal);
        var raisedByCoordinator = await PostFormAsync(coordinator, coordinatorPage, $"{path}?handler=Raise",
            new() { ["ParticipantId"] = id, ["Target"] = "participant", ["Field"] = "ageYears", ["Question"] = "?" });
        Assert.Equal(HttpStatusCode.Forbidden, raisedByCoordinator.StatusCode);
        var answeredByStatistician = await PostFormAsync(statistician, page, $"{path}?handler=Answer", new() { ["QueryId"] = queryId, ["Answer"] = "x" });
        Assert.Equal(HttpStatusCode.Forbidden, answeredByStatistician.StatusCode);

        var empty = await PostFormAsync(coordinator, coordinatorPage, $"{path}?handler=Answer", new() { ["QueryId"] = queryId, ["Answer"] = " " });
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Contains("is required: the site&#x27;s answer", await empty.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(2, (await QueriesAsync(trialId, "open")).Count);

        var answered = await PostFormAsync(coordinator, coordinatorPage, $"{path}?handler=Answer",
            new() { ["QueryId"] = queryId, ["Answer"] = "Checked against the source form: 15 is right." });
        Assert.Equal(HttpStatusCode.Redirect, answered.StatusCode);
        var closed = Assert.Single(await QueriesAsync(trialId, "answered"));
        Assert.Equal(("Checked against the source form: 15 is right.", "coordinator-aaa"),
            (closed.GetProperty("answer").GetString(), closed.GetProperty("answeredBy").GetString()));
        Assert.DoesNotContain("please check the source form", await coordinator.GetStringAsync(new Uri(path, UriKind.Relative)), StringComparison.Ordinal);
    }

    [ServerFact]
    public async Task Coordinator_AnswersAQueryWithTheCorrectedValue_InOneStep_OnTheQueriesPage_ABadValueChangesNothing()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        var id = await TestTrials.FormulatedParticipantAsync(server, trialId);
        var raised = await server.Statistician.PostJsonAsync($"/api/participants/{id}/queries",
            new { target = "participant", field = "severity", question = "Severity 15 does not match the source form." });
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, raised);
        var queryId = (await raised.JsonAsync()).GetProperty("id").GetString()!;
        var path = $"/trials/{trialId}/queries";
        async Task<int> SeverityAsync() => (await (await server.Coordinator.GetAsync($"/api/participants/{id}")).JsonAsync()).GetProperty("severity").GetInt32();

        var coordinator = await PageSignIn.SignedInClientAsync(server, "dev-coordinator");
        var page = await coordinator.GetStringAsync(new Uri(path, UriKind.Relative));
        Assert.Contains("name=\"CorrectionValue\"", page, StringComparison.Ordinal);

        // A value the correction refuses: the API's message on the page, the query still open, the value as it was.
        var bad = await PostFormAsync(coordinator, page, $"{path}?handler=Answer",
            new() { ["QueryId"] = queryId, ["Answer"] = "The source form says otherwise.", ["CorrectionValue"] = "5000" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("id=\"err-value\"", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(15, await SeverityAsync());
        Assert.Contains(await QueriesAsync(trialId, "open"), q => q.GetProperty("id").GetString() == queryId);

        var answered = await PostFormAsync(coordinator, page, $"{path}?handler=Answer",
            new() { ["QueryId"] = queryId, ["Answer"] = "The source form says 21.", ["CorrectionValue"] = "21" });
        Assert.Equal(HttpStatusCode.Redirect, answered.StatusCode);
        Assert.Equal(21, await SeverityAsync());
        var closed = Assert.Single(await QueriesAsync(trialId, "answered"));
        var correction = Assert.Single((await (await server.Coordinator.GetAsync($"/api/participants/{id}")).JsonAsync()).GetProperty("corrections").EnumerateArray());
        Assert.Equal(("severity", "The source form says 21.", queryId), (correction.GetProperty("field").GetString(), correction.GetProperty("reason").GetString(), correction.GetProperty("query").GetString()));
        Assert.Equal(correction.GetProperty("id").GetString(), closed.GetProperty("correction").GetString());
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}

[Collection(SqliteServerCollection.Name)]
public sealed class CorrectionPageTests_Sqlite(SqliteTrialServer server) : CorrectionPageTests(server);

[Collection(PostgresServerCollection.Name)]
public sealed class CorrectionPageTests_Postgres(PostgresTrialServer server) : CorrectionPageTests(server), IRunsOnPostgres;
