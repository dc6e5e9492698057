using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using TrialManager.Integration.Tests.Api;
using TrialManager.Integration.Tests.Documents;
using TrialManager.Integration.Tests.Harness;
using TrialManager.Integration.Tests.Visits;

namespace TrialManager.Integration.Tests.Measures;

/// <summary>
/// The participant's own questionnaires: a coordinator or therapist creates a single-use link, the participant answers
/// on the page /q/{token} without an account, and the answers are recorded like POST measures, once.
/// </summary>
public abstract partial class QuestionnaireLinkTests(TrialServer server)
{
    private static readonly string Today = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private HttpClient Therapist => server.Client("dev-therapist");

    /// <summary>A randomized participant treated by the demo therapist, sessions 1 and 2 held, 3 a no-show.</summary>
    private async Task<(string TrialId, string Id, string Arm)> InTherapyAsync(string? scheduledTrialId = null)
    {
        var trialId = scheduledTrialId ?? await TestTrials.CreateAsync(server, recruiting: true);
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Admin.PostJsonAsync($"/api/trials/{trialId}/therapists",
            new { code = "dev-therapist", site = "AAA", arms = new[] { "mediator", "moderator" } }));
        var allocation = await DocumentSupport.RandomizedParticipantAsync(server, trialId);
        var id = allocation.GetProperty("participantId").GetString()!;
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await server.Coordinator.PostJsonAsync($"/api/participants/{id}/therapist", new { therapist = "dev-therapist" }));
        foreach (var (number, attendance) in new[] { (1, "attended"), (2, "attended"), (3, "noShow") })
        {
            await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await Therapist.PostJsonAsync($"/api/participants/{id}/sessions", new { number, date = Today, attendance }));
        }

        return (trialId, id, allocation.GetProperty("arm").GetString()!);
    }

    private Task<string> LinkAsync(HttpClient client, string participantId, string instrument, int session) =>
        LinkAsync(client, participantId, new { instrument, session });

    private async Task<string> LinkAsync(HttpClient client, string participantId, object body)
    {
        var created = await client.PostJsonAsync($"/api/participants/{participantId}/questionnaire-links", body);
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, created);
        return (await created.JsonAsync()).GetProperty("url").GetString()!;
    }

    private HttpClient Phone() => QuestionnairePage.Phone(server);

    private static Task<(HttpResponseMessage Response, string Html)> AnswerAsync(HttpClient phone, string url, IReadOnlyDictionary<string, int> answers) =>
        QuestionnairePage.AnswerAsync(phone, url, answers);

    private static Dictionary<string, int> Answers(params int[] answers) => QuestionnairePage.Answers(answers);

    private async Task<JsonElement> MeasuresAsync(string id) => await (await server.Coordinator.GetAsync($"/api/participants/{id}/measures")).JsonAsync();

    [ServerFact]
    public async Task ALink_AnsweredOnThePhone_RecordsTheScoredMeasureOnce_WithItsAlert_AsTheLink()
    {
        var (trialId, id, arm) = await InTherapyAsync();
        var created = await server.Coordinator.PostJsonAsync($"/api/participants/{id}/questionnaire-links", new { instrument = "phq9", session = 1 });
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, created);
        var link = await created.JsonAsync();
        var url = link.GetProperty("url").GetString()!;
        Assert.Matches("^/q/[A-Za-z0-9_-]{43}$", url);
        Assert.InRange(link.GetProperty("expiresAt").GetDateTimeOffset(), DateTimeOffset.UtcNow.AddDays(7).AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(7).AddMinutes(5));
        Assert.False(created.Headers.Contains("Location"));

        // Only the token's SHA-256 is stored.
        var token = url["/q/".Length..];
        var stored = await server.WithDbAsync(db => db.QuestionnaireLinks.AsNoTracking().SingleAsync(l => l.ParticipantId == id));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token))), stored.TokenHash);
        Assert.DoesNotContain(token, JsonSerializer.Serialize(stored), StringComparison.Ordinal);

        // The page shows the items and their anchors, and nothing about the participant.
        var phone = Phone();
        var page = WebUtility.HtmlDecode(await (await phone.GetAsync(new Uri(url, UriKind.Relative))).Content.ReadAsStringAsync());
        Assert.Contains("Thoughts of self-harm", page, StringComparison.Ordinal);
        Assert.Contains("Almost every day", page, StringComparison.Ordinal);
        // Under the pages' strict content security policy: no inline script or style, no script at all.
        Assert.DoesNotContain("<script", page, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("style=", page, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<style", page, StringComparison.OrdinalIgnoreCase);
        // Random text (the form's antiforgery token, the style sheet's version) could hold any three letters by chance.
        var text = RandomValues().Replace(page, string.Empty);
        foreach (var secret in new[] { id, trialId, "AAA", "BBB", "dev-therapist", "dev-coordinator", "Session 1" })
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }

        foreach (var secret in new[] { arm, "mediator", "moderator", "cognitive", "interpersonal", "therapist" })
        {
            Assert.DoesNotContain(secret, text, StringComparison.OrdinalIgnoreCase);
        }

        var (answered, html) = await AnswerAsync(phone, url, Answers(2, 2, 1, 1, 2, 1, 1, 0, 1));
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Assert.Contains("Your answers are saved", html, StringComparison.Ordinal);

        // Scored and alerted exactly as POST measures does, recorded by the link.
        var measure = Assert.Single((await MeasuresAsync(id)).EnumerateArray());
        Assert.Equal("phq9", measure.GetProperty("instrument").GetString());
        Assert.Equal(1, measure.GetProperty("session").GetInt32());
        Assert.Equal(11, measure.GetProperty("scores").GetProperty("total").GetDouble());
        Assert.Equal("moderate", measure.GetProperty("band").GetString());
        Assert.Equal(Today, measure.GetProperty("completedOn").GetString());
        Assert.StartsWith("questionnaire-link:", measure.GetProperty("recordedBy").GetString(), StringComparison.Ordinal);
        Assert.Equal("selfHarm", Assert.Single(measure.GetProperty("alerts").EnumerateArray()).GetProperty("rule").GetString());
        var alerts = await (await server.Coordinator.GetAsync($"/api/trials/{trialId}/alerts")).JsonAsync();
        Assert.Equal(measure.GetProperty("id").GetString(), Assert.Single(alerts.EnumerateArray()).GetProperty("measureId").GetString());

        // Audited as the link, in one event with the measure, its alert and the link's use.
        var trail = await (await server.Admin.GetAsync($"/api/audit?trialId={trialId}&limit=1000")).JsonAsync();
        var answeredEvent = Assert.Single(trail.EnumerateArray(), e => e.GetProperty("action").GetString() == "AnswerQuestionnaire");
        Assert.Equal(measure.GetProperty("recordedBy").GetString(), answeredEvent.GetProperty("actor").GetString());
        Assert.Equal("questionnaireLink", answeredEvent.GetProperty("role").GetString());
        Assert.Contains(trail.EnumerateArray(), e => e.GetProperty("action").GetString() == "CreateQuestionnaireLink" && e.GetProperty("actor").GetString() == "dev-coordinator");

        // Used: the same polite refusal, whether posted again or opened again, and nothing more is recorded.
        var again = await phone.PostAsync(new Uri(url, UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string> { ["item-1"] = "0" }));
        Assert.NotEqual(HttpStatusCode.OK, again.StatusCode);
        var reopened = await Phone().GetAsync(new Uri(url, UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, reopened.StatusCode);
        Assert.Contains("This link cannot be used", await reopened.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Single((await MeasuresAsync(id)).EnumerateArray());
    }

    [ServerFact]
    public async Task AMissingAnswer_IsAskedForAgain_WithTheOthersKept_AndNothingIsSaved()
    {
        var (_, id, _) = await InTherapyAsync();
        var url = await LinkAsync(Therapist, id, "alliance12", 2);
        var answers = Enumerable.Range(1, 12).ToDictionary(i => i.ToString(CultureInfo.InvariantCulture), i => 1 + (i % 5));
        answers.Remove("7");
        var phone = Phone();

        var (response, html) = await AnswerAsync(phone, url, answers);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Nothing was saved", html, StringComparison.Ordinal);
        Assert.Matches("id=\"err-item-7\"[^>]*>\\s*<li>Please choose an answer.</li>", html);
        Assert.Contains("name=\"item-8\" value=\"4\" checked", html, StringComparison.Ordinal);
        Assert.Empty((await MeasuresAsync(id)).EnumerateArray());

        // A value off the scale (a forged form) is refused the same way; each answer goes from the page shown before it.
        answers["7"] = 9;
        (response, html) = await QuestionnairePage.PostAsync(phone, url, html, answers);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("id=\"err-item-7\"", html, StringComparison.Ordinal);
        Assert.Empty((await MeasuresAsync(id)).EnumerateArray());

        answers["7"] = 3;
        (response, _) = await QuestionnairePage.PostAsync(phone, url, html, answers);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var measure = Assert.Single((await MeasuresAsync(id)).EnumerateArray());
        Assert.Equal("alliance12", measure.GetProperty("instrument").GetString());
        Assert.Equal(2, measure.GetProperty("session").GetInt32());
        Assert.Equal(JsonValueKind.Number, measure.GetProperty("scores").GetProperty("bond").ValueKind);
    }

    [ServerFact]
    public async Task ExpiredUsedAndUnknownLinks_GetTheSamePoliteRefusal()
    {
        var (_, id, _) = await InTherapyAsync();
        var expired = await LinkAsync(server.Coordinator, id, "gad7", 1);
        await server.WithDbAsync(db => db.QuestionnaireLinks.Where(l => l.ParticipantId == id)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.ExpiresAt, DateTimeOffset.UtcNow.AddMinutes(-1))));
        var used = await LinkAsync(server.Coordinator, id, "gad7", 2);
        Assert.Equal(HttpStatusCode.OK, (await AnswerAsync(Phone(), used, Answers(0, 1, 2, 3, 0, 1, 2))).Response.StatusCode);

        var refusals = new List<string>();
        foreach (var url in new[] { expired, used, "/q/" + new string('A', 43), "/q/x", "/q/" + new string('z', 500), "/q/%20" })
        {
            var response = await Phone().GetAsync(new Uri(url, UriKind.Relative));
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
            refusals.Add(await response.Content.ReadAsStringAsync());
        }

        Assert.Single(refusals.Distinct());
        Assert.Contains("This link cannot be used", refusals[0], StringComparison.Ordinal);
        Assert.Equal(["gad7"], (await MeasuresAsync(id)).EnumerateArray().Select(m => m.GetProperty("instrument").GetString()));
    }

    [ServerFact]
    public async Task TheForm_WithoutItsAntiforgeryToken_IsRefused_AndSavesNothing()
    {
        var (_, id, _) = await InTherapyAsync();
        var url = await LinkAsync(server.Coordinator, id, "phq9", 2);
        var phone = Phone();
        Assert.Equal(HttpStatusCode.OK, (await phone.GetAsync(new Uri(url, UriKind.Relative))).StatusCode);
        var fields = Answers(0, 0, 0, 0, 0, 0, 0, 0, 0).ToDictionary(a => "item-" + a.Key, a => a.Value.ToString(CultureInfo.InvariantCulture));

        var forged = await phone.PostAsync(new Uri(url, UriKind.Relative), new FormUrlEncodedContent(fields));

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Empty((await MeasuresAsync(id)).EnumerateArray());
        Assert.Equal(HttpStatusCode.OK, (await AnswerAsync(phone, url, Answers(0, 0, 0, 0, 0, 0, 0, 0, 0))).Response.StatusCode);
    }

    [ServerFact]
    public async Task CreatingALink_IsCheckedLikeRecordingTheMeasure()
    {
        var (trialId, id, _) = await InTherapyAsync();
        var path = $"/api/participants/{id}/questionnaire-links";

        (await ProblemAssertions.Assert400Async(await server.Coordinator.PostJsonAsync(path, new { instrument = "phq10", session = 1 }))).AssertNames("instrument");
        // Forms the therapist or a rater fills in are not the participant's.
        foreach (var instrument in new[] { "ruptureLog", "techniqueDose", "fidelity-cognitive" })
        {
            (await ProblemAssertions.Assert400Async(await server.Coordinator.PostJsonAsync(path, new { instrument, session = 1 }))).AssertNames("instrument");
        }

        (await ProblemAssertions.Assert400Async(await server.Coordinator.PostJsonAsync(path, new { instrument = "phq9" }))).AssertNames("session");
        (await ProblemAssertions.Assert400Async(await server.Coordinator.PostJsonAsync(path, new { instrument = "phq9", session = 0 }))).AssertNames("session");
        (await ProblemAssertions.Assert400Async(await server.Coordinator.PostJsonAsync(path, new { instrument = "phq9", visit = "followUp3m", session = 1 }))).AssertNames("visit");
        (await ProblemAssertions.Assert400Async(await server.Coordinator.PostJsonAsync(path, new { instrument = "phq9", session = 1, participant = "x" }))).AssertNames("participant");
        await ProblemAssertions.AssertConflictNamingAsync(await server.Coordinator.PostJsonAsync(path, new { instrument = "phq9", session = 5 }), "Session 5 is not recorded");
        await ProblemAssertions.AssertConflictNamingAsync(await server.Coordinator.PostJsonAsync(path, new { instrument = "phq9", session = 3 }), "noShow");
        Assert.Equal(HttpStatusCode.Forbidden, (await server.Statistician.PostJsonAsync(path, new { instrument = "phq9", session = 1 })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await server.Client("dev-rater").PostJsonAsync(path, new { instrument = "phq9", session = 1 })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Coordinator.PostJsonAsync("/api/participants/nobody-0001/questionnaire-links", new { instrument = "phq9", session = 1 })).StatusCode);

        // Not yet randomized; not the therapist's participant; another site's coordinator.
        var formulated = await TestTrials.FormulatedParticipantAsync(server, trialId);
        await ProblemAssertions.AssertConflictNamingAsync(
            await server.Coordinator.PostJsonAsync($"/api/participants/{formulated}/questionnaire-links", new { instrument = "phq9", session = 1 }), "formulated");
        Assert.Equal(HttpStatusCode.NotFound, (await Therapist.PostJsonAsync($"/api/participants/{formulated}/questionnaire-links", new { instrument = "phq9", session = 1 })).StatusCode);
        var elsewhere = (await DocumentSupport.RandomizedParticipantAsync(server, trialId, site: "BBB")).GetProperty("participantId").GetString()!;
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client(SecurityTestSettings.SiteLimitedCoordinatorKey)
            .PostJsonAsync($"/api/participants/{elsewhere}/questionnaire-links", new { instrument = "phq9", session = 1 })).StatusCode);
        Assert.Empty(await server.WithDbAsync(db => db.QuestionnaireLinks.Where(l => l.ParticipantId == id || l.ParticipantId == formulated).ToListAsync()));

        // The therapist links their own participant; once answered, no second link for that instrument and session.
        var url = await LinkAsync(Therapist, id, "phq9", 1);
        Assert.Equal(HttpStatusCode.OK, (await AnswerAsync(Phone(), url, Answers(0, 0, 0, 0, 0, 0, 0, 0, 0))).Response.StatusCode);
        await ProblemAssertions.AssertConflictNamingAsync(await Therapist.PostJsonAsync(path, new { instrument = "phq9", session = 1 }), "already recorded");

        // An open link dies with the participant's withdrawal.
        var open = await LinkAsync(server.Coordinator, id, "phq9", 2);
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await server.Coordinator.PostJsonAsync($"/api/participants/{id}/withdrawal", new { category = "withdrewConsent", reason = "test" }));
        Assert.Equal(HttpStatusCode.NotFound, (await Phone().GetAsync(new Uri(open, UriKind.Relative))).StatusCode);
        await ProblemAssertions.AssertConflictNamingAsync(await server.Coordinator.PostJsonAsync(path, new { instrument = "phq9", session = 2 }), "withdrawn");
    }

    [ServerFact]
    public async Task ACoordinatorsVisitLink_AnsweredOnThePhone_RecordsTheVisitMeasure_ThatTheBlindAssessorSees()
    {
        var (trialId, id, arm) = await InTherapyAsync(await VisitApiTests.ScheduledTrialAsync(server));
        var path = $"/api/participants/{id}/questionnaire-links";

        // The therapist knows the arm: the blind outcome visits are not theirs to link.
        var forbidden = await Therapist.PostJsonAsync(path, new { instrument = "phq9", visit = "week4" });
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        (await ProblemAssertions.Assert400Async(await server.Coordinator.PostJsonAsync(path, new { instrument = "phq9", visit = "week5" }))).AssertNames("visit");
        (await ProblemAssertions.Assert400Async(await server.Coordinator.PostJsonAsync(path, new { instrument = "phq9", visit = "" }))).AssertNames("visit");
        (await ProblemAssertions.Assert400Async(await server.Coordinator.PostJsonAsync(path, new { instrument = "alliance12", visit = "week4" }))).AssertNames("instrument");
        (await ProblemAssertions.Assert400Async(await server.Coordinator.PostJsonAsync(path, new { instrument = "ruptureLog", visit = "week4" }))).AssertNames("instrument");
        Assert.Empty(await server.WithDbAsync(db => db.QuestionnaireLinks.Where(l => l.ParticipantId == id).ToListAsync()));

        var url = await LinkAsync(server.Coordinator, id, new { instrument = "gad7", visit = "week4" });
        var phone = Phone();
        var page = RandomValues().Replace(WebUtility.HtmlDecode(await (await phone.GetAsync(new Uri(url, UriKind.Relative))).Content.ReadAsStringAsync()), string.Empty);
        foreach (var secret in new[] { id, trialId, "AAA", "week4", "dev-coordinator", arm, "therapist" })
        {
            Assert.DoesNotContain(secret, page, StringComparison.OrdinalIgnoreCase);
        }

        Assert.Equal(HttpStatusCode.OK, (await AnswerAsync(phone, url, Answers(0, 1, 2, 3, 0, 1, 2))).Response.StatusCode);

        var seen = await server.Client("dev-assessor").GetAsync($"/api/participants/{id}/measures");
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, seen);
        var measure = Assert.Single((await seen.JsonAsync()).EnumerateArray());
        Assert.Equal(("gad7", "week4"), (measure.GetProperty("instrument").GetString(), measure.GetProperty("visit").GetString()));
        Assert.StartsWith("questionnaire-link:", measure.GetProperty("recordedBy").GetString(), StringComparison.Ordinal);
        Assert.Equal(Today, measure.GetProperty("completedOn").GetString());
        await ProblemAssertions.AssertConflictNamingAsync(
            await server.Coordinator.PostJsonAsync(path, new { instrument = "gad7", visit = "week4" }), "already recorded for visit week4");

        // A trial without a schedule has no visits to link.
        var (_, plain, _) = await InTherapyAsync();
        (await ProblemAssertions.Assert400Async(await server.Coordinator.PostJsonAsync(
            $"/api/participants/{plain}/questionnaire-links", new { instrument = "phq9", visit = "week4" }))).AssertNames("visit");
    }

    [ServerFact]
    public async Task RefusedLinks_AreLimitedPerAddress_LikeSignIn()
    {
        var (_, id, _) = await InTherapyAsync();
        var url = await LinkAsync(server.Coordinator, id, "phq9", 1);
        var phone = PageSignIn.Client(server, "198.51.100.61");
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 21; i++)
        {
            statuses.Add((await phone.GetAsync(new Uri($"/q/guess-{i}", UriKind.Relative))).StatusCode);
        }

        var valid = await phone.GetAsync(new Uri(url, UriKind.Relative));
        var fromElsewhere = await PageSignIn.Client(server, "198.51.100.62").GetAsync(new Uri(url, UriKind.Relative));

        Assert.All(statuses.Take(20), s => Assert.Equal(HttpStatusCode.NotFound, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[20]);
        Assert.Equal(HttpStatusCode.TooManyRequests, valid.StatusCode);
        Assert.NotNull(valid.Headers.RetryAfter?.Delta);
        Assert.DoesNotContain("Thoughts of self-harm", await valid.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, fromElsewhere.StatusCode);
    }

    [GeneratedRegex("value=\"[^\"]{40,}\"|\\?v=[^\"]+")]
    private static partial Regex RandomValues();
}

[Collection(SqliteServerCollection.Name)]
public sealed class QuestionnaireLinkTests_Sqlite(SqliteTrialServer server) : QuestionnaireLinkTests(server);

[Collection(PostgresServerCollection.Name)]
public sealed class QuestionnaireLinkTests_Postgres(PostgresTrialServer server) : QuestionnaireLinkTests(server), IRunsOnPostgres;
