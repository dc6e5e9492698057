using System.Net;
using System.Text.Json;
using TrialManager.Integration.Tests.Harness;
using TrialManager.Integration.Tests.Security;

namespace TrialManager.Integration.Tests.Api;

/// <summary>Raters rate as themselves, blind; certification on reference cases; double rating and consensus.</summary>
public abstract class RaterTests(TrialServer server)
{
    private HttpClient Rater => server.Client("dev-rater");
    private HttpClient Rater2 => server.Client("dev-rater-2");

    private static object Scores(int[] s) => new { cognitive = s[0], interpersonal = s[1], behavioral = s[2], environmental = s[3] };

    private async Task<string> TrialAsync(object formulationRule)
    {
        var definition = TestTrials.Definition();
        definition["formulationRule"] = formulationRule;
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Admin.PostJsonAsync("/api/trials", definition));
        var id = (string)definition["id"]!;
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await server.Admin.PostJsonAsync($"/api/trials/{id}/status", new { status = "recruiting" }));
        return id;
    }

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

    private Task<HttpResponseMessage> RateAsync(HttpClient rater, string participantId, int[] s, bool consensus = false) =>
        rater.PostJsonAsync($"/api/participants/{participantId}/formulations", new { scores = Scores(s), consensus });

    private async Task<JsonElement> ParticipantAsync(string id) => await (await server.Coordinator.GetAsync($"/api/participants/{id}")).JsonAsync();

    private async Task<List<JsonElement>> QueueAsync(HttpClient rater, string trialId)
    {
        // The queue spans every trial of the shared test server: follow its pages to the end.
        var cases = new List<JsonElement>();
        for (Uri? next = new("/api/raters/me/queue", UriKind.Relative); next is not null;)
        {
            var response = await rater.GetAsync(next);
            await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, response);
            cases.AddRange((await response.JsonAsync()).EnumerateArray().Where(c => c.GetProperty("trialId").GetString() == trialId));
            next = response.Headers.TryGetValues("Link", out var link) && link.Single() is var l ? new Uri(l[1..l.IndexOf('>', StringComparison.Ordinal)]) : null;
        }

        return cases;
    }

    /// <summary>Every page of one of the rater's own lists (they span the shared test server), this trial's rows only.</summary>
    private static async Task<List<JsonElement>> OwnListAsync(HttpClient rater, string path, string trialId)
    {
        var rows = new List<JsonElement>();
        for (Uri? next = new($"{path}?limit=1", UriKind.Relative); next is not null;)
        {
            var response = await rater.GetAsync(next);
            await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, response);
            var body = await response.Content.ReadAsStringAsync();
            foreach (var secret in new[] { "dev-rater-2", "\"allocation\"", "\"stratum\"", "\"sequence\"", "\"arm\"", "\"status\"", "\"primaryFormulation\"", "mediator", "moderator", "\"tag\"" })
            {
                Assert.False(body.Contains(secret, StringComparison.OrdinalIgnoreCase), $"{path} carries {secret}: {body}");
            }

            rows.AddRange(JsonDocument.Parse(body).RootElement.EnumerateArray().Where(c => c.GetProperty("trialId").GetString() == trialId).Select(c => c.Clone()));
            next = response.Headers.TryGetValues("Link", out var link) && link.Single() is var l ? new Uri(l[1..l.IndexOf('>', StringComparison.Ordinal)]) : null;
        }

        return rows;
    }

    [ServerFact]
    public async Task Rater_ListsTheirOwnRatings_EachWithItsCorrectionTarget_AndCorrectsOneThroughIt_NeverAnotherRatersOrAPaperRating()
    {
        var trialId = await TrialAsync(new { minMargin = 1, doubleRating = new { share = 1.0 } });
        var agreed = await ConsentedAsync(trialId);
        var single = await ConsentedAsync(trialId);
        var paper = await ConsentedAsync(trialId);
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await RateAsync(Rater2, agreed, [2, 4, 3, 1]));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await RateAsync(Rater, agreed, [0, 4, 1, 1]));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await RateAsync(Rater, single, [4, 0, 0, 0]));
        // A paper rating in this rater's name: the coordinator who entered it corrects it, so it is not the rater's to list.
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await TestTrials.RateAsync(server, paper, "dev-rater", [4, 0, 0, 0]));

        var mine = await OwnListAsync(Rater, "/api/raters/me/ratings", trialId);
        Assert.Equal([(single, "rating:1"), (agreed, "rating:2")],
            mine.Select(r => (r.GetProperty("participantId").GetString(), r.GetProperty("target").GetString())).ToList());
        var second = mine[1];
        Assert.Equal(4, second.GetProperty("scores").GetProperty("interpersonal").GetInt32());
        Assert.Equal("interpersonal", second.GetProperty("primary").GetString());
        Assert.False(second.GetProperty("consensus").GetBoolean());
        Assert.Empty(second.GetProperty("corrections").EnumerateArray());
        Assert.Equal([(agreed, "rating:1")], (await OwnListAsync(Rater2, "/api/raters/me/ratings", trialId))
            .Select(r => (r.GetProperty("participantId").GetString(), r.GetProperty("target").GetString())).ToList());

        // The target the list gave is the one the correction takes; the list then shows the corrected value and the correction.
        var corrected = await Rater.PostJsonAsync($"/api/participants/{agreed}/corrections",
            new { target = second.GetProperty("target").GetString(), field = "environmental", value = 0, reason = "misread the notes" });
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, corrected);
        var again = (await OwnListAsync(Rater, "/api/raters/me/ratings", trialId)).Single(r => r.GetProperty("participantId").GetString() == agreed);
        Assert.Equal(0, again.GetProperty("scores").GetProperty("environmental").GetInt32());
        var correction = Assert.Single(again.GetProperty("corrections").EnumerateArray());
        Assert.Equal(("rating:2", "environmental", "misread the notes"),
            (correction.GetProperty("target").GetString(), correction.GetProperty("field").GetString(), correction.GetProperty("reason").GetString()));

        // Another rater's rating, by the number it has, stays refused (the list named only this rater's).
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Forbidden, await Rater.PostJsonAsync($"/api/participants/{agreed}/corrections",
            new { target = "rating:1", field = "environmental", value = 0, reason = "not mine" }));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.BadRequest, await Rater.GetAsync("/api/raters/me/ratings?limit=0"));
    }

    /// <summary>A randomized participant (primary formulation <paramref name="lead"/>) with an attended session 1.</summary>
    private async Task<string> InSessionAsync(string trialId, string lead = "cognitive")
    {
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Admin.PostJsonAsync($"/api/trials/{trialId}/therapists",
            new { code = "dev-therapist", site = "AAA", arms = new[] { "mediator", "moderator" } }));
        var id = (await Documents.DocumentSupport.RandomizedParticipantAsync(server, trialId, lead: lead)).GetProperty("participantId").GetString()!;
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await server.Coordinator.PostJsonAsync($"/api/participants/{id}/therapist", new { therapist = "dev-therapist" }));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created,
            await server.Client("dev-therapist").PostJsonAsync($"/api/participants/{id}/sessions", new { number = 1, date = today, attendance = "attended" }));
        return id;
    }

    /// <summary>Every adherence item of a fidelity form answered <paramref name="value"/> (the competence items then do not apply).</summary>
    private async Task<Dictionary<string, int>> FidelityAnswersAsync(string form, int value = 0) =>
        (await (await Rater.GetAsync($"/api/instruments/{form}")).JsonAsync()).GetProperty("items").EnumerateArray()
        .Where(i => i.GetProperty("appliesWhen").ValueKind == JsonValueKind.Null).ToDictionary(i => i.GetProperty("id").GetString()!, _ => value);

    [ServerFact]
    public async Task Rater_ListsTheFidelityFormsTheyRecorded_WithTheMeasureTarget_AndCorrectsOneThroughIt_WithoutAnArm()
    {
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        var id = await InSessionAsync(trialId);
        var recorded = await Rater.PostJsonAsync($"/api/participants/{id}/measures",
            new { instrument = "fidelity-cognitive", session = 1, completedOn = today, items = await FidelityAnswersAsync("fidelity-cognitive") });
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, recorded);
        var measureId = (await recorded.JsonAsync()).GetProperty("id").GetString()!;

        var mine = Assert.Single(await OwnListAsync(Rater, "/api/raters/me/fidelity-ratings", trialId));
        Assert.Equal((id, $"measure:{measureId}", "fidelity-cognitive", 1),
            (mine.GetProperty("participantId").GetString(), mine.GetProperty("target").GetString(), mine.GetProperty("instrument").GetString(), mine.GetProperty("session").GetInt32()));
        Assert.Equal(0, mine.GetProperty("items").GetProperty("27").GetInt32());
        Assert.Empty(await OwnListAsync(Rater2, "/api/raters/me/fidelity-ratings", trialId));

        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await Rater.PostJsonAsync($"/api/participants/{id}/corrections",
            new { target = mine.GetProperty("target").GetString(), field = "items.27", value = 2, reason = "missed the blaming remark" }));
        var again = Assert.Single(await OwnListAsync(Rater, "/api/raters/me/fidelity-ratings", trialId));
        Assert.Equal(2, again.GetProperty("items").GetProperty("27").GetInt32());
        Assert.Equal("missed the blaming remark", Assert.Single(again.GetProperty("corrections").EnumerateArray()).GetProperty("reason").GetString());
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.BadRequest, await Rater.GetAsync("/api/raters/me/fidelity-ratings?after=bad!"));
    }

    [ServerFact]
    public async Task AFidelityFormOfAnotherFormulation_IsA400NamingTheParticipantsForm_NothingRecorded_AndBeforeASessionBothFormsMeetTheSame409()
    {
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        var id = await InSessionAsync(trialId);
        async Task<int> FidelityMeasuresAsync() =>
            (await (await server.Coordinator.GetAsync($"/api/participants/{id}/measures")).JsonAsync()).EnumerateArray()
            .Count(m => m.GetProperty("instrument").GetString()!.StartsWith("fidelity-", StringComparison.Ordinal));

        // The session was delivered under the cognitive formulation's cell: another formulation's form rates the wrong checklist.
        foreach (var (client, form) in new[] { (Rater, "fidelity-behavioral"), (server.Coordinator, "fidelity-interpersonal") })
        {
            var wrong = await client.PostJsonAsync($"/api/participants/{id}/measures",
                new { instrument = form, session = 1, completedOn = today, items = await FidelityAnswersAsync(form) });
            var problem = await ProblemAssertions.Assert400Async(wrong);
            problem.AssertNames("instrument");
            Assert.Contains("fidelity-cognitive", string.Join(" ", problem["instrument"]), StringComparison.Ordinal);
        }

        Assert.Equal(0, await FidelityMeasuresAsync());
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await Rater.PostJsonAsync($"/api/participants/{id}/measures",
            new { instrument = "fidelity-cognitive", session = 1, completedOn = today, items = await FidelityAnswersAsync("fidelity-cognitive") }));
        Assert.Equal(1, await FidelityMeasuresAsync());

        // Before randomization there is no session to rate: the participant's form and another get the same 409, so a rater
        // cannot learn a decided formulation by trying the forms.
        var formulated = await TestTrials.FormulatedParticipantAsync(server, trialId, lead: "behavioral");
        var details = new List<string>();
        foreach (var form in new[] { "fidelity-behavioral", "fidelity-cognitive" })
        {
            var early = await Rater.PostJsonAsync($"/api/participants/{formulated}/measures",
                new { instrument = form, session = 1, completedOn = today, items = await FidelityAnswersAsync(form) });
            await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Conflict, early);
            details.Add((await early.JsonAsync()).GetProperty("detail").GetString()!);
        }

        Assert.Equal(details[0], details[1]);
    }

    [ServerFact]
    public async Task Rater_RatesAsItself_ARaterFieldIsRefused_AndACoordinatorEntersOnARatersBehalf()
    {
        var trialId = await TrialAsync(new { minMargin = 1 });
        var id = await ConsentedAsync(trialId);

        var named = await Rater.PostJsonAsync($"/api/participants/{id}/formulations", new { rater = "R07", scores = Scores([4, 1, 0, 0]) });
        (await ProblemAssertions.Assert400Async(named)).AssertNames("rater");
        var unnamed = await server.Coordinator.PostJsonAsync($"/api/participants/{id}/formulations", new { scores = Scores([4, 1, 0, 0]) });
        (await ProblemAssertions.Assert400Async(unnamed)).AssertNames("rater");
        Assert.Empty((await ParticipantAsync(id)).GetProperty("ratings").EnumerateArray());

        var rated = await RateAsync(Rater, id, [4, 1, 0, 0]);
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, rated);
        var answer = await rated.JsonAsync();
        Assert.Equal(id, answer.GetProperty("participantId").GetString());
        Assert.Equal(6, answer.GetProperty("motivation").GetInt32());
        Assert.Equal("cognitive", Assert.Single(answer.GetProperty("yourRatings").EnumerateArray()).GetProperty("primary").GetString());
        foreach (var hidden in new[] { "status", "ratings", "allocation", "primaryFormulation" })
        {
            Assert.False(answer.TryGetProperty(hidden, out _), $"a rater's answer carries '{hidden}'");
        }

        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await TestTrials.RateAsync(server, id, "R02", [4, 0, 1, 0]));
        var ratings = (await ParticipantAsync(id)).GetProperty("ratings").EnumerateArray().ToList();
        Assert.Equal(("dev-rater", JsonValueKind.Null), (ratings[0].GetProperty("rater").GetString(), ratings[0].GetProperty("enteredBy").ValueKind));
        Assert.Equal(("R02", "dev-coordinator"), (ratings[1].GetProperty("rater").GetString(), ratings[1].GetProperty("enteredBy").GetString()));
    }

    [ServerFact]
    public async Task Queue_HoldsTheCasesWaitingForThisRater_WithTheCaseMaterialOnly()
    {
        var trialId = await TrialAsync(new { minMargin = 1 });
        var id = await ConsentedAsync(trialId);

        var waiting = Assert.Single(await QueueAsync(Rater, trialId));
        Assert.Equal((id, "rating", 15), (waiting.GetProperty("participantId").GetString(), waiting.GetProperty("task").GetString(), waiting.GetProperty("severity").GetInt32()));
        Assert.Single(await QueueAsync(Rater2, trialId));

        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await RateAsync(Rater, id, [4, 1, 0, 0]));

        Assert.Equal("formulated", (await ParticipantAsync(id)).GetProperty("status").GetString());
        Assert.Empty(await QueueAsync(Rater, trialId));
        Assert.Empty(await QueueAsync(Rater2, trialId));
    }

    [ServerFact]
    public async Task Certification_OnlyCertifiedRatersCount_AndTheExpertsAnswerIsNeverShown()
    {
        var trialId = await TrialAsync(new { minMargin = 1, certification = new { minAgreement = 0.5, minCases = 2 } });
        var id = await ConsentedAsync(trialId);
        var contradicting = await server.Admin.PostJsonAsync($"/api/trials/{trialId}/reference-cases",
            new { code = "RC00", scores = Scores([4, 1, 0, 0]), primary = "interpersonal", material = "case" });
        (await ProblemAssertions.Assert400Async(contradicting)).AssertNames("primary");
        foreach (var (code, s, primary) in new[] { ("RC01", new[] { 4, 1, 0, 0 }, "cognitive"), ("RC02", new[] { 0, 4, 1, 0 }, "interpersonal") })
        {
            await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Admin.PostJsonAsync($"/api/trials/{trialId}/reference-cases",
                new { code, scores = Scores(s), primary, material = $"Case {code}: low mood since a job loss." }));
        }

        // Not certified: the rating is refused (not kept), by a rater key and by a coordinator naming that rater alike.
        Assert.Empty(await QueueAsync(Rater, trialId));
        var refused = await RateAsync(Rater, id, [4, 1, 0, 0]);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("not certified", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, (await TestTrials.RateAsync(server, id, "dev-rater", [4, 1, 0, 0])).StatusCode);
        Assert.Empty((await ParticipantAsync(id)).GetProperty("ratings").EnumerateArray());

        var cases = await (await Rater.GetAsync($"/api/trials/{trialId}/reference-cases")).ReadAsync<JsonElement>();
        Assert.Equal(2, cases.GetArrayLength());
        Assert.DoesNotContain("cognitive", cases.GetRawText(), StringComparison.Ordinal);

        var first = await Rater.PostJsonAsync($"/api/trials/{trialId}/reference-cases/RC01/ratings", new { scores = Scores([3, 1, 0, 0]) });
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, first);
        Assert.Equal("""{"agreed":true,"certified":false}""", await first.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Conflict, (await Rater.PostJsonAsync($"/api/trials/{trialId}/reference-cases/RC01/ratings", new { scores = Scores([3, 1, 0, 0]) })).StatusCode);
        var second = await Rater.PostJsonAsync($"/api/trials/{trialId}/reference-cases/RC02/ratings", new { scores = Scores([4, 1, 0, 0]) });
        Assert.Equal("""{"agreed":false,"certified":true}""", await second.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await Rater.PostJsonAsync($"/api/trials/{trialId}/reference-cases/RC99/ratings", new { scores = Scores([4, 1, 0, 0]) })).StatusCode);

        Assert.Single(await QueueAsync(Rater, trialId));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await RateAsync(Rater, id, [4, 1, 0, 0]));

        var raters = await (await server.Statistician.GetAsync($"/api/trials/{trialId}/raters")).JsonAsync();
        Assert.True(raters.GetProperty("certificationRequired").GetBoolean());
        var me = Assert.Single(raters.GetProperty("raters").EnumerateArray());
        Assert.Equal("dev-rater", me.GetProperty("rater").GetString());
        Assert.True(me.GetProperty("certified").GetBoolean());
        Assert.Equal((2, 0.5), (me.GetProperty("practice").GetProperty("cases").GetInt32(), me.GetProperty("practice").GetProperty("agreement").GetDouble()));
        Assert.Equal(1, me.GetProperty("ratings").GetInt32());
    }

    [ServerFact]
    public async Task ReferenceCases_NeedACertificationRule_AndATrialWithoutThemCertifiesNobody()
    {
        var trialId = await TrialAsync(new { minMargin = 1 });
        var added = await server.Admin.PostJsonAsync($"/api/trials/{trialId}/reference-cases",
            new { code = "RC01", scores = Scores([4, 1, 0, 0]), primary = "cognitive", material = "case" });
        Assert.Equal(HttpStatusCode.Conflict, added.StatusCode);

        var raters = await (await server.Admin.GetAsync($"/api/trials/{trialId}/raters")).JsonAsync();
        Assert.False(raters.GetProperty("certificationRequired").GetBoolean());
    }

    [ServerFact]
    public async Task DoubleRating_WaitsForASecondRater_ThenAConsensus_WhichDecides()
    {
        var trialId = await TrialAsync(new { minMargin = 1, doubleRating = new { share = 1.0 } });
        var id = await ConsentedAsync(trialId);

        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await RateAsync(Rater, id, [4, 1, 0, 0]));
        var pending = await ParticipantAsync(id);
        Assert.Equal(("formulationPending", "secondRating"), (pending.GetProperty("status").GetString(), pending.GetProperty("awaitingFormulation").GetString()));
        var early = await server.Coordinator.PostJsonAsync($"/api/participants/{id}/randomization", null);
        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        Assert.Contains("second independent rating", await early.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(1, (await ConsortFormulationAsync(trialId)).GetProperty("pendingSecondRating").GetInt32());

        // The second rater gets the case, and nothing of the first rating.
        Assert.Empty(await QueueAsync(Rater, trialId));
        var forSecond = Assert.Single(await QueueAsync(Rater2, trialId));
        Assert.Equal("rating", forSecond.GetProperty("task").GetString());
        Assert.Empty(forSecond.GetProperty("yourRatings").EnumerateArray());
        Assert.DoesNotContain("dev-rater\"", forSecond.GetRawText(), StringComparison.Ordinal);

        var second = await RateAsync(Rater2, id, [0, 4, 1, 0]);
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, second);
        Assert.Single((await second.JsonAsync()).GetProperty("yourRatings").EnumerateArray());
        Assert.Equal("consensus", (await ParticipantAsync(id)).GetProperty("awaitingFormulation").GetString());
        var stillWaiting = await server.Coordinator.PostJsonAsync($"/api/participants/{id}/randomization", null);
        Assert.Contains("consensus rating", await stillWaiting.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var consort = await ConsortFormulationAsync(trialId);
        Assert.Equal((0, 1), (consort.GetProperty("pendingSecondRating").GetInt32(), consort.GetProperty("pendingConsensus").GetInt32()));
        Assert.Equal("consensus", Assert.Single(await QueueAsync(Rater, trialId)).GetProperty("task").GetString());

        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await RateAsync(Rater, id, [1, 4, 0, 0], consensus: true));
        var decided = await ParticipantAsync(id);
        Assert.Equal(("formulated", "interpersonal", 3), (decided.GetProperty("status").GetString(),
            decided.GetProperty("primaryFormulation").GetString(), decided.GetProperty("decidingRating").GetInt32()));
        Assert.Empty(await QueueAsync(Rater, trialId));
        Assert.Equal(HttpStatusCode.Created, (await server.Coordinator.PostJsonAsync($"/api/participants/{id}/randomization", null)).StatusCode);

        var listed = Assert.Single((await (await server.Statistician.GetAsync($"/api/trials/{trialId}/double-ratings")).JsonAsync())
            .GetProperty("participants").EnumerateArray());
        Assert.Equal((id, 2, 3), (listed.GetProperty("participantId").GetString(), listed.GetProperty("independentRatings").GetInt32(), listed.GetProperty("decidingRating").GetInt32()));

        var audit = (await (await server.Admin.GetAsync("/api/audit")).JsonAsync()).GetRawText();
        Assert.True(audit.Split("RateFormulation").Length - 1 >= 3, "every rating is in the audit trail");
    }

    [ServerFact]
    public async Task DrawnParticipants_AreExactlyThoseTheStatisticianIsShown()
    {
        var trialId = await TrialAsync(new { minMargin = 1, doubleRating = new { share = 0.5 } });
        var ids = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            var id = await ConsentedAsync(trialId);
            await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await RateAsync(Rater, id, [4, 1, 0, 0]));
            ids.Add(id);
        }

        var listed = await server.Statistician.GetAsync($"/api/trials/{trialId}/double-ratings");
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, listed);
        var list = await listed.JsonAsync();
        Assert.Equal(0.5, list.GetProperty("share").GetDouble());
        var drawn = list.GetProperty("participants").EnumerateArray().ToDictionary(p => p.GetProperty("participantId").GetString()!, p => p.GetProperty("draw").GetDouble());
        Assert.All(drawn.Values, d => Assert.InRange(d, 0, 0.5));
        foreach (var id in ids)
        {
            var status = (await ParticipantAsync(id)).GetProperty("status").GetString();
            Assert.Equal(drawn.ContainsKey(id) ? "formulationPending" : "formulated", status);
        }
    }

    [ServerFact]
    public async Task DefinitionAdditions_AreStrict()
    {
        object[] bad =
        [
            new { minMargin = 1, doubleRating = new { share = 0.0 } },
            new { minMargin = 1, doubleRating = new { share = 1.5 } },
            new { minMargin = 1, doubleRating = new { } },
            new { minMargin = 1, certification = new { minAgreement = 0.0, minCases = 3 } },
            new { minMargin = 1, certification = new { minAgreement = 1.1, minCases = 3 } },
            new { minMargin = 1, certification = new { minAgreement = 0.8, minCases = 0 } },
            new { minMargin = 1, certification = new { minAgreement = 0.8 } },
            new { minMargin = 1, doubleRating = new { share = 0.5, shares = 0.5 } },
        ];
        foreach (var rule in bad)
        {
            var definition = TestTrials.Definition();
            definition["formulationRule"] = rule;
            var response = await server.Admin.PostJsonAsync("/api/trials", definition);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{JsonSerializer.Serialize(rule)}: {(int)response.StatusCode}");
        }
    }

    [ServerFact]
    public async Task EveryResponseARaterCanGet_HidesOtherRatersScores_TheArm_AndTheAllocation()
    {
        // The routes a rater key may use: a new one must be added here, and checked.
        var allowed = AuthorizationMatrixTests.Matrix.Where(r => r.Rater == AuthorizationMatrixTests.Expect.Allowed && r.Pattern.StartsWith("/api", StringComparison.Ordinal))
            .Select(r => $"{r.Method} {r.Pattern}").Order().ToList();
        Assert.Equal(
            [
                "GET /api/instruments",
                "GET /api/instruments/{code}",
                "GET /api/raters/me/fidelity-ratings",
                "GET /api/raters/me/queue",
                "GET /api/raters/me/ratings",
                "GET /api/trials",
                "GET /api/trials/{trialId}",
                "GET /api/trials/{trialId}/reference-cases",
                "POST /api/participants/{participantId}/corrections",
                "POST /api/participants/{participantId}/formulations",
                "POST /api/participants/{participantId}/measures",
                "POST /api/trials/{trialId}/reference-cases/{code}/ratings",
            ],
            allowed);

        var trialId = await TrialAsync(new { minMargin = 1, doubleRating = new { share = 1.0 }, certification = new { minAgreement = 0.5, minCases = 1 } });
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Admin.PostJsonAsync($"/api/trials/{trialId}/reference-cases",
            new { code = "RC01", scores = Scores([4, 1, 0, 0]), primary = "cognitive", material = "case" }));
        foreach (var rater in new[] { Rater, Rater2 })
        {
            await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created,
                await rater.PostJsonAsync($"/api/trials/{trialId}/reference-cases/RC01/ratings", new { scores = Scores([3, 0, 0, 0]) }));
        }

        // One participant rated by both (they agree) and randomized; one rated by the other rater, waiting for this one.
        var randomized = await ConsentedAsync(trialId);
        var waiting = await ConsentedAsync(trialId);
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await RateAsync(Rater2, randomized, [2, 4, 3, 1]));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await RateAsync(Rater, randomized, [0, 4, 1, 1]));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Coordinator.PostJsonAsync($"/api/participants/{randomized}/randomization", null));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await RateAsync(Rater2, waiting, [2, 4, 3, 1]));
        var seed = (await (await server.Statistician.GetAsync($"/api/trials/{trialId}")).JsonAsync()).GetProperty("randomization").GetProperty("seed").GetString()!;

        var bodies = new Dictionary<string, string>
        {
            ["queue"] = await (await Rater.GetAsync("/api/raters/me/queue?limit=1000")).Content.ReadAsStringAsync(),
            ["instruments"] = await (await Rater.GetAsync("/api/instruments")).Content.ReadAsStringAsync(),
            ["fidelity form"] = await (await Rater.GetAsync("/api/instruments/fidelity-cognitive")).Content.ReadAsStringAsync(),
            ["trials"] = await (await Rater.GetAsync("/api/trials")).Content.ReadAsStringAsync(),
            ["trial"] = await (await Rater.GetAsync($"/api/trials/{trialId}")).Content.ReadAsStringAsync(),
            ["reference cases"] = await (await Rater.GetAsync($"/api/trials/{trialId}/reference-cases")).Content.ReadAsStringAsync(),
            ["rating"] = await (await RateAsync(Rater, waiting, [4, 0, 0, 0])).Content.ReadAsStringAsync(),
            // Rating 2 of the waiting participant is this rater's own.
            ["correction"] = await (await Rater.PostJsonAsync($"/api/participants/{waiting}/corrections",
                new { target = "rating:2", field = "environmental", value = 1, reason = "slip" })).Content.ReadAsStringAsync(),
            ["rating after allocation"] = await (await RateAsync(Rater, randomized, [4, 0, 0, 0], consensus: true)).Content.ReadAsStringAsync(),
            ["own ratings"] = await (await Rater.GetAsync("/api/raters/me/ratings?limit=1000")).Content.ReadAsStringAsync(),
            ["own fidelity ratings"] = await (await Rater.GetAsync("/api/raters/me/fidelity-ratings?limit=1000")).Content.ReadAsStringAsync(),
            ["practice"] = await (await Rater.PostJsonAsync($"/api/trials/{trialId}/reference-cases/RC01/ratings", new { scores = Scores([4, 0, 0, 0]) })).Content.ReadAsStringAsync(),
        };
        Assert.Contains(waiting, bodies["rating"], StringComparison.Ordinal);
        Assert.Contains("\"target\":\"rating:2\"", bodies["correction"], StringComparison.Ordinal);
        foreach (var (name, body) in bodies)
        {
            foreach (var secret in new[] { "dev-rater-2", "\"allocation\"", "\"stratum\"", "\"sequence\"", "\"arm\"", "\"ratings\"", "\"primaryFormulation\"", "\"status\":\"randomized", "is randomized", seed, "\"blockSizes\":[" })
            {
                Assert.False(body.Contains(secret, StringComparison.Ordinal), $"The rater's {name} answer carries {secret}: {body}");
            }
        }
    }

    private async Task<JsonElement> ConsortFormulationAsync(string trialId) =>
        (await (await server.Statistician.GetAsync($"/api/trials/{trialId}/consort")).JsonAsync()).GetProperty("formulation");
}

[Collection(SqliteServerCollection.Name)]
public sealed class RaterTests_Sqlite(SqliteTrialServer server) : RaterTests(server);

[Collection(PostgresServerCollection.Name)]
public sealed class RaterTests_Postgres(PostgresTrialServer server) : RaterTests(server), IRunsOnPostgres;
