using System.Net;
using TrialManager.Domain.Statistics;
using TrialManager.Integration.Tests.Api;
using TrialManager.Integration.Tests.Harness;

namespace TrialManager.Integration.Tests.Statistics;

/// <summary>POST /api/trials/{id}/power-simulation: power for the formulation x arm interaction, for a statistician.</summary>
public abstract class PowerSimulationTests(TrialServer server)
{
    private static string Path(string trial) => $"/api/trials/{trial}/power-simulation";

    [ServerFact]
    public async Task PowerSimulation_FromAHypothesis_ReportsSimulatedAndClosedFormPowerAtTheTargetAndTheSizesNeeded()
    {
        var trial = await TestTrials.CreateAsync(server, recruiting: false); // 2 formulations x 2 arms 1:1, target 100

        var response = await server.Statistician.PostJsonAsync(Path(trial), new
        {
            hypothesis = new { cognitive = "moderator", interpersonal = "mediator" },
            interaction = 0.8,
            dropout = 0.1,
            trials = 2_000,
            seed = "power-http",
        });

        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, response);
        var view = await response.JsonAsync();
        Assert.True(view.GetProperty("seedGiven").GetBoolean());
        Assert.True(view.GetProperty("balancedWithinFormulation").GetBoolean());
        Assert.Equal(0.2, view.GetProperty("cellMeans").GetProperty("cognitive").GetProperty("moderator").GetDouble());
        Assert.Equal(-0.2, view.GetProperty("cellMeans").GetProperty("cognitive").GetProperty("mediator").GetDouble());
        Assert.Equal(0.5, view.GetProperty("prevalence").GetProperty("interpersonal").GetDouble());
        var report = view.GetProperty("report");
        Assert.Equal(100, report.GetProperty("participants").GetInt32()); // the trial's target
        var interaction = report.GetProperty("interaction");
        var closedForm = InteractionPower.ClosedFormInteractionPower(new PowerInput
        {
            Formulations = ["cognitive", "interpersonal"],
            Arms = [("mediator", 1), ("moderator", 1)],
            CellMeans = new[,] { { -0.2, 0.2 }, { 0.2, -0.2 } },
            Prevalence = [1, 1],
            Dropout = 0.1,
            Participants = 100,
            BalancedWithinFormulation = true,
            Seed = "unused",
        }, 100);
        Assert.Equal(closedForm, interaction.GetProperty("closedForm").GetDouble(), 12);
        Assert.InRange(interaction.GetProperty("power").GetDouble() - closedForm, -0.04, 0.04);
        var for80 = report.GetProperty("participantsFor80").GetInt32();
        Assert.InRange(for80, 101, 400);
        Assert.True(report.GetProperty("participantsFor90").GetInt32() > for80);
        Assert.Equal(2, report.GetProperty("armEffects").GetArrayLength());
    }

    [ServerFact]
    public async Task PowerSimulation_GivenTheSameCellsAsEffects_ReproducesTheHypothesisReportFromTheSeed()
    {
        var trial = await TestTrials.CreateAsync(server, recruiting: false);
        var byHypothesis = await server.Statistician.PostJsonAsync(Path(trial), new
        {
            hypothesis = new { cognitive = "moderator", interpersonal = "mediator" }, interaction = 0.4, participants = 200, trials = 500, seed = "same",
        });
        var byEffects = await server.Statistician.PostJsonAsync(Path(trial), new
        {
            effects = new { cognitive = new { mediator = -0.1, moderator = 0.1 }, interpersonal = new { mediator = 0.1, moderator = -0.1 } },
            participants = 200, trials = 500, seed = "same",
        });

        Assert.Equal(
            (await byHypothesis.JsonAsync()).GetProperty("report").GetRawText(),
            (await byEffects.JsonAsync()).GetProperty("report").GetRawText());
    }

    [ServerFact]
    public async Task PowerSimulation_WithBadInput_IsA400NamingTheField()
    {
        var trial = await TestTrials.CreateAsync(server, recruiting: false);
        async Task Expect(object body, string field) => (await ProblemAssertions.Assert400Async(await server.Statistician.PostJsonAsync(Path(trial), body))).AssertNames(field);

        await Expect(new { interaction = 0.5 }, "hypothesis"); // no hypothesis here, and the trial registered none
        await Expect(new { hypothesis = new { cognitive = "moderator" } }, "interaction");
        await Expect(new { hypothesis = new { cognitive = "moderator" }, interaction = 0.5, effects = new { cognitive = new { mediator = 0 } } }, "effects");
        await Expect(new { effects = new { cognitive = new { mediator = 0, moderator = 0.5 } } }, "effects.interpersonal");
        await Expect(new { effects = new { cognitive = new { mediator = 0, moderator = 0.5 }, interpersonal = new { mediator = 0 } } }, "effects.interpersonal.moderator");
        await Expect(new { effects = new { behavioral = new { mediator = 0, moderator = 0.5 } } }, "effects.behavioral");
        await Expect(new { hypothesis = new { cognitive = "comparator" }, interaction = 0.5 }, "hypothesis.cognitive");
        await Expect(new { hypothesis = new { cognitive = "moderator" }, interaction = 0.5, prevalence = new { cognitive = 2 } }, "prevalence.interpersonal");
        await Expect(new { hypothesis = new { cognitive = "moderator" }, interaction = 0.5, dropout = 0.95 }, "dropout");
        await Expect(new { hypothesis = new { cognitive = "moderator" }, interaction = 0.5, participants = 6 }, "participants");
        await Expect(new { hypothesis = new { cognitive = "moderator" }, interaction = 0.5, participants = 2_000, trials = 20_000 }, "trials");
        await Expect(new { hypothesis = new { cognitive = "moderator" }, interaction = double.MaxValue }, "interaction");
    }

    [ServerFact]
    public async Task PowerSimulation_IsForStatisticiansOnly_AndAnUnknownTrialIs404()
    {
        var trial = await TestTrials.CreateAsync(server, recruiting: false);
        var body = new { hypothesis = new { cognitive = "moderator" }, interaction = 0.5, trials = 100 };

        Assert.Equal(HttpStatusCode.Forbidden, (await server.Coordinator.PostJsonAsync(Path(trial), body)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await server.Admin.PostJsonAsync(Path(trial), body)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Statistician.PostJsonAsync(Path("no-such-trial"), body)).StatusCode);
    }
}

[Collection(SqliteServerCollection.Name)]
public sealed class PowerSimulationTests_Sqlite(SqliteTrialServer server) : PowerSimulationTests(server);

[Collection(PostgresServerCollection.Name)]
public sealed class PowerSimulationTests_Postgres(PostgresTrialServer server) : PowerSimulationTests(server), IRunsOnPostgres;
