using System.Net;
using System.Text.Json;
using TrialManager.Domain.Statistics;
using TrialManager.Integration.Tests.Harness;

namespace TrialManager.Integration.Tests.Api;

/// <summary>What the workflow leaves behind: reliability, CONSORT counts and the audit trail.</summary>
public abstract class WorkflowRecordsApiTests(TrialServer server)
{
    private HttpClient Coordinator { get; } = server.Coordinator;

    [ServerFact]
    public async Task Reliability_EqualsCohensKappaOnTheSamePairs()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        // (first rater's scores, second rater's scores): agreements, disagreements and indeterminate ratings.
        var ratings = new (int[] First, int[] Second)[]
        {
            ([4, 0, 0, 0], [4, 1, 0, 0]), ([4, 0, 0, 0], [3, 1, 0, 0]), ([0, 4, 0, 0], [0, 4, 1, 0]),
            ([0, 4, 0, 0], [4, 0, 0, 0]), ([3, 3, 0, 0], [3, 3, 1, 0]), ([3, 3, 0, 0], [0, 4, 0, 0]),
            ([4, 1, 0, 0], [1, 4, 0, 0]), ([0, 4, 1, 0], [0, 4, 0, 0]), ([0, 0, 4, 0], [0, 0, 4, 0]),
        };
        var pairs = new List<(string, string)>();
        foreach (var (first, second) in ratings)
        {
            var id = await ConsentedAsync(trialId);
            await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await Rate(id, "R01", first));
            await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await Rate(id, "R02", second));
            await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await Rate(id, "R03", [0, 0, 0, 4])); // a third rater is not in the pair
            pairs.Add((Primary(first), Primary(second)));
        }

        await ConsentedAsync(trialId).ContinueWith(async t => await Rate(await t, "R01", [4, 0, 0, 0])).Unwrap(); // one rater only: not counted
        var expected = CohensKappa.Compute(pairs);

        var response = await server.Statistician.GetAsync($"/api/trials/{trialId}/reliability");

        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, response);
        var body = await response.JsonAsync();
        Assert.Equal(ratings.Length, body.GetProperty("n").GetInt32());
        Assert.Equal(expected.N, body.GetProperty("n").GetInt32());
        Assert.Equal(expected.Kappa!.Value, body.GetProperty("kappa").GetDouble(), 1e-12);
        Assert.Equal(expected.StandardError!.Value, body.GetProperty("standardError").GetDouble(), 1e-12);
        Assert.Equal(expected.Agreement!.Value, body.GetProperty("agreement").GetDouble(), 1e-12);
        Assert.Equal(HttpStatusCode.Forbidden, (await Coordinator.GetAsync($"/api/trials/{trialId}/reliability")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Statistician.GetAsync("/api/trials/no-such-trial/reliability")).StatusCode);
    }

    [ServerFact]
    public async Task Consort_CountsEveryPathExactly()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        // 2 screen failures, 1 declined, 1 excluded by formulation, 1 withdrawn before allocation,
        // 1 eligible and 1 pending (still in the pipeline), 5 randomized: 1 later withdrawn, 2 completed.
        for (var i = 0; i < 2; i++)
        {
            await Coordinator.PostJsonAsync($"/api/trials/{trialId}/participants", new { site = "AAA", ageYears = 12, severity = 15, exclusions = Array.Empty<string>() });
        }

        var declined = await EligibleAsync(trialId);
        await Coordinator.PostJsonAsync($"/api/participants/{declined}/consent", new { declined = true });
        await Rate(await ConsentedAsync(trialId), "R01", [0, 0, 4, 0]);
        var early = await TestTrials.FormulatedParticipantAsync(server, trialId);
        await Coordinator.PostJsonAsync($"/api/participants/{early}/withdrawal", new { category = "withdrewConsent", reason = "changed mind" });
        await EligibleAsync(trialId);
        await Rate(await ConsentedAsync(trialId), "R01", [3, 3, 0, 0]);
        var arms = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var id = await TestTrials.FormulatedParticipantAsync(server, trialId, site: i % 2 == 0 ? "AAA" : "BBB");
            arms.Add((await (await Coordinator.PostJsonAsync($"/api/participants/{id}/randomization", null)).JsonAsync()).GetProperty("arm").GetString()!);
            var outcome = i switch
            {
                0 => await Coordinator.PostJsonAsync($"/api/participants/{id}/withdrawal", new { category = "movedAway", reason = "moved" }),
                1 or 2 => await Coordinator.PostJsonAsync($"/api/participants/{id}/completion", null),
                _ => null,
            };
            if (outcome is not null)
            {
                await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, outcome);
            }
        }

        var response = await server.Ethics.GetAsync($"/api/trials/{trialId}/consort");

        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, response);
        var c = await response.JsonAsync();
        Assert.Equal(12, c.GetProperty("assessed").GetInt32());
        var excluded = c.GetProperty("excluded");
        Assert.Equal(5, excluded.GetProperty("total").GetInt32());
        var reasons = excluded.GetProperty("reasons");
        Assert.Equal(2, reasons.GetProperty("screenFailed").GetInt32());
        Assert.Equal(1, reasons.GetProperty("declined").GetInt32());
        Assert.Equal(1, reasons.GetProperty("excluded").GetInt32());
        Assert.Equal(1, reasons.GetProperty("withdrawn").GetInt32());
        Assert.Equal(5, c.GetProperty("randomized").GetInt32());
        int By(string property, string arm, Func<int, bool> which) => Enumerable.Range(0, 5).Count(i => arms[i] == arm && which(i));
        foreach (var arm in new[] { "mediator", "moderator" })
        {
            Assert.Equal(By("allocated", arm, _ => true), c.GetProperty("allocated").GetProperty(arm).GetInt32());
            Assert.Equal(By("withdrawn", arm, i => i == 0), c.GetProperty("withdrawn").GetProperty(arm).GetInt32());
            Assert.Equal(By("completed", arm, i => i is 1 or 2), c.GetProperty("completed").GetProperty(arm).GetInt32());
        }

        foreach (var client in new[] { server.Statistician, server.Admin })
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/trials/{trialId}/consort")).StatusCode);
        }

        Assert.Equal(HttpStatusCode.Forbidden, (await Coordinator.GetAsync($"/api/trials/{trialId}/consort")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Ethics.GetAsync("/api/trials/no-such-trial/consort")).StatusCode);
    }

    [ServerFact]
    public async Task AuditTrail_RecordsEachCommandOnItsRecord_AndTheChainVerifies()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        var id = await TestTrials.FormulatedParticipantAsync(server, trialId);
        await Rate(id, "R02", [0, 4, 0, 0]);
        await Coordinator.PostJsonAsync($"/api/participants/{id}/randomization", null);
        await Coordinator.PostJsonAsync($"/api/participants/{id}/events", TestEvents.Body("adverseEvent", "2026-11-21", "headache"));
        await Coordinator.PostJsonAsync($"/api/participants/{id}/completion", null);
        var other = await EligibleAsync(trialId);
        await Coordinator.PostJsonAsync($"/api/participants/{other}/withdrawal", new { category = "withdrewConsent", reason = "lost interest" });
        await Coordinator.PostJsonAsync($"/api/participants/{other}/completion", null); // refused: leaves no event

        var response = await server.Admin.GetAsync($"/api/audit?trialId={trialId}");

        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, response);
        var events = (await response.JsonAsync()).EnumerateArray().ToList();
        Assert.All(events, e => Assert.Equal(trialId, e.GetProperty("trialId").GetString()));
        var trail = events.Select(e => (Action: e.GetProperty("action").GetString(), Record: e.GetProperty("recordId").GetString())).ToList();
        Assert.Equal(
            [
                ("CreateTrial", trialId), ("ChangeTrialStatus", trialId),
                ("ScreenParticipant", id), ("RecordConsent", id), ("RateFormulation", id), ("RateFormulation", id),
                ("RandomizeParticipant", id), ("RecordParticipantEvent", id), ("CompleteParticipant", id),
                ("ScreenParticipant", other), ("WithdrawParticipant", other),
            ],
            trail);
        Assert.All(events.Skip(2), e =>
        {
            Assert.Equal("coordinator", e.GetProperty("role").GetString());
            Assert.Equal("Participant", e.GetProperty("recordType").GetString());
        });
        var withdrawal = JsonDocument.Parse(events[^1].GetProperty("changes").GetString()!).RootElement.EnumerateArray()
            .Single(c => c.GetProperty("record").GetString() == "Participant");
        Assert.Equal("lost interest", withdrawal.GetProperty("values").GetProperty("WithdrawalReason").GetString());
        Assert.Equal("WithdrewConsent", withdrawal.GetProperty("values").GetProperty("WithdrawalCategory").GetString());
        Assert.Equal("Withdrawn", withdrawal.GetProperty("values").GetProperty("Status").GetString());
        Assert.DoesNotContain(events, e => e.GetProperty("changes").GetString()!.Contains("\"Seed\":\"", StringComparison.Ordinal)
                                           && !e.GetProperty("changes").GetString()!.Contains("[concealed]", StringComparison.Ordinal));

        var verify = await (await server.Admin.GetAsync("/api/audit/verify")).JsonAsync();
        Assert.True(verify.GetProperty("valid").GetBoolean());
        Assert.True(verify.GetProperty("events").GetInt64() >= events.Count);
        Assert.Equal(HttpStatusCode.Forbidden, (await Coordinator.GetAsync($"/api/audit?trialId={trialId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await server.Statistician.GetAsync("/api/audit/verify")).StatusCode);
    }

    private static string Primary(int[] s)
    {
        var names = new[] { "cognitive", "interpersonal", "behavioral", "environmental" };
        var ranked = Enumerable.Range(0, 4).OrderByDescending(i => s[i]).ToArray();
        return s[ranked[0]] - s[ranked[1]] >= 1 ? names[ranked[0]] : "indeterminate";
    }

    private async Task<string> EligibleAsync(string trialId)
    {
        var response = await Coordinator.PostJsonAsync($"/api/trials/{trialId}/participants", new { site = "AAA", ageYears = 30, severity = 15, exclusions = Array.Empty<string>() });
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, response);
        return (await response.JsonAsync()).GetProperty("id").GetString()!;
    }

    private async Task<string> ConsentedAsync(string trialId)
    {
        var id = await EligibleAsync(trialId);
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await Coordinator.PostJsonAsync($"/api/participants/{id}/consent", new { consentVersion = "1.0", consentedOn = "2026-11-20" }));
        return id;
    }

    private Task<HttpResponseMessage> Rate(string id, string rater, int[] s) =>
        Coordinator.PostJsonAsync($"/api/participants/{id}/formulations",
            new { rater, scores = new { cognitive = s[0], interpersonal = s[1], behavioral = s[2], environmental = s[3] }, consensus = false });
}

[Collection(SqliteServerCollection.Name)]
public sealed class WorkflowRecordsApiTests_Sqlite(SqliteTrialServer server) : WorkflowRecordsApiTests(server);

[Collection(PostgresServerCollection.Name)]
public sealed class WorkflowRecordsApiTests_Postgres(PostgresTrialServer server) : WorkflowRecordsApiTests(server), IRunsOnPostgres;
