using System.Net;
using TrialManager.Integration.Tests.Harness;

namespace TrialManager.Integration.Tests.Api;

/// <summary>The pre-specified hypothesis: registered with the trial, in its plan and the plan's hash, and a matched flag on every allocation.</summary>
public abstract class HypothesisTests(TrialServer server)
{
    private static readonly Dictionary<string, string?> Predicted = new() { ["cognitive"] = "moderator", ["interpersonal"] = "mediator" };

    private async Task<string> CreateAsync(object? hypothesis, bool recruiting = false)
    {
        var definition = TestTrials.Definition();
        definition["hypothesis"] = hypothesis;
        definition["randomization"] = new { method = "permutedBlocks", blockSizes = new[] { 2, 4 }, stratifyBy = new[] { "formulation", "site" }, seed = new string('a', 64) };
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Admin.PostJsonAsync("/api/trials", definition));
        var id = (string)definition["id"]!;
        if (recruiting)
        {
            await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await server.Admin.PostJsonAsync($"/api/trials/{id}/status", new { status = "recruiting" }));
        }

        return id;
    }

    [ServerFact]
    public async Task Hypothesis_IsRegisteredWithTheTrial_AndPrintedInThePlanUnderItsHash()
    {
        var withHypothesis = await CreateAsync(Predicted);
        var noPrediction = await CreateAsync(new Dictionary<string, string?> { ["cognitive"] = "moderator", ["interpersonal"] = null });

        var trial = await (await server.Coordinator.GetAsync($"/api/trials/{withHypothesis}")).JsonAsync();
        Assert.Equal("moderator", trial.GetProperty("hypothesis").GetProperty("cognitive").GetString());
        var plan = await (await server.Statistician.GetAsync($"/api/trials/{withHypothesis}/randomization-plan")).JsonAsync();
        Assert.Equal("mediator", plan.GetProperty("hypothesis").GetProperty("interpersonal").GetString());
        var hash = plan.GetProperty("planSha256").GetString()!;
        Assert.Matches("^[0-9a-f]{64}$", hash);
        var again = await (await server.Statistician.GetAsync($"/api/trials/{withHypothesis}/randomization-plan")).JsonAsync();
        Assert.Equal(hash, again.GetProperty("planSha256").GetString());

        var other = await (await server.Statistician.GetAsync($"/api/trials/{noPrediction}/randomization-plan")).JsonAsync();
        Assert.Equal(System.Text.Json.JsonValueKind.Null, other.GetProperty("hypothesis").GetProperty("interpersonal").ValueKind);
        Assert.NotEqual(hash, other.GetProperty("planSha256").GetString());
    }

    [ServerFact]
    public async Task Hypothesis_ThatNamesAnUnknownFormulationOrArm_OrLeavesOneOut_IsA400()
    {
        async Task Expect(object hypothesis, string field)
        {
            var definition = TestTrials.Definition();
            definition["hypothesis"] = hypothesis;
            (await ProblemAssertions.Assert400Async(await server.Admin.PostJsonAsync("/api/trials", definition))).AssertNames(field);
            Assert.Equal(HttpStatusCode.NotFound, (await server.Admin.GetAsync($"/api/trials/{definition["id"]}")).StatusCode);
        }

        await Expect(new { cognitive = "moderator", interpersonal = "mediator", behavioral = "mediator" }, "hypothesis.behavioral");
        await Expect(new { cognitive = "comparator", interpersonal = "mediator" }, "hypothesis.cognitive");
        await Expect(new { cognitive = "moderator" }, "hypothesis.interpersonal");
    }

    [ServerFact]
    public async Task Allocations_CarryWhetherTheArmIsTheOnePredictedForTheFormulation()
    {
        var trialId = await CreateAsync(Predicted, recruiting: true);
        var arms = new Dictionary<string, string>();
        foreach (var lead in new[] { "cognitive", "interpersonal", "cognitive", "interpersonal" })
        {
            var id = await TestTrials.FormulatedParticipantAsync(server, trialId, lead: lead);
            var allocation = await (await server.Coordinator.PostJsonAsync($"/api/participants/{id}/randomization", null)).JsonAsync();
            arms[id] = allocation.GetProperty("arm").GetString()!;
        }

        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/trials/{trialId}/allocations");
        request.Headers.Accept.ParseAdd("text/csv");
        var lines = (await (await server.Statistician.SendAsync(request)).Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("participantId,site,formulation,stratum,sequence,block,blockSize,arm,randomizedAt,matched,misStratified,ineligibleAfterRandomization", lines[0].TrimEnd('\r'));
        foreach (var line in lines.Skip(1))
        {
            var cells = line.TrimEnd('\r').Split(',');
            Assert.Equal(Predicted[cells[2]] == cells[7] ? "true" : "false", cells[9]);
        }

        var json = await (await server.Statistician.GetAsync($"/api/trials/{trialId}/allocations")).JsonAsync();
        Assert.All(json.EnumerateArray(), row =>
            Assert.Equal(Predicted[row.GetProperty("formulation").GetString()!] == row.GetProperty("arm").GetString(), row.GetProperty("matched").GetBoolean()));
    }

    [ServerFact]
    public async Task PowerSimulation_WithOnlyAnInteractionEffect_UsesTheTrialsHypothesis()
    {
        var registered = await CreateAsync(Predicted);
        var unregistered = await TestTrials.CreateAsync(server, recruiting: false);
        var path = $"/api/trials/{registered}/power-simulation";

        var implicitly = await server.Statistician.PostJsonAsync(path, new { interaction = 0.5, trials = 300, seed = "h" });
        var explicitly = await server.Statistician.PostJsonAsync(path, new { hypothesis = Predicted, interaction = 0.5, trials = 300, seed = "h" });

        Assert.Equal((await explicitly.JsonAsync()).GetRawText(), (await implicitly.JsonAsync()).GetRawText());
        (await ProblemAssertions.Assert400Async(await server.Statistician.PostJsonAsync($"/api/trials/{unregistered}/power-simulation", new { interaction = 0.5 })))
            .AssertNames("hypothesis");
    }
}

[Collection(SqliteServerCollection.Name)]
public sealed class HypothesisTests_Sqlite(SqliteTrialServer server) : HypothesisTests(server);

[Collection(PostgresServerCollection.Name)]
public sealed class HypothesisTests_Postgres(PostgresTrialServer server) : HypothesisTests(server), IRunsOnPostgres;
