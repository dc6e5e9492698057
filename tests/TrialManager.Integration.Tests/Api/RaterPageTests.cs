using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using TrialManager.Integration.Tests.Harness;
using TrialManager.Testing;

namespace TrialManager.Integration.Tests.Api;

/// <summary>The rater's queue page: the case material only, rated through the API's command, with the same rules.</summary>
public abstract partial class RaterPageTests(TrialServer server)
{
    private static object Scores(int[] s) => new { cognitive = s[0], interpersonal = s[1], behavioral = s[2], environmental = s[3] };

    private async Task<string> ConsentedAsync(string trialId)
    {
        var screened = await server.Coordinator.PostJsonAsync($"/api/trials/{trialId}/participants",
            new { site = "AAA", ageYears = 30, severity = 15, exclusions = Array.Empty<string>(), motivation = 6, expectancy = 7 });
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, screened);
        var id = (await screened.JsonAsync()).GetProperty("id").GetString()!;
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK,
            await server.Coordinator.PostJsonAsync($"/api/participants/{id}/consent", new { consentVersion = "1.0", consentedOn = "2026-11-20" }));
        return id;
    }

    private async Task<List<JsonElement>> RatingsAsync(string id) =>
        [.. (await (await server.Coordinator.GetAsync($"/api/participants/{id}")).JsonAsync()).GetProperty("ratings").EnumerateArray()];

    private static async Task<HttpResponseMessage> PostRatingAsync(HttpClient pages, string html, string participantId, Dictionary<string, string> fields)
    {
        fields["ParticipantId"] = participantId;
        fields["__RequestVerificationToken"] = WebUtility.HtmlDecode(TokenField().Match(html).Groups[1].Value);
        using var body = new FormUrlEncodedContent(fields);
        return await pages.PostAsync(new Uri("/raters/queue?handler=Rate", UriKind.Relative), body);
    }

    [ServerFact]
    public async Task Rater_SeesTheirQueue_RatesOnThePage_AMissingScoreChangesNothing_AndNoArmOrOtherRatersScoresShow()
    {
        var definition = TestTrials.Definition();
        definition["formulationRule"] = new { minMargin = 1, doubleRating = new { share = 1.0 } };
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Admin.PostJsonAsync("/api/trials", definition));
        var trialId = (string)definition["id"]!;
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await server.Admin.PostJsonAsync($"/api/trials/{trialId}/status", new { status = "recruiting" }));

        // One participant rated by both raters and randomized; one rated by the other rater, waiting for this one.
        var randomized = await ConsentedAsync(trialId);
        var waiting = await ConsentedAsync(trialId);
        var other = server.Client("dev-rater-2");
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await other.PostJsonAsync($"/api/participants/{randomized}/formulations", new { scores = Scores([0, 4, 1, 1]) }));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK,
            await server.Client("dev-rater").PostJsonAsync($"/api/participants/{randomized}/formulations", new { scores = Scores([0, 4, 1, 1]) }));
        var allocation = await server.Coordinator.PostJsonAsync($"/api/participants/{randomized}/randomization", null);
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, allocation);
        var arm = (await allocation.JsonAsync()).GetProperty("arm").GetString()!;
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await other.PostJsonAsync($"/api/participants/{waiting}/formulations",
            new { scores = Scores([0, 4, 3, 1]), rationale = "other rater's private reasoning" }));

        var pages = await PageSignIn.SignedInClientAsync(server, "dev-rater");
        var queue = await pages.GetStringAsync(new Uri("/raters/queue", UriKind.Relative));
        Assert.Contains(waiting, queue, StringComparison.Ordinal);
        Assert.Contains("0 absent, 1 minor, 2 moderate, 3 major, 4 central", queue, StringComparison.Ordinal);
        AssertBlind(queue);

        // A missing score: the form again with the message, nothing recorded.
        var missing = await PostRatingAsync(pages, queue, waiting, new() { ["Scores.Interpersonal"] = "1", ["Scores.Behavioral"] = "0", ["Scores.Environmental"] = "0" });
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        var refused = await missing.Content.ReadAsStringAsync();
        Assert.Contains("id=\"err-scores-cognitive\"", refused, StringComparison.Ordinal);
        AssertBlind(refused);
        Assert.Single(await RatingsAsync(waiting));

        // A whole rating: recorded as this rater's, as the API would; the two disagree, so this rater owes a consensus.
        var rated = await PostRatingAsync(pages, queue, waiting,
            new() { ["Scores.Cognitive"] = "4", ["Scores.Interpersonal"] = "1", ["Scores.Behavioral"] = "0", ["Scores.Environmental"] = "0", ["Rationale"] = "rumination" });
        Assert.Equal(HttpStatusCode.Redirect, rated.StatusCode);
        var mine = (await RatingsAsync(waiting))[1];
        Assert.Equal(("dev-rater", 4, false), (mine.GetProperty("rater").GetString(), mine.GetProperty("scores").GetProperty("cognitive").GetInt32(), mine.GetProperty("consensus").GetBoolean()));
        var reliability = await (await server.Statistician.GetAsync($"/api/trials/{trialId}/reliability")).JsonAsync();
        Assert.Equal(4, reliability.GetProperty("independentRatings").GetInt64()); // the randomized participant's two, and these two

        var consensusPage = await pages.GetStringAsync(new Uri("/raters/queue", UriKind.Relative));
        Assert.Contains("(consensus)", consensusPage, StringComparison.Ordinal);
        Assert.Contains("4 (central)", consensusPage, StringComparison.Ordinal); // this rater's own rating, and only theirs
        AssertBlind(consensusPage);
        var agreed = await PostRatingAsync(pages, consensusPage, waiting,
            new() { ["Scores.Cognitive"] = "4", ["Scores.Interpersonal"] = "2", ["Scores.Behavioral"] = "0", ["Scores.Environmental"] = "0" });
        Assert.Equal(HttpStatusCode.Redirect, agreed.StatusCode);
        Assert.True((await RatingsAsync(waiting))[2].GetProperty("consensus").GetBoolean());
        var participant = await (await server.Coordinator.GetAsync($"/api/participants/{waiting}")).JsonAsync();
        Assert.Equal(("formulated", "cognitive"), (participant.GetProperty("status").GetString(), participant.GetProperty("primaryFormulation").GetString()));

        // The statistician sees each rater's status, from the same query as GET /api/trials/{trialId}/raters.
        var statistics = await (await PageSignIn.SignedInClientAsync(server, "dev-statistician")).GetStringAsync(new Uri($"/trials/{trialId}/statistics", UriKind.Relative));
        Assert.Contains("no reference cases", statistics, StringComparison.Ordinal);
        // Certified (nothing to certify on), no practice, two blinded ratings (the consensus is not counted).
        Assert.Matches("<tr><td>dev-rater</td><td>yes</td><td class=\"num\">0 of 0</td><td class=\"num\">[^<]+</td><td class=\"num\">2</td></tr>", statistics);

        void AssertBlind(string html)
        {
            foreach (var secret in new[] { "dev-rater-2", randomized, "private reasoning", "3 (major)", "stratum", "randomized", arm })
            {
                Assert.False(html.Contains(secret, StringComparison.OrdinalIgnoreCase), $"The rater's page carries {secret}");
            }
        }
    }

    private static async Task<HttpResponseMessage> PostCorrectionAsync(HttpClient pages, string html, Dictionary<string, string> fields)
    {
        fields["__RequestVerificationToken"] = WebUtility.HtmlDecode(TokenField().Match(html).Groups[1].Value);
        using var body = new FormUrlEncodedContent(fields);
        return await pages.PostAsync(new Uri("/raters/ratings?handler=Correct", UriKind.Relative), body);
    }

    /// <summary>The address of the rater's own rating in the trial, taken from the "Correct this rating" link of its card.</summary>
    private static string AddressIn(string ratingsPage, string trialId) =>
        Regex.Match(ratingsPage, $"<dd>{trialId}</dd>.*?href=\"/raters/ratings\\?correct=([^\"#]+)#correction\"", RegexOptions.Singleline) is { Success: true } m
            ? Uri.UnescapeDataString(m.Groups[1].Value)
            : throw new Xunit.Sdk.XunitException($"No rating of trial {trialId} on the rater's ratings page.");

    [ServerFact]
    public async Task Rater_CorrectsTheirOwnRating_OnTheirRatingsPage_WithAReason_NeverAnotherRatersRating_AndSeesNoRatingNumberOrStudyId()
    {
        var definition = TestTrials.Definition();
        definition["formulationRule"] = new { minMargin = 1 };
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Admin.PostJsonAsync("/api/trials", definition));
        var trialId = (string)definition["id"]!;
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await server.Admin.PostJsonAsync($"/api/trials/{trialId}/status", new { status = "recruiting" }));

        // This rater's rating decides a participant who is then randomized (the study id has left their queue); the other
        // rater's decides another participant.
        var mine = await ConsentedAsync(trialId);
        var theirs = await ConsentedAsync(trialId);
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await server.Client("dev-rater").PostJsonAsync($"/api/participants/{mine}/formulations",
            new { scores = Scores([0, 4, 1, 1]), rationale = "my own reasoning" }));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await server.Client("dev-rater-2").PostJsonAsync($"/api/participants/{theirs}/formulations",
            new { scores = Scores([4, 0, 0, 1]), rationale = "other rater's private reasoning" }));
        var allocation = await server.Coordinator.PostJsonAsync($"/api/participants/{mine}/randomization", null);
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, allocation);
        var arm = (await allocation.JsonAsync()).GetProperty("arm").GetString()!;

        var pages = await PageSignIn.SignedInClientAsync(server, "dev-rater");
        var listed = WebUtility.HtmlDecode(await pages.GetStringAsync(new Uri("/raters/ratings", UriKind.Relative)));
        Assert.Contains("my own reasoning", listed, StringComparison.Ordinal);
        AssertBlind(listed);
        var address = AddressIn(listed, trialId);
        var path = $"/raters/ratings?correct={Uri.EscapeDataString(address)}";
        var page = WebUtility.HtmlDecode(await pages.GetStringAsync(new Uri(path, UriKind.Relative)));
        Assert.Contains("<option value=\"rating/behavioral\">Behavioral (1 (minor))</option>", page, StringComparison.Ordinal);
        AssertBlind(page);

        Dictionary<string, string> Form(string field, string value, string reason, string? at = null) => new()
        {
            ["CorrectionParticipantId"] = at ?? address, ["CorrectionField"] = field, ["CorrectionValue"] = value, ["CorrectionReason"] = reason,
        };

        // The reason is required (the API's own message), and a value addressed by its number is not offered: nothing corrected.
        var noReason = await PostCorrectionAsync(pages, page, Form("rating/behavioral", "2", " "));
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        var noReasonPage = WebUtility.HtmlDecode(await noReason.Content.ReadAsStringAsync());
        Assert.Contains("id=\"err-correction-reason\"", noReasonPage, StringComparison.Ordinal);
        Assert.Contains("is required: why the value is corrected", noReasonPage, StringComparison.Ordinal);
        AssertBlind(noReasonPage);
        var byNumber = await PostCorrectionAsync(pages, page, Form("rating:1/behavioral", "2", "typed 1 for 2"));
        Assert.Equal(HttpStatusCode.BadRequest, byNumber.StatusCode);
        Assert.Contains("id=\"err-correction-field\"", await byNumber.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(await CorrectionsAsync(mine));

        // With a reason: corrected through the API's command, as this rater, the original kept beside it.
        var corrected = await PostCorrectionAsync(pages, page, Form("rating/behavioral", "2", "typed 1 for 2"));
        Assert.Equal(HttpStatusCode.Redirect, corrected.StatusCode);
        Assert.Equal(2, (await RatingsAsync(mine))[0].GetProperty("scores").GetProperty("behavioral").GetInt32());
        var correction = Assert.Single(await CorrectionsAsync(mine));
        Assert.Equal(("rating:1", "behavioral", "dev-rater", "typed 1 for 2"), (correction.GetProperty("target").GetString(), correction.GetProperty("field").GetString(),
            correction.GetProperty("correctedBy").GetString(), correction.GetProperty("reason").GetString()));
        page = WebUtility.HtmlDecode(await pages.GetStringAsync(new Uri(path, UriKind.Relative)));
        Assert.Contains("<tr><td>rating behavioral</td><td>1</td><td>2</td><td>dev-rater</td>", page, StringComparison.Ordinal);
        Assert.Contains("typed 1 for 2</td></tr>", page, StringComparison.Ordinal);
        AssertBlind(page);

        // A correction that would change the primary formulation this rating decided: the API's 409, said without the number.
        var deciding = await PostCorrectionAsync(pages, page, Form("rating/interpersonal", "0", "meant environmental"));
        Assert.Equal(HttpStatusCode.Conflict, deciding.StatusCode);
        var decidingPage = WebUtility.HtmlDecode(await deciding.Content.ReadAsStringAsync());
        Assert.Contains("this correction would change the primary formulation of your rating", decidingPage, StringComparison.Ordinal);
        AssertBlind(decidingPage);
        Assert.Single(await CorrectionsAsync(mine));

        // The other rater's rating, at the address their own page gives it: the same 404 as no rating at all, nothing corrected.
        var theirPage = WebUtility.HtmlDecode(await (await PageSignIn.SignedInClientAsync(server, "dev-rater-2")).GetStringAsync(new Uri("/raters/ratings", UriKind.Relative)));
        var theirAddress = AddressIn(theirPage, trialId);
        Assert.DoesNotContain("my own reasoning", theirPage, StringComparison.Ordinal);
        var reached = await PostCorrectionAsync(pages, page, Form("rating/cognitive", "3", "not mine", theirAddress));
        Assert.Equal(HttpStatusCode.NotFound, reached.StatusCode);
        var reachedPage = WebUtility.HtmlDecode(await reached.Content.ReadAsStringAsync());
        Assert.Contains("That is not one of your ratings; nothing was corrected.", reachedPage, StringComparison.Ordinal);
        AssertBlind(reachedPage);
        Assert.Equal(HttpStatusCode.NotFound, (await pages.GetAsync(new Uri($"/raters/ratings?correct={Uri.EscapeDataString(theirAddress)}", UriKind.Relative))).StatusCode);
        Assert.Empty(await CorrectionsAsync(theirs));
        Assert.Equal(4, (await RatingsAsync(theirs))[0].GetProperty("scores").GetProperty("cognitive").GetInt32());

        void AssertBlind(string html)
        {
            foreach (var secret in new[] { mine, theirs, "dev-rater-2", "private reasoning", "stratum", "randomized", "decided the primary formulation;", arm })
            {
                Assert.False(html.Contains(secret, StringComparison.OrdinalIgnoreCase), $"The rater's ratings page carries {secret}");
            }

            // No rating's sequence number, in any spelling the API or the coordinator's pages use.
            Assert.DoesNotMatch("[Rr]ating:?\\s?\\d", html);
        }
    }

    private async Task<List<JsonElement>> CorrectionsAsync(string id) =>
        [.. (await (await server.Coordinator.GetAsync($"/api/participants/{id}")).JsonAsync()).GetProperty("corrections").EnumerateArray()];

    private static async Task<HttpResponseMessage> PostPracticeAsync(HttpClient pages, string html, string trialId, string code, int?[] s)
    {
        var fields = new Dictionary<string, string>
        {
            ["TrialId"] = trialId,
            ["Code"] = code,
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(TokenField().Match(html).Groups[1].Value),
        };
        foreach (var (name, score) in new[] { "Cognitive", "Interpersonal", "Behavioral", "Environmental" }.Zip(s))
        {
            if (score is { } v)
            {
                fields["Scores." + name] = v.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        using var body = new FormUrlEncodedContent(fields);
        return await pages.PostAsync(new Uri("/raters/practice?handler=Practise", UriKind.Relative), body);
    }

    [ServerFact]
    public async Task Rater_PractisesOnThePage_SeesTheMaterialNeverTheExpertsAnswer_ThenWhetherItAgreed_AndTheirOwnStatusOnly()
    {
        var definition = TestTrials.Definition();
        definition["formulationRule"] = new { minMargin = 1, certification = new { minAgreement = 0.5, minCases = 2 } };
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Admin.PostJsonAsync("/api/trials", definition));
        var trialId = (string)definition["id"]!;
        foreach (var (code, scores, primary) in new[] { ("RC01", new[] { 4, 1, 0, 0 }, "cognitive"), ("RC02", [0, 3, 1, 0], "interpersonal") })
        {
            await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Admin.PostJsonAsync($"/api/trials/{trialId}/reference-cases",
                new { code, scores = Scores(scores), primary, material = $"Material of {code}: low mood since the move." }));
        }

        // Another rater practised first (and disagreed): nothing of it shows on this rater's page.
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created,
            await server.Client("dev-rater-2").PostJsonAsync($"/api/trials/{trialId}/reference-cases/RC01/ratings", new { scores = Scores([0, 0, 4, 0]) }));

        var pages = await PageSignIn.SignedInClientAsync(server, "dev-rater");
        var page = WebUtility.HtmlDecode(await pages.GetStringAsync(new Uri("/raters/practice", UriKind.Relative)));
        Assert.Contains("Material of RC01: low mood since the move.", page, StringComparison.Ordinal);
        Assert.Contains("Material of RC02", page, StringComparison.Ordinal);
        Assert.Contains("0 absent, 1 minor, 2 moderate, 3 major, 4 central", page, StringComparison.Ordinal);
        Assert.Contains("You are not certified for this trial yet. 0 of 0 practised cases agreed", page, StringComparison.Ordinal);
        Assert.Contains("at least 0.5 over at least 2 cases", page, StringComparison.Ordinal);
        AssertShowsNoAnswer(page);

        // A missing score: the form again with the message next to it, nothing recorded.
        var missing = await PostPracticeAsync(pages, page, trialId, "RC01", [null, 1, 0, 0]);
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Contains("id=\"err-scores-cognitive\"", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var listed = await (await server.Client("dev-rater").GetAsync($"/api/trials/{trialId}/reference-cases")).JsonAsync();
        Assert.All(listed.EnumerateArray(), c => Assert.False(c.GetProperty("practised").GetBoolean()));

        // Agreeing with the experts on RC01: told so, one case of two, not yet certified.
        Assert.Equal(HttpStatusCode.Redirect, (await PostPracticeAsync(pages, page, trialId, "RC01", [3, 1, 1, 0])).StatusCode);
        page = WebUtility.HtmlDecode(await pages.GetStringAsync(new Uri("/raters/practice", UriKind.Relative)));
        Assert.Contains("Practice rating of RC01 recorded: your primary formulation agreed with the experts'. You are not certified for trial", page, StringComparison.Ordinal);
        Assert.Contains("1 of 1 practised cases agreed", page, StringComparison.Ordinal);
        Assert.Contains("Practised: your primary formulation agreed with the experts'.", page, StringComparison.Ordinal);
        AssertShowsNoAnswer(page);

        // Disagreeing on RC02 still certifies (half of two cases reach 0.5); the first rating counts, a repeat is refused.
        Assert.Equal(HttpStatusCode.Redirect, (await PostPracticeAsync(pages, page, trialId, "RC02", [4, 0, 0, 0])).StatusCode);
        page = WebUtility.HtmlDecode(await pages.GetStringAsync(new Uri("/raters/practice", UriKind.Relative)));
        Assert.Contains($"did not agree with the experts'. You are certified for trial {trialId}.", page, StringComparison.Ordinal);
        Assert.Contains("You are certified for this trial. 1 of 2 practised cases agreed", page, StringComparison.Ordinal);
        AssertShowsNoAnswer(page);
        var repeat = await PostPracticeAsync(pages, page, trialId, "RC02", [0, 3, 1, 0]);
        Assert.Equal(HttpStatusCode.BadRequest, repeat.StatusCode);
        Assert.Contains("already practised on reference case RC02", await repeat.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var raters = await (await server.Admin.GetAsync($"/api/trials/{trialId}/raters")).JsonAsync();
        var me = raters.GetProperty("raters").EnumerateArray().Single(r => r.GetProperty("rater").GetString() == "dev-rater");
        Assert.Equal((2, 1, true), (me.GetProperty("practice").GetProperty("cases").GetInt32(), me.GetProperty("practice").GetProperty("agreed").GetInt32(), me.GetProperty("certified").GetBoolean()));

        static void AssertShowsNoAnswer(string html)
        {
            Assert.DoesNotContain("dev-rater-2", html, StringComparison.Ordinal);
            // No score is ever filled in or printed with its anchor: neither the experts' nor another rater's.
            Assert.DoesNotMatch("\\d \\((absent|minor|moderate|major|central)\\)", html);
            Assert.DoesNotMatch("name=\"Scores\\.[A-Za-z]+\"[^>]*value=\"\\d\"", html);
        }
    }

    private static async Task<HttpResponseMessage> PostFidelityAsync(HttpClient pages, string html, Dictionary<string, string> fields)
    {
        fields["__RequestVerificationToken"] = WebUtility.HtmlDecode(TokenField().Match(html).Groups[1].Value);
        using var body = new FormUrlEncodedContent(fields);
        return await pages.PostAsync(new Uri("/raters/fidelity?handler=Record", UriKind.Relative), body);
    }

    [ServerFact]
    public async Task Rater_RecordsAFidelityRatingOfARecordedSession_OnTheFidelityPage_ThroughTheApisRules_AndThePageNamesNoArm()
    {
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Admin.PostJsonAsync($"/api/trials/{trialId}/therapists",
            new { code = "dev-therapist", site = "AAA", arms = new[] { "mediator", "moderator" } }));
        var id = (await Documents.DocumentSupport.RandomizedParticipantAsync(server, trialId)).GetProperty("participantId").GetString()!;
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await server.Coordinator.PostJsonAsync($"/api/participants/{id}/therapist", new { therapist = "dev-therapist" }));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created,
            await server.Client("dev-therapist").PostJsonAsync($"/api/participants/{id}/sessions", new { number = 1, date = today, attendance = "attended" }));
        var arms = (await (await server.Coordinator.GetAsync($"/api/trials/{trialId}")).JsonAsync()).GetProperty("arms").EnumerateArray()
            .Select(a => a.GetProperty("code").GetString()!).ToList();
        Assert.NotEmpty(arms);

        // Every adherence item answered 0: the competence items that depend on them do not apply and stay blank.
        var form = await (await server.Client("dev-rater").GetAsync("/api/instruments/fidelity-cognitive")).JsonAsync();
        var answers = form.GetProperty("items").EnumerateArray().Where(i => i.GetProperty("appliesWhen").ValueKind == JsonValueKind.Null)
            .ToDictionary(i => "item-" + i.GetProperty("id").GetString()!, _ => "0");
        Dictionary<string, string> Fields(Action<Dictionary<string, string>> change)
        {
            var fields = new Dictionary<string, string>(answers) { ["Form"] = "fidelity-cognitive", ["StudyId"] = id, ["Session"] = "1", ["CompletedOn"] = today };
            change(fields);
            return fields;
        }

        async Task<int> FidelityMeasuresAsync() =>
            (await (await server.Coordinator.GetAsync($"/api/participants/{id}/measures")).JsonAsync()).EnumerateArray()
            .Count(m => m.GetProperty("instrument").GetString() == "fidelity-cognitive");

        var pages = await PageSignIn.SignedInClientAsync(server, "dev-rater");
        // First the recording's study id and session; then the form of that participant's formulation, and no other.
        var chooser = await pages.GetStringAsync(new Uri("/raters/fidelity", UriKind.Relative));
        Assert.Contains("name=\"StudyId\"", chooser, StringComparison.Ordinal);
        Assert.DoesNotMatch("fidelity-(cognitive|interpersonal|behavioral|environmental)", chooser);
        var page = await pages.GetStringAsync(new Uri($"/raters/fidelity?studyId={id}&session=1", UriKind.Relative));
        Assert.Contains("name=\"item-1\"", page, StringComparison.Ordinal);
        Assert.Contains("0 Not at all", page, StringComparison.Ordinal); // the anchors as the instrument gives them
        Assert.Contains("6 Excellent", page, StringComparison.Ordinal);
        AssertNoArm(chooser);
        AssertNoArm(page);

        // A missing item and an out-of-range value: the form again with the API's message beside the item, nothing recorded.
        var missing = await PostFidelityAsync(pages, page, Fields(f => f.Remove("item-1")));
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        var missingHtml = await missing.Content.ReadAsStringAsync();
        Assert.Contains("id=\"err-items-1\"", missingHtml, StringComparison.Ordinal);
        AssertNoArm(missingHtml);
        var outOfRange = await PostFidelityAsync(pages, page, Fields(f => f["item-3"] = "9"));
        Assert.Equal(HttpStatusCode.BadRequest, outOfRange.StatusCode);
        var outOfRangeHtml = await outOfRange.Content.ReadAsStringAsync();
        Assert.Contains("id=\"err-items-3\"", outOfRangeHtml, StringComparison.Ordinal);
        AssertNoArm(outOfRangeHtml);
        Assert.Equal(0, await FidelityMeasuresAsync());

        // The whole form: recorded as this rater's through the API; the page says so and shows no score (a rater reads no measures).
        var recorded = await PostFidelityAsync(pages, page, Fields(_ => { }));
        Assert.Equal(HttpStatusCode.Redirect, recorded.StatusCode);
        var after = await pages.GetStringAsync(recorded.Headers.Location!);
        Assert.Contains("recorded", after, StringComparison.Ordinal);
        Assert.DoesNotContain("adherence score", after, StringComparison.OrdinalIgnoreCase);
        AssertNoArm(after);
        var measure = (await (await server.Coordinator.GetAsync($"/api/participants/{id}/measures")).JsonAsync()).EnumerateArray()
            .Single(m => m.GetProperty("instrument").GetString() == "fidelity-cognitive");
        Assert.Equal(("dev-rater", 1), (measure.GetProperty("recordedBy").GetString(), measure.GetProperty("session").GetInt32()));

        // An unknown study id is the API's 404, shown as the page.
        Assert.Equal(HttpStatusCode.NotFound, (await PostFidelityAsync(pages, page, Fields(f => f["StudyId"] = "NO-SUCH-ID"))).StatusCode);
        Assert.Equal(1, await FidelityMeasuresAsync());

        // Other roles do not get the page: a coordinator's or therapist's post goes to the 403 page (/denied) and records nothing.
        foreach (var (user, own) in new[] { ("dev-coordinator", $"/trials/{trialId}/visits"), ("dev-therapist", "/therapists/me/participants") })
        {
            var other = await PageSignIn.SignedInClientAsync(server, user);
            var home = await other.GetStringAsync(new Uri(own, UriKind.Relative));
            var refused = await PostFidelityAsync(other, home, Fields(f => f["Session"] = "2"));
            Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
            var location = refused.Headers.Location!;
            Assert.StartsWith("/denied", location.IsAbsoluteUri ? location.AbsolutePath : location.OriginalString, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.Forbidden, (await other.GetAsync(location)).StatusCode);
        }

        Assert.Equal(1, await FidelityMeasuresAsync());

        void AssertNoArm(string html)
        {
            foreach (var arm in arms)
            {
                Assert.False(html.Contains(arm, StringComparison.OrdinalIgnoreCase), $"The rater's fidelity page names the arm {arm}");
            }
        }
    }

    [ServerFact]
    public async Task FidelityPage_OffersOnlyTheFormOfTheParticipantsFormulation_ItsItemsInAFixedOrderThatDoesNotGroupThemByTag()
    {
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Admin.PostJsonAsync($"/api/trials/{trialId}/therapists",
            new { code = "dev-therapist", site = "AAA", arms = new[] { "mediator", "moderator" } }));
        var id = (await Documents.DocumentSupport.RandomizedParticipantAsync(server, trialId, lead: "interpersonal")).GetProperty("participantId").GetString()!;
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await server.Coordinator.PostJsonAsync($"/api/participants/{id}/therapist", new { therapist = "dev-therapist" }));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created,
            await server.Client("dev-therapist").PostJsonAsync($"/api/participants/{id}/sessions", new { number = 1, date = today, attendance = "attended" }));
        var pages = await PageSignIn.SignedInClientAsync(server, "dev-rater");

        var page = await pages.GetStringAsync(new Uri($"/raters/fidelity?studyId={id}&session=1", UriKind.Relative));
        Assert.Contains("interpersonal formulation", page, StringComparison.Ordinal);
        foreach (var other in new[] { "cognitive", "behavioral", "environmental" })
        {
            Assert.DoesNotContain($"{other} formulation", page, StringComparison.Ordinal);
            Assert.DoesNotContain($"fidelity-{other}", page, StringComparison.Ordinal);
        }

        // The items as the page lists them, against the definition's tags (which the page never shows).
        using var definition = JsonDocument.Parse(await File.ReadAllTextAsync(RepositoryPaths.Source("protocols/instruments/fidelity-interpersonal.json")));
        var items = definition.RootElement.GetProperty("items").EnumerateArray().ToDictionary(i => i.GetProperty("id").GetString()!, i => i.Clone());
        var shown = ItemField().Matches(page).Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.Equal(items.Keys.Order(), shown.Order());
        Assert.NotEqual(items.Keys.ToList(), shown); // not the definition's order: shared items first, proscribed last
        foreach (var (itemId, item) in items)
        {
            Assert.DoesNotContain(item.GetProperty("tag").GetString()!, page, StringComparison.OrdinalIgnoreCase);
            if (item.TryGetProperty("appliesWhen", out var when))
            {
                // A competence item right after the adherence item it depends on: the element stays one.
                Assert.Equal(shown.IndexOf(when.GetProperty("item").GetString()!) + 1, shown.IndexOf(itemId));
            }
        }

        var tags = shown.Where(i => !items[i].TryGetProperty("appliesWhen", out _)).Select(i => items[i].GetProperty("tag").GetString()!).ToList();
        foreach (var tag in tags.Distinct().Where(t => tags.Count(x => x == t) > 1))
        {
            var first = tags.IndexOf(tag);
            var last = tags.LastIndexOf(tag);
            Assert.True(tags.Skip(first).Take(last - first + 1).Any(t => t != tag), $"the {tag} elements are listed as one block: {string.Join(" ", tags)}");
        }

        // Fixed: the same order every time.
        var again = await pages.GetStringAsync(new Uri($"/raters/fidelity?studyId={id}&session=1", UriKind.Relative));
        Assert.Equal(shown, ItemField().Matches(again).Select(m => m.Groups[1].Value).Distinct().ToList());

        // No form without a session to rate: an unrecorded session and a participant not yet randomized are the API's 409,
        // the same for both (the page never tells a decided formulation before there is a session); an unknown id is a 404.
        var formulated = await TestTrials.FormulatedParticipantAsync(server, trialId, lead: "behavioral");
        var unrecorded = await pages.GetAsync(new Uri($"/raters/fidelity?studyId={id}&session=2", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Conflict, unrecorded.StatusCode);
        var early = await pages.GetAsync(new Uri($"/raters/fidelity?studyId={formulated}&session=2", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        var earlyHtml = await early.Content.ReadAsStringAsync();
        Assert.DoesNotContain("behavioral", earlyHtml, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("name=\"item-", earlyHtml, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await pages.GetAsync(new Uri("/raters/fidelity?studyId=NO-SUCH-ID&session=1", UriKind.Relative))).StatusCode);
    }

    /// <summary>A randomized participant of <paramref name="trialId"/> (therapist registered) with session 1 attended, and its fidelity form recorded by <paramref name="rater"/>.</summary>
    private async Task<(string Participant, string Measure)> FidelityRatedAsync(string trialId, string rater, string lead)
    {
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var id = (await Documents.DocumentSupport.RandomizedParticipantAsync(server, trialId, lead: lead)).GetProperty("participantId").GetString()!;
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await server.Coordinator.PostJsonAsync($"/api/participants/{id}/therapist", new { therapist = "dev-therapist" }));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created,
            await server.Client("dev-therapist").PostJsonAsync($"/api/participants/{id}/sessions", new { number = 1, date = today, attendance = "attended" }));
        var form = $"fidelity-{lead}";
        var items = (await (await server.Client(rater).GetAsync($"/api/instruments/{form}")).JsonAsync()).GetProperty("items").EnumerateArray()
            .Where(i => i.GetProperty("appliesWhen").ValueKind == JsonValueKind.Null).ToDictionary(i => i.GetProperty("id").GetString()!, _ => 0);
        var recorded = await server.Client(rater).PostJsonAsync($"/api/participants/{id}/measures", new { instrument = form, session = 1, completedOn = today, items });
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, recorded);
        return (id, (await recorded.JsonAsync()).GetProperty("id").GetString()!);
    }

    private static async Task<HttpResponseMessage> PostFidelityCorrectionAsync(HttpClient pages, string html, Dictionary<string, string> fields)
    {
        fields["__RequestVerificationToken"] = WebUtility.HtmlDecode(TokenField().Match(html).Groups[1].Value);
        using var body = new FormUrlEncodedContent(fields);
        return await pages.PostAsync(new Uri("/raters/fidelity?handler=Correct", UriKind.Relative), body);
    }

    [ServerFact]
    public async Task Rater_CorrectsTheirOwnFidelityRating_OnTheFidelityPage_WithAReason_NeverAnotherRaters_AndThePageNamesNoArm()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Admin.PostJsonAsync($"/api/trials/{trialId}/therapists",
            new { code = "dev-therapist", site = "AAA", arms = new[] { "mediator", "moderator" } }));
        var (id, measureId) = await FidelityRatedAsync(trialId, "dev-rater", "cognitive");
        var (otherId, otherMeasure) = await FidelityRatedAsync(trialId, "dev-rater-2", "cognitive");
        async Task<int> Item27Async() => (await (await server.Coordinator.GetAsync($"/api/participants/{id}/measures")).JsonAsync()).EnumerateArray()
            .Single(m => m.GetProperty("id").GetString() == measureId).GetProperty("items").GetProperty("27").GetInt32();

        var pages = await PageSignIn.SignedInClientAsync(server, "dev-rater");
        var home = await pages.GetStringAsync(new Uri("/raters/fidelity", UriKind.Relative));
        Assert.Contains($"/raters/fidelity?correct={measureId}", home, StringComparison.Ordinal);
        Assert.Contains(id, home, StringComparison.Ordinal);
        Assert.DoesNotContain(otherMeasure, home, StringComparison.Ordinal);
        Assert.DoesNotContain(otherId, home, StringComparison.Ordinal);
        var page = await pages.GetStringAsync(new Uri($"/raters/fidelity?correct={measureId}", UriKind.Relative));
        Assert.Contains($"value=\"measure:{measureId}/items.27\"", page, StringComparison.Ordinal);
        foreach (var html in new[] { home, page })
        {
            Assert.DoesNotMatch("(?i)mediator|moderator|proscribed|\\bshared\\b", html);
        }

        var fields = new Dictionary<string, string>
        {
            ["CorrectionParticipantId"] = measureId, ["CorrectionField"] = $"measure:{measureId}/items.27", ["CorrectionValue"] = "2", ["CorrectionReason"] = "",
        };
        var noReason = await PostFidelityCorrectionAsync(pages, page, new(fields));
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.Contains("id=\"err-correction-reason\"", await noReason.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var noField = await PostFidelityCorrectionAsync(pages, page, new(fields) { ["CorrectionField"] = "", ["CorrectionReason"] = "slip" });
        Assert.Equal(HttpStatusCode.BadRequest, noField.StatusCode);
        Assert.Equal(0, await Item27Async());

        // Another rater's fidelity rating, by its id: the same 404 as an id that is none, nothing corrected.
        Assert.Equal(HttpStatusCode.NotFound, (await pages.GetAsync(new Uri($"/raters/fidelity?correct={otherMeasure}", UriKind.Relative))).StatusCode);
        var others = await PostFidelityCorrectionAsync(pages, page, new(fields)
        {
            ["CorrectionParticipantId"] = otherMeasure, ["CorrectionField"] = $"measure:{otherMeasure}/items.27", ["CorrectionReason"] = "not mine",
        });
        Assert.Equal(HttpStatusCode.NotFound, others.StatusCode);

        var corrected = await PostFidelityCorrectionAsync(pages, page, new(fields) { ["CorrectionReason"] = "missed the blaming remark" });
        Assert.Equal(HttpStatusCode.Redirect, corrected.StatusCode);
        Assert.Equal(2, await Item27Async());
        var correction = Assert.Single((await (await server.Coordinator.GetAsync($"/api/participants/{id}")).JsonAsync()).GetProperty("corrections").EnumerateArray());
        Assert.Equal(("dev-rater", "missed the blaming remark"), (correction.GetProperty("correctedBy").GetString(), correction.GetProperty("reason").GetString()));
        var after = await pages.GetStringAsync(corrected.Headers.Location!);
        Assert.Contains("missed the blaming remark", after, StringComparison.Ordinal);
        var otherMeasures = await (await server.Coordinator.GetAsync($"/api/participants/{otherId}")).JsonAsync();
        Assert.Empty(otherMeasures.GetProperty("corrections").EnumerateArray());
    }

    [GeneratedRegex("name=\"item-([0-9]+)\"")]
    private static partial Regex ItemField();

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}

[Collection(SqliteServerCollection.Name)]
public sealed class RaterPageTests_Sqlite(SqliteTrialServer server) : RaterPageTests(server);

[Collection(PostgresServerCollection.Name)]
public sealed class RaterPageTests_Postgres(PostgresTrialServer server) : RaterPageTests(server), IRunsOnPostgres;
