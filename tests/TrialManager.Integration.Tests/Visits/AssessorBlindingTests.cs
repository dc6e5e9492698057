using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using TrialManager.Integration.Tests.Api;
using TrialManager.Integration.Tests.Documents;
using TrialManager.Integration.Tests.Harness;
using TrialManager.Integration.Tests.Security;

namespace TrialManager.Integration.Tests.Visits;

/// <summary>
/// An assessor is blind to the arm: every answer they can get (API routes, their error answers, the pages) is
/// collected and searched for an arm code, a stratum, a sequence, a therapist or a protocol cell.
/// </summary>
public abstract partial class AssessorBlindingTests(TrialServer server)
{
    private const string Key = "dev-assessor";

    [ServerFact]
    public async Task Assessor_LearnsNoArm_FromAnyRoute_AnyErrorOrAnyPage()
    {
        var trialId = await VisitApiTests.ScheduledTrialAsync(server);
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Admin.PostJsonAsync($"/api/trials/{trialId}/therapists",
            new { code = "dev-therapist", site = "AAA", arms = new[] { "mediator", "moderator" } }));
        var allocation = await DocumentSupport.RandomizedParticipantAsync(server, trialId);
        var id = allocation.GetProperty("participantId").GetString()!;
        var stratum = allocation.GetProperty("stratum").GetString()!;
        var today = DateOnly.FromDateTime(DateTime.UtcNow).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        // The therapy side leaves its traces: a therapist, a session, the therapist's log and a fidelity rating.
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await server.Coordinator.PostJsonAsync($"/api/participants/{id}/therapist", new { therapist = "dev-therapist" }));
        var therapist = server.Client("dev-therapist");
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await therapist.PostJsonAsync($"/api/participants/{id}/sessions", new { number = 1, date = today, attendance = "attended" }));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Coordinator.PostJsonAsync($"/api/participants/{id}/measures",
            new { instrument = "phq9", session = 1, completedOn = today, items = Enumerable.Range(1, 9).ToDictionary(i => $"{i}", _ => 1) }));

        var assessor = server.Client(Key);
        var answers = new List<(string Request, HttpResponseMessage Response)>();
        async Task<HttpResponseMessage> Send(string method, string path, object? body)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (body is not null)
            {
                request.Content = new StringContent(body as string ?? JsonSerializer.Serialize(body, TrialServer.Json), Encoding.UTF8, "application/json");
            }

            var response = await assessor.SendAsync(request);
            answers.Add(($"{method} {path}", response));
            return response;
        }

        // Every API route, with a real trial and participant, with an empty body, and with an unknown id.
        foreach (var row in AuthorizationMatrixTests.Matrix.Where(r => r.NoKey is not (AuthorizationMatrixTests.Expect.Allowed or AuthorizationMatrixTests.Expect.SignIn)))
        {
            var method = row.Method == "*" ? "GET" : row.Method;
            var body = method == "POST" ? "{}" : null;
            await Send(method, AuthorizationMatrixTests.Concrete(row.Pattern, trialId, id), body);
            await Send(method, AuthorizationMatrixTests.Concrete(row.Pattern, "no-such-trial", "no-such-participant"), body);
        }

        // What an assessor does, and the mistakes they can make.
        var measures = $"/api/participants/{id}/measures";
        var recorded = await Send("POST", measures, new { instrument = "phq9", visit = "baseline", completedOn = today, items = Enumerable.Range(1, 9).ToDictionary(i => $"{i}", _ => 3) });
        Assert.Equal(HttpStatusCode.Created, recorded.StatusCode);
        await Send("POST", measures, new { instrument = "phq9", visit = "baseline", completedOn = today, items = Enumerable.Range(1, 9).ToDictionary(i => $"{i}", _ => 3) });
        await Send("POST", measures, new { instrument = "gad7", visit = "week9", completedOn = today, items = new { a = 1 } });
        await Send("POST", measures, new { instrument = "ruptureLog", visit = "baseline", completedOn = today, items = new Dictionary<string, int> { ["1"] = 1 } });
        await Send("POST", measures, new { instrument = "phq9", session = 1, completedOn = today, items = new Dictionary<string, int> { ["1"] = 1 } });
        await Send("POST", measures, new { instrument = "phq9", session = 1, visit = "baseline", weeks = 3, completedOn = today, items = new Dictionary<string, int> { ["1"] = 1 } });
        await Send("GET", measures, null);
        // Corrections: of their visit measure, and refused on the session's measure (a 403 that names no arm).
        var visitMeasure = (await recorded.JsonAsync()).GetProperty("id").GetString()!;
        var sessionMeasure = (await (await server.Coordinator.GetAsync(measures)).JsonAsync()).EnumerateArray()
            .Single(m => m.GetProperty("session").ValueKind == JsonValueKind.Number).GetProperty("id").GetString()!;
        var corrections = $"/api/participants/{id}/corrections";
        Assert.Equal(HttpStatusCode.Created, (await Send("POST", corrections, new { target = $"measure:{visitMeasure}", field = "items.1", value = 2, reason = "misread the form" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Send("POST", corrections, new { target = $"measure:{sessionMeasure}", field = "items.1", value = 2, reason = "x" })).StatusCode);
        // Guesses: a code that is no arm of the trial, and one before the last visit; neither answer lists the arms.
        var guess = $"/api/participants/{id}/blinding-guess";
        Assert.Equal(HttpStatusCode.BadRequest, (await Send("POST", guess, new { guess = "placebo" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Send("POST", guess, new { guess = "comparator" })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await Send("POST", guess, new { guess = "dontKnow" })).StatusCode);
        await Send("POST", $"/api/participants/{id}/unblinding", new { reason = "" });
        await Send("GET", $"/api/trials/{trialId}/blinding", null);
        await Send("GET", $"/api/participants/{id}/protocol-document", null);
        await Send("GET", $"/api/trials/{trialId}/visits/due?site=AAA", null);
        await Send("GET", $"/api/trials/{trialId}/visits/due?status=nonsense", null);
        await Send("GET", "/api/instruments?limit=1000", null);
        foreach (var code in new[] { "phq9", "gad7", "alliance12", "ruptureLog", "techniqueDose", "fidelity-cognitive", "fidelity-interpersonal" })
        {
            await Send("GET", $"/api/instruments/{code}", null);
        }

        Assert.Equal(HttpStatusCode.Forbidden, answers.First(a => a.Request == $"GET /api/participants/{id}/protocol-document").Response.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, answers.First(a => a.Request == $"GET /api/participants/{id}").Response.StatusCode);
        var own = await (await assessor.GetAsync(measures)).JsonAsync();
        Assert.Equal("baseline", Assert.Single(own.EnumerateArray()).GetProperty("visit").GetString());

        var texts = new List<(string Request, string Text)>();
        foreach (var (request, response) in answers)
        {
            Assert.True((int)response.StatusCode < 500, $"{request}: {(int)response.StatusCode}");
            texts.Add((request, response.Headers + "\n" + response.Content.Headers + "\n" + await response.Content.ReadAsStringAsync()));
        }

        // The pages an assessor can sign in to.
        var pages = await PageSignIn.SignedInClientAsync(server, Key);
        foreach (var row in AuthorizationMatrixTests.Matrix.Where(r => r.Method == "*" && r.NoKey == AuthorizationMatrixTests.Expect.SignIn && r.Pattern != "/signout"))
        {
            var path = AuthorizationMatrixTests.Concrete(row.Pattern, trialId, id);
            var response = await pages.GetAsync(new Uri(path, UriKind.Relative));
            texts.Add(($"page {path}", response.Headers + "\n" + await response.Content.ReadAsStringAsync()));
        }

        // The visits page with the correction form of this participant's visit measures and the assessor's correction.
        var correctingPath = $"/trials/{trialId}/visits?correct={id}";
        var correcting = await pages.GetAsync(new Uri(correctingPath, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, correcting.StatusCode);
        var correctingText = await correcting.Content.ReadAsStringAsync();
        Assert.Contains("misread the form", correctingText, StringComparison.Ordinal);
        texts.Add(($"page {correctingPath}", correcting.Headers + "\n" + correctingText));

        // The assessor's own page shows the due list (the baseline visit, half recorded), not an error.
        var duePage = texts.Single(t => t.Request == $"page /trials/{trialId}/visits").Text;
        Assert.Contains(id, duePage, StringComparison.Ordinal);
        Assert.Contains("visit baseline", duePage, StringComparison.Ordinal);

        string[] secrets = ["mediator", "moderator", "comparator", "dev-therapist", stratum, "\"stratum\"", "\"sequence\"", "\"arm\"", "\"arms\":[", "\"allocation\"", "\"hypothesis\":{"];
        var leaks = texts.SelectMany(t => secrets.Where(s => t.Text.Contains(s, StringComparison.OrdinalIgnoreCase)).Select(s => $"{t.Request} carries {s}: {t.Text[..Math.Min(400, t.Text.Length)]}")).ToList();
        Assert.True(leaks.Count == 0, string.Join(Environment.NewLine, leaks));
    }

    [ServerFact]
    public async Task Assessor_UnblindsOnTheDuePage_TheArmOnlyInThatAnswer_AndARefusedStepOrGuessNamesNoArm()
    {
        var trialId = await VisitApiTests.ScheduledTrialAsync(server);
        var allocation = await DocumentSupport.RandomizedParticipantAsync(server, trialId);
        var id = allocation.GetProperty("participantId").GetString()!;
        var arm = allocation.GetProperty("arm").GetString()!;
        string[] arms = ["mediator", "moderator", "comparator"];
        var pages = await PageSignIn.SignedInClientAsync(server, Key);
        var path = $"/trials/{trialId}/visits";
        var page = await pages.GetStringAsync(new Uri(path, UriKind.Relative));
        Assert.Contains("handler=Unblind", page, StringComparison.Ordinal);
        Assert.Contains("not yet (at the last visit)", page, StringComparison.Ordinal); // only the baseline is due
        Assert.DoesNotContain("handler=Guess", page, StringComparison.Ordinal);
        var coordinatorPage = await (await PageSignIn.SignedInClientAsync(server, "dev-coordinator")).GetStringAsync(new Uri(path, UriKind.Relative));
        Assert.DoesNotContain("handler=Unblind", coordinatorPage, StringComparison.Ordinal);

        async Task<HttpResponseMessage> PostAsync(string handler, Dictionary<string, string> fields)
        {
            fields["ParticipantId"] = id;
            fields["__RequestVerificationToken"] = WebUtility.HtmlDecode(TokenField().Match(page).Groups[1].Value);
            using var body = new FormUrlEncodedContent(fields);
            return await pages.PostAsync(new Uri($"{path}?handler={handler}", UriKind.Relative), body);
        }

        // No reason: the API's message, no arm, nothing recorded. A guess before the last visit: the API's conflict, no arm.
        var noReason = await PostAsync("Unblind", new() { ["Reason"] = " " });
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        var noReasonPage = await noReason.Content.ReadAsStringAsync();
        Assert.Contains("is required: why the arm must be revealed", noReasonPage, StringComparison.Ordinal);
        var early = await PostAsync("Guess", new() { ["Guess"] = "dontKnow" });
        Assert.Equal(HttpStatusCode.BadRequest, early.StatusCode);
        var earlyPage = await early.Content.ReadAsStringAsync();
        Assert.Contains("the guess is made at the last visit, not before", earlyPage, StringComparison.Ordinal);
        foreach (var refused in new[] { noReasonPage, earlyPage })
        {
            Assert.DoesNotContain(arms, a => refused.Contains(a, StringComparison.OrdinalIgnoreCase));
        }

        var unblinded = await PostAsync("Unblind", new() { ["Reason"] = "serious adverse event: the treating physician needs the arm" });
        Assert.Equal(HttpStatusCode.OK, unblinded.StatusCode);
        Assert.Contains($"the arm is <strong>{arm}</strong>", await unblinded.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var summary = await (await server.Client("dev-dsmb").GetAsync($"/api/trials/{trialId}/blinding")).JsonAsync();
        Assert.Contains("serious adverse event: the treating physician needs the arm", summary.GetRawText(), StringComparison.Ordinal);
        // The next page the assessor opens is blind again.
        var after = await pages.GetStringAsync(new Uri(path, UriKind.Relative));
        Assert.DoesNotContain(arms, a => after.Contains(a, StringComparison.OrdinalIgnoreCase));
    }

    [ServerFact]
    public async Task Assessor_CorrectsTheirVisitMeasure_OnTheVisitsPage_SeesOldAndNew_AndASessionMeasureIsRefusedWithNoArm()
    {
        var trialId = await VisitApiTests.ScheduledTrialAsync(server);
        var id = (await DocumentSupport.RandomizedParticipantAsync(server, trialId)).GetProperty("participantId").GetString()!;
        var today = DateOnly.FromDateTime(DateTime.UtcNow).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var assessor = server.Client(Key);
        var measures = $"/api/participants/{id}/measures";
        var recorded = await assessor.PostJsonAsync(measures, new { instrument = "phq9", visit = "baseline", completedOn = today, items = Enumerable.Range(1, 9).ToDictionary(i => $"{i}", _ => 1) });
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, recorded);
        var visitMeasure = (await recorded.JsonAsync()).GetProperty("id").GetString()!;
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Admin.PostJsonAsync($"/api/trials/{trialId}/therapists",
            new { code = "dev-therapist", site = "AAA", arms = new[] { "mediator", "moderator" } }));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await server.Coordinator.PostJsonAsync($"/api/participants/{id}/therapist", new { therapist = "dev-therapist" }));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created,
            await server.Client("dev-therapist").PostJsonAsync($"/api/participants/{id}/sessions", new { number = 1, date = today, attendance = "attended" }));
        var atSession = await server.Coordinator.PostJsonAsync(measures, new { instrument = "phq9", session = 1, completedOn = today, items = Enumerable.Range(1, 9).ToDictionary(i => $"{i}", _ => 1) });
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, atSession);
        var sessionMeasure = (await atSession.JsonAsync()).GetProperty("id").GetString()!;

        string[] arms = ["mediator", "moderator", "comparator", "dev-therapist"];
        var pages = await PageSignIn.SignedInClientAsync(server, Key);
        var path = $"/trials/{trialId}/visits";
        var page = WebUtility.HtmlDecode(await pages.GetStringAsync(new Uri($"{path}?correct={id}", UriKind.Relative)));
        Assert.Contains($"<option value=\"measure:{visitMeasure}/items.1\">phq9 (visit baseline): item 1 (1)</option>", page, StringComparison.Ordinal);
        Assert.DoesNotContain(sessionMeasure, page, StringComparison.Ordinal); // the session's measure is not offered
        Assert.DoesNotContain(arms, a => page.Contains(a, StringComparison.OrdinalIgnoreCase));

        async Task<HttpResponseMessage> PostAsync(Dictionary<string, string> fields)
        {
            fields["CorrectionParticipantId"] = id;
            fields["__RequestVerificationToken"] = WebUtility.HtmlDecode(TokenField().Match(page).Groups[1].Value);
            using var body = new FormUrlEncodedContent(fields);
            return await pages.PostAsync(new Uri($"{path}?handler=Correct", UriKind.Relative), body);
        }

        // The session's measure: the API's 403 text, no arm, nothing corrected; no reason: the API's message on its field.
        var refused = await PostAsync(new() { ["CorrectionField"] = $"measure:{sessionMeasure}/items.1", ["CorrectionValue"] = "2", ["CorrectionReason"] = "x" });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var refusedPage = await refused.Content.ReadAsStringAsync();
        Assert.Contains("does not correct it", refusedPage, StringComparison.Ordinal);
        Assert.DoesNotContain(arms, a => refusedPage.Contains(a, StringComparison.OrdinalIgnoreCase));
        var noReason = await PostAsync(new() { ["CorrectionField"] = $"measure:{visitMeasure}/items.1", ["CorrectionValue"] = "2" });
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.Contains("id=\"err-correction-reason\"", await noReason.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty((await (await server.Coordinator.GetAsync($"/api/participants/{id}")).JsonAsync()).GetProperty("corrections").EnumerateArray());

        var corrected = await PostAsync(new() { ["CorrectionField"] = $"measure:{visitMeasure}/items.1", ["CorrectionValue"] = "2", ["CorrectionReason"] = "item 1 was ticked 2" });
        Assert.Equal(HttpStatusCode.Redirect, corrected.StatusCode);
        var record = await (await server.Coordinator.GetAsync($"/api/participants/{id}")).JsonAsync();
        var correction = Assert.Single(record.GetProperty("corrections").EnumerateArray());
        Assert.Equal(($"measure:{visitMeasure}", "items.1", Key), (correction.GetProperty("target").GetString(), correction.GetProperty("field").GetString(), correction.GetProperty("correctedBy").GetString()));
        Assert.Equal(2, (await (await assessor.GetAsync(measures)).JsonAsync())[0].GetProperty("items").GetProperty("1").GetInt32());
        page = WebUtility.HtmlDecode(await pages.GetStringAsync(new Uri($"{path}?correct={id}", UriKind.Relative)));
        Assert.Contains($"<tr><td>measure:{visitMeasure} items.1</td><td>1</td><td>2</td><td>{Key}</td>", page, StringComparison.Ordinal);
        Assert.Contains("item 1 was ticked 2</td></tr>", page, StringComparison.Ordinal);
        Assert.DoesNotContain(arms, a => page.Contains(a, StringComparison.OrdinalIgnoreCase));
        var trail = JsonDocument.Parse(await (await server.Admin.GetAsync($"/api/audit?limit=1000&trialId={trialId}")).Content.ReadAsStringAsync()).RootElement
            .EnumerateArray().Where(e => e.GetProperty("action").GetString() == "CorrectRecord").ToList();
        Assert.Contains("item 1 was ticked 2", Assert.Single(trail).GetProperty("changes").GetString()!, StringComparison.Ordinal);
    }

    [ServerFact]
    public async Task VisitsPage_RecordAndCorrect_RefuseAParticipantOfAnotherTrial_AsTheLoadersDo()
    {
        var trialId = await VisitApiTests.ScheduledTrialAsync(server);
        var otherTrial = await VisitApiTests.ScheduledTrialAsync(server);
        var other = (await DocumentSupport.RandomizedParticipantAsync(server, otherTrial)).GetProperty("participantId").GetString()!;
        var pages = await PageSignIn.SignedInClientAsync(server, Key);
        var path = $"/trials/{trialId}/visits";

        foreach (var query in new[] { $"?record={other}&visit=baseline", $"?correct={other}" })
        {
            var refused = await pages.GetAsync(new Uri(path + query, UriKind.Relative));
            Assert.True(refused.StatusCode == HttpStatusCode.NotFound, $"{query}: {refused.StatusCode}");
            var text = await refused.Content.ReadAsStringAsync();
            Assert.Contains($"No participant with id {other}.", text, StringComparison.Ordinal);
            Assert.DoesNotContain("handler=Measure", text, StringComparison.Ordinal);
        }

        // A visit's form posted under this trial for the other trial's participant: the same 404, nothing recorded.
        var page = await pages.GetStringAsync(new Uri(path, UriKind.Relative));
        var fields = new Dictionary<string, string>
        {
            ["ParticipantId"] = other, ["Visit"] = "baseline", ["Instrument"] = "phq9",
            ["CompletedOn"] = DateOnly.FromDateTime(DateTime.UtcNow).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(TokenField().Match(page).Groups[1].Value),
        };
        using (var body = new FormUrlEncodedContent(fields))
        {
            Assert.Equal(HttpStatusCode.NotFound, (await pages.PostAsync(new Uri($"{path}?handler=Measure", UriKind.Relative), body)).StatusCode);
        }

        Assert.Equal(0, (await (await server.Coordinator.GetAsync($"/api/participants/{other}/measures")).JsonAsync()).GetArrayLength());
        // Under its own trial the participant's visit opens its forms.
        var own = await pages.GetAsync(new Uri($"/trials/{otherTrial}/visits?record={other}&visit=baseline", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Contains("handler=Measure", await own.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [ServerFact]
    public async Task Assessor_RecordsTheGuess_OnTheLastVisitsForms_AfterItsMeasures_Once()
    {
        var trialId = await VisitApiTests.ScheduledTrialAsync(server);
        var id = (await DocumentSupport.RandomizedParticipantAsync(server, trialId)).GetProperty("participantId").GetString()!;
        await VisitApiTests.BackdateAsync(server, id, 80);
        var today = DateOnly.FromDateTime(DateTime.UtcNow).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var assessor = server.Client(Key);
        foreach (var (instrument, items) in new[] { ("phq9", 9), ("gad7", 7) })
        {
            await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await assessor.PostJsonAsync($"/api/participants/{id}/measures",
                new { instrument, visit = "followUp3m", completedOn = today, items = Enumerable.Range(1, items).ToDictionary(i => $"{i}", _ => 1) }));
        }

        // The last visit is recorded, so no longer due: its forms still take the guess.
        var pages = await PageSignIn.SignedInClientAsync(server, Key);
        var path = $"/trials/{trialId}/visits";
        var visitPath = $"{path}?record={id}&visit=followUp3m";
        var page = await pages.GetStringAsync(new Uri(visitPath, UriKind.Relative));
        Assert.Contains("id=\"guess\"", page, StringComparison.Ordinal);
        Assert.Contains("handler=Guess", page, StringComparison.Ordinal);

        async Task<HttpResponseMessage> GuessAsync(string guess)
        {
            using var body = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["ParticipantId"] = id, ["Visit"] = "followUp3m", ["Guess"] = guess,
                ["__RequestVerificationToken"] = WebUtility.HtmlDecode(TokenField().Match(page).Groups[1].Value),
            });
            return await pages.PostAsync(new Uri($"{path}?handler=Guess", UriKind.Relative), body);
        }

        var guessed = await GuessAsync("dontKnow");
        Assert.Equal(HttpStatusCode.Redirect, guessed.StatusCode);
        Assert.Equal($"{visitPath}#guess", guessed.Headers.Location!.OriginalString);
        Assert.Equal(1, await server.WithDbAsync(db => db.BlindingGuesses.CountAsync(g => g.ParticipantId == id)));
        var after = await pages.GetStringAsync(new Uri(visitPath, UriKind.Relative));
        Assert.Contains("Your guess of the arm is recorded", after, StringComparison.Ordinal);
        Assert.DoesNotContain("handler=Guess", after, StringComparison.Ordinal);

        // Once: a second guess is the API's refusal on the form, and nothing more is recorded.
        var again = await GuessAsync("dontKnow");
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Contains("already recorded", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(1, await server.WithDbAsync(db => db.BlindingGuesses.CountAsync(g => g.ParticipantId == id)));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}

[Collection(SqliteServerCollection.Name)]
public sealed class AssessorBlindingTests_Sqlite(SqliteTrialServer server) : AssessorBlindingTests(server);

[Collection(PostgresServerCollection.Name)]
public sealed class AssessorBlindingTests_Postgres(PostgresTrialServer server) : AssessorBlindingTests(server), IRunsOnPostgres;
