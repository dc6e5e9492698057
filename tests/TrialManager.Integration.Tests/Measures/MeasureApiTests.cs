using System.Globalization;
using System.Net;
using System.Text.Json;
using TrialManager.Integration.Tests.Api;
using TrialManager.Integration.Tests.Documents;
using TrialManager.Integration.Tests.Harness;

namespace TrialManager.Integration.Tests.Measures;

/// <summary>Measures at sessions, scored by the server from the instrument, and the safety alerts they raise, over HTTP.</summary>
public abstract class MeasureApiTests(TrialServer server)
{
    private static readonly string Today = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private HttpClient Therapist => server.Client("dev-therapist");

    /// <summary>A randomized participant treated by the demo therapist, with sessions 1 and 2 held (3 was a no-show).</summary>
    private async Task<(string TrialId, string Id)> InTherapyAsync()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Admin.PostJsonAsync($"/api/trials/{trialId}/therapists",
            new { code = "dev-therapist", site = "AAA", arms = new[] { "mediator", "moderator" } }));
        var id = (await DocumentSupport.RandomizedParticipantAsync(server, trialId)).GetProperty("participantId").GetString()!;
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await server.Coordinator.PostJsonAsync($"/api/participants/{id}/therapist", new { therapist = "dev-therapist" }));
        foreach (var (number, attendance) in new[] { (1, "attended"), (2, "attended"), (3, "noShow") })
        {
            await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await Therapist.PostJsonAsync($"/api/participants/{id}/sessions", new { number, date = Today, attendance }));
        }

        return (trialId, id);
    }

    private static Dictionary<string, int> Phq9(params int[] answers) =>
        answers.Select((a, i) => (Key: (i + 1).ToString(CultureInfo.InvariantCulture), a)).ToDictionary(x => x.Key, x => x.a);

    [ServerFact]
    public async Task Phq9_IsScoredByTheServer_AndASelfHarmAnswerRaisesAnAlertTheSiteAcknowledges()
    {
        var (trialId, id) = await InTherapyAsync();

        var recorded = await server.Coordinator.PostJsonAsync($"/api/participants/{id}/measures",
            new { instrument = "phq9", session = 1, completedOn = Today, items = Phq9(2, 2, 1, 1, 2, 1, 1, 0, 1) });
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, recorded);
        var body = await recorded.JsonAsync();
        Assert.Equal(11, body.GetProperty("scores").GetProperty("total").GetDouble());
        Assert.Equal("moderate", body.GetProperty("band").GetString());
        Assert.False(body.GetProperty("prorated").GetBoolean());
        var alert = Assert.Single(body.GetProperty("alerts").EnumerateArray());
        Assert.Equal("selfHarm", alert.GetProperty("rule").GetString());

        var open = await (await server.Coordinator.GetAsync($"/api/trials/{trialId}/alerts")).JsonAsync();
        Assert.Equal(alert.GetProperty("id").GetString(), Assert.Single(open.EnumerateArray()).GetProperty("id").GetString());
        var alertId = alert.GetProperty("id").GetString();
        (await ProblemAssertions.Assert400Async(await server.Coordinator.PostJsonAsync($"/api/alerts/{alertId}/acknowledgement", new { action = " " }))).AssertNames("action");
        var acknowledged = await server.Coordinator.PostJsonAsync($"/api/alerts/{alertId}/acknowledgement", new { action = "called the participant; safety plan reviewed" });
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, acknowledged);
        Assert.Equal("dev-coordinator", (await acknowledged.JsonAsync()).GetProperty("acknowledgedBy").GetString());
        await ProblemAssertions.AssertConflictNamingAsync(await server.Coordinator.PostJsonAsync($"/api/alerts/{alertId}/acknowledgement", new { action = "again" }), "already acknowledged");
        Assert.Empty((await (await server.Coordinator.GetAsync($"/api/trials/{trialId}/alerts")).JsonAsync()).EnumerateArray());
        Assert.Single((await (await server.Coordinator.GetAsync($"/api/trials/{trialId}/alerts?status=all")).JsonAsync()).EnumerateArray());
        Assert.Equal(HttpStatusCode.NotFound, (await server.Coordinator.PostJsonAsync($"/api/alerts/{Guid.NewGuid()}/acknowledgement", new { action = "x" })).StatusCode);
    }

    [ServerFact]
    public async Task Phq9_ThatRisesByFiveSinceTheLastSession_RaisesADeteriorationAlert_AndAMissingItemIsProrated()
    {
        var (_, id) = await InTherapyAsync();
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Coordinator.PostJsonAsync($"/api/participants/{id}/measures",
            new { instrument = "phq9", session = 1, completedOn = Today, items = Phq9(1, 1, 1, 1, 1, 0, 0, 0, 0) }));

        // Item 5 missing: 8 answers summing to 10, prorated to 10 * 9 / 8 = 11.25, a rise of more than 5 on 5.
        var items = Phq9(2, 2, 2, 1, 0, 1, 1, 1, 0);
        items.Remove("5");
        var second = await server.Coordinator.PostJsonAsync($"/api/participants/{id}/measures", new { instrument = "phq9", session = 2, completedOn = Today, items });
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, second);
        var body = await second.JsonAsync();
        Assert.True(body.GetProperty("prorated").GetBoolean());
        Assert.Equal(["deterioration"], body.GetProperty("alerts").EnumerateArray().Select(a => a.GetProperty("rule").GetString()));

        var all = await (await server.Statistician.GetAsync($"/api/participants/{id}/measures")).JsonAsync();
        Assert.Equal([1, 2], all.EnumerateArray().Select(m => m.GetProperty("session").GetInt32()));

        // Paged like every list: one at a time, following the Link to the end.
        var first = await server.Statistician.GetAsync($"/api/participants/{id}/measures?limit=1");
        Assert.Equal([1], (await first.JsonAsync()).EnumerateArray().Select(m => m.GetProperty("session").GetInt32()));
        var next = first.Headers.GetValues("Link").Single();
        var last = await server.Statistician.GetAsync(new Uri(next[1..next.IndexOf('>', StringComparison.Ordinal)]));
        Assert.Equal([2], (await last.JsonAsync()).EnumerateArray().Select(m => m.GetProperty("session").GetInt32()));
        Assert.False(last.Headers.Contains("Link"));
        (await ProblemAssertions.Assert400Async(await server.Statistician.GetAsync($"/api/participants/{id}/measures?after=nonsense"))).AssertNames("after");
    }

    [ServerFact]
    public async Task BadMeasures_Are400s_Or409s_AndRecordNothing()
    {
        var (_, id) = await InTherapyAsync();
        var path = $"/api/participants/{id}/measures";
        object Body(object items, int session = 1, string instrument = "phq9") => new { instrument, session, completedOn = Today, items };

        (await ProblemAssertions.Assert400Async(await server.Coordinator.PostJsonAsync(path, Body(new Dictionary<string, int> { ["10"] = 1 })))).AssertNames("items.10");
        var outOfScale = Phq9(1, 1, 1, 1, 1, 1, 1, 1, 1);
        outOfScale["3"] = 4;
        (await ProblemAssertions.Assert400Async(await server.Coordinator.PostJsonAsync(path, Body(outOfScale)))).AssertNames("items.3");
        (await ProblemAssertions.Assert400Async(await server.Coordinator.PostJsonAsync(path, Body(new Dictionary<string, double> { ["1"] = 1.5 })))).AssertNames("items.1");
        (await ProblemAssertions.Assert400Async(await server.Coordinator.PostJsonAsync(path, Body(Phq9(1, 1, 1, 1, 1, 1, 1, 1, 1), instrument: "phq10")))).AssertNames("instrument");
        (await ProblemAssertions.Assert400Async(await server.Coordinator.PostJsonAsync(path, new { instrument = "phq9", completedOn = Today, items = Phq9(1, 1, 1, 1, 1, 1, 1, 1, 1) }))).AssertNames("session");
        (await ProblemAssertions.Assert400Async(await server.Coordinator.PostJsonAsync(path, new { instrument = "phq9", visit = "followUp3m", session = 1, completedOn = Today, items = Phq9(1, 1, 1, 1, 1, 1, 1, 1, 1) }))).AssertNames("visit");
        await ProblemAssertions.AssertConflictNamingAsync(await server.Coordinator.PostJsonAsync(path, Body(Phq9(1, 1, 1, 1, 1, 1, 1, 1, 1), session: 5)), "Session 5 is not recorded");
        await ProblemAssertions.AssertConflictNamingAsync(await server.Coordinator.PostJsonAsync(path, Body(Phq9(1, 1, 1, 1, 1, 1, 1, 1, 1), session: 3)), "was recorded as");

        Assert.Empty((await (await server.Coordinator.GetAsync($"/api/participants/{id}/measures")).JsonAsync()).EnumerateArray());
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Coordinator.PostJsonAsync(path, Body(Phq9(0, 0, 0, 0, 0, 0, 0, 0, 0))));
        await ProblemAssertions.AssertConflictNamingAsync(await server.Coordinator.PostJsonAsync(path, Body(Phq9(0, 0, 0, 0, 0, 0, 0, 0, 0))), "already recorded");
    }

    [ServerFact]
    public async Task ASessionMeasure_BeforeItsSession_Is400_AndOfAParticipantTheKeyMayNotSee_Is404_AndRecordsNothing()
    {
        var (trialId, id) = await InTherapyAsync();
        var yesterday = DateTime.UtcNow.AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var items = Phq9(1, 1, 1, 1, 1, 1, 1, 1, 0);

        (await ProblemAssertions.Assert400Async(await server.Coordinator.PostJsonAsync($"/api/participants/{id}/measures",
            new { instrument = "phq9", session = 1, completedOn = yesterday, items }))).AssertNames("completedOn");
        Assert.Equal(HttpStatusCode.NotFound, (await server.Coordinator.PostJsonAsync("/api/participants/nobody-0001/measures",
            new { instrument = "phq9", session = 1, completedOn = Today, items })).StatusCode);
        // Randomized, with a session, but another therapist's participant: to the demo therapist it does not exist.
        var other = (await DocumentSupport.RandomizedParticipantAsync(server, trialId)).GetProperty("participantId").GetString()!;
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Admin.PostJsonAsync($"/api/trials/{trialId}/therapists",
            new { code = "t-other", site = "AAA", arms = new[] { "mediator", "moderator" } }));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await server.Coordinator.PostJsonAsync($"/api/participants/{other}/therapist", new { therapist = "t-other" }));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created,
            await server.Coordinator.PostJsonAsync($"/api/participants/{other}/sessions", new { number = 1, date = Today, attendance = "attended" }));
        Assert.Equal(HttpStatusCode.NotFound, (await Therapist.PostJsonAsync($"/api/participants/{other}/measures",
            new { instrument = "alliance12", session = 1, completedOn = Today, items = Enumerable.Range(1, 12).ToDictionary(i => i.ToString(CultureInfo.InvariantCulture), _ => 3) })).StatusCode);

        Assert.Empty((await (await server.Coordinator.GetAsync($"/api/participants/{id}/measures")).JsonAsync()).EnumerateArray());
        Assert.Empty((await (await server.Coordinator.GetAsync($"/api/participants/{other}/measures")).JsonAsync()).EnumerateArray());
    }

    [ServerFact]
    public async Task TheSameMeasure_SentConcurrently_IsRecordedOnce_AndTheOthersAre409s()
    {
        // The handler reads the earlier measures before the write gate: a copy recorded meanwhile must still be seen.
        var (_, id) = await InTherapyAsync();
        var path = $"/api/participants/{id}/measures";
        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ =>
            server.Coordinator.PostJsonAsync(path, new { instrument = "phq9", session = 1, completedOn = Today, items = Phq9(1, 1, 1, 1, 1, 1, 1, 1, 0) })));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            await ProblemAssertions.AssertConflictNamingAsync(refused, "already recorded");
        }

        Assert.Single((await (await server.Coordinator.GetAsync(path)).JsonAsync()).EnumerateArray());
    }

    [ServerFact]
    public async Task MeasuresOfOneInstrument_SentConcurrently_EachRaiseTheDeteriorationAlertTheMeasuresCommittedBeforeThemCall()
    {
        // Totals 0 at odd sessions and 8 at even ones: an even session's measure deteriorated exactly when the latest
        // earlier session recorded before it (in commit order) is an odd one. Read before the gate, a measure committed
        // meanwhile must still count.
        var (_, id) = await InTherapyAsync();
        const int sessions = 16;
        for (var number = 4; number <= sessions; number++)
        {
            await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created,
                await Therapist.PostJsonAsync($"/api/participants/{id}/sessions", new { number, date = Today, attendance = "attended" }));
        }

        var path = $"/api/participants/{id}/measures";
        var held = Enumerable.Range(1, sessions).Where(n => n != 3).ToList();
        var responses = await Task.WhenAll(held.Select(session => server.Coordinator.PostJsonAsync(path,
            new { instrument = "phq9", session, completedOn = Today, items = session % 2 == 0 ? Phq9(1, 1, 1, 1, 1, 1, 1, 1, 0) : Phq9(0, 0, 0, 0, 0, 0, 0, 0, 0) })));
        var recorded = new List<(int Session, DateTimeOffset At, double Total, bool Alerted)>();
        foreach (var response in responses)
        {
            await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, response);
            var body = await response.JsonAsync();
            recorded.Add((body.GetProperty("session").GetInt32(), body.GetProperty("recordedAt").GetDateTimeOffset(),
                body.GetProperty("scores").GetProperty("total").GetDouble(),
                body.GetProperty("alerts").EnumerateArray().Any(a => a.GetProperty("rule").GetString() == "deterioration")));
        }

        Assert.Equal(held.Count, recorded.Select(r => r.At).Distinct().Count()); // the commit order is known
        foreach (var measure in recorded)
        {
            var previous = recorded.Where(r => r.Session < measure.Session && r.At < measure.At).OrderBy(r => r.Session).LastOrDefault();
            var expected = previous != default && measure.Total - previous.Total >= 5;
            Assert.True(expected == measure.Alerted, $"session {measure.Session}: alerted {measure.Alerted}, previous recorded session {previous.Session}");
        }
    }

    [ServerFact]
    public async Task TheTherapistEntersTheirParticipantsQuestionnaires_ARaterTheFidelityForm_AndNeitherTheOthers()
    {
        var (_, id) = await InTherapyAsync();
        var path = $"/api/participants/{id}/measures";
        var alliance = Enumerable.Range(1, 12).ToDictionary(i => i.ToString(CultureInfo.InvariantCulture), i => 1 + (i % 5));

        var recorded = await Therapist.PostJsonAsync(path, new { instrument = "alliance12", session = 1, completedOn = Today, items = alliance });
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, recorded);
        Assert.Equal("dev-therapist", (await recorded.JsonAsync()).GetProperty("recordedBy").GetString());

        var fidelity = await (await server.Coordinator.GetAsync("/api/instruments/fidelity-cognitive")).JsonAsync();
        // Every adherence item answered 0, so the competence items that depend on them do not apply and stay out.
        var zeros = fidelity.GetProperty("items").EnumerateArray().Where(i => i.GetProperty("appliesWhen").ValueKind == JsonValueKind.Null)
            .ToDictionary(i => i.GetProperty("id").GetString()!, _ => 0);
        Assert.Equal(HttpStatusCode.Forbidden, (await Therapist.PostJsonAsync(path, new { instrument = "fidelity-cognitive", session = 1, completedOn = Today, items = zeros })).StatusCode);
        var rater = server.Client("dev-rater");
        Assert.Equal(HttpStatusCode.Forbidden, (await rater.PostJsonAsync(path, new { instrument = "alliance12", session = 2, completedOn = Today, items = alliance })).StatusCode);
        var rated = await rater.PostJsonAsync(path, new { instrument = "fidelity-cognitive", session = 1, completedOn = Today, items = zeros });
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, rated);
        Assert.DoesNotContain("\"arm\"", await rated.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}

[Collection(SqliteServerCollection.Name)]
public sealed class MeasureApiTests_Sqlite(SqliteTrialServer server) : MeasureApiTests(server);

[Collection(PostgresServerCollection.Name)]
public sealed class MeasureApiTests_Postgres(PostgresTrialServer server) : MeasureApiTests(server), IRunsOnPostgres;
