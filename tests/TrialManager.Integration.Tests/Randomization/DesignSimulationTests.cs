using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using TrialManager.Integration.Tests.Harness;
using static TrialManager.Integration.Tests.Randomization.RandomizationHttp;

namespace TrialManager.Integration.Tests.Randomization;

/// <summary>POST /api/trials/{id}/design-simulation: the trial's own design, simulated for a statistician.</summary>
public abstract class DesignSimulationTests(TrialServer server)
{
    private string Path(string trial) => $"/api/trials/{trial}/design-simulation";

    [ServerFact]
    public async Task DesignSimulation_WithoutAMix_SimulatesEveryFormulationAndSiteUniformly()
    {
        var trial = await TrialAsync(server, Blocks, recruiting: false);

        var response = await server.Statistician.PostJsonAsync(Path(trial), new { trials = 500, participantsPerTrial = 100 });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var view = await response.JsonAsync();
        Assert.Equal(4, view.GetProperty("stratumMix").GetArrayLength()); // 2 formulations x 2 sites
        Assert.False(view.GetProperty("seedGiven").GetBoolean());
        var report = view.GetProperty("report");
        Assert.Equal("permutedBlocks", report.GetProperty("method").GetString());
        Assert.Equal(500, report.GetProperty("trials").GetInt32());
        Assert.Equal(
            ["cognitive/AAA", "cognitive/BBB", "interpersonal/AAA", "interpersonal/BBB"],
            report.GetProperty("strata").EnumerateArray().Select(s => s.GetProperty("stratum").GetString()).Order(StringComparer.Ordinal));
        // Permuted blocks of at most 6 (1:1) never leave a stratum more than 3 apart.
        Assert.All(report.GetProperty("strata").EnumerateArray(), s => Assert.InRange(s.GetProperty("finalImbalance").GetProperty("max").GetDouble(), 0, 3));
        Assert.Equal(4, report.GetProperty("factorLevels").GetArrayLength());
        var predictability = report.GetProperty("predictability");
        Assert.Equal(50_000, predictability.GetProperty("guesses").GetInt64());
        Assert.Equal(0.5, predictability.GetProperty("expectedByChance").GetDouble());
        // Blocks are predictable: the convergence guesser beats chance clearly.
        Assert.InRange(predictability.GetProperty("correctRate").GetDouble(), 0.55, 0.9);
    }

    [ServerFact]
    public async Task DesignSimulation_WithASeedAndAMix_IsReproducible_AndNeverShowsTheTrialSeed()
    {
        var trial = await TrialAsync(server, Minimization, recruiting: false);
        var body = new
        {
            trials = 200, participantsPerTrial = 50, seed = "design-check-1",
            strata = new object[]
            {
                new { levels = new Dictionary<string, string> { ["formulation"] = "cognitive", ["site"] = "AAA", ["severity"] = "high" }, weight = 3 },
                new { levels = new Dictionary<string, string> { ["formulation"] = "interpersonal", ["site"] = "BBB", ["severity"] = "low" } },
            },
        };

        var first = await server.Statistician.PostJsonAsync(Path(trial), body);
        var second = await server.Statistician.PostJsonAsync(Path(trial), body);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var text = await first.Content.ReadAsStringAsync();
        Assert.Equal(text, await second.Content.ReadAsStringAsync());
        var seed = await server.WithDbAsync(db => db.Trials.Where(t => t.Id == trial).Select(t => t.Seed).SingleAsync());
        Assert.DoesNotContain(seed, text, StringComparison.Ordinal);
        Assert.DoesNotContain("design-check-1", text, StringComparison.Ordinal);
        var view = JsonDocument.Parse(text).RootElement;
        Assert.True(view.GetProperty("seedGiven").GetBoolean());
        Assert.Equal("minimization", view.GetProperty("report").GetProperty("method").GetString());
        Assert.Equal(6, view.GetProperty("report").GetProperty("factorLevels").GetArrayLength());
        Assert.Equal(3, view.GetProperty("stratumMix")[0].GetProperty("weight").GetDouble());
    }

    [ServerFact]
    public async Task DesignSimulation_DefaultMix_IncludesSeverityWhenItIsAFactor()
    {
        var trial = await TrialAsync(server, Minimization, recruiting: false);

        var view = await (await server.Statistician.PostJsonAsync(Path(trial), new { trials = 20, participantsPerTrial = 20 })).JsonAsync();

        Assert.Equal(8, view.GetProperty("stratumMix").GetArrayLength());
    }

    [ServerFact]
    public async Task DesignSimulation_OutOfBoundsOrForeignLevels_Is400NamingTheFields()
    {
        var trial = await TrialAsync(server, Blocks, recruiting: false);

        var bounds = await server.Statistician.PostJsonAsync(Path(trial), new { trials = 0, participantsPerTrial = 5000, seed = "" });
        var work = await server.Statistician.PostJsonAsync(Path(trial), new { trials = 20000, participantsPerTrial = 2000 });
        var site = await server.Statistician.PostJsonAsync(Path(trial), new
        {
            strata = new[] { new { levels = new Dictionary<string, string> { ["formulation"] = "cognitive", ["site"] = "NYC" } } },
        });
        var missing = await server.Statistician.PostJsonAsync(Path(trial), new
        {
            strata = new[] { new { levels = new Dictionary<string, string> { ["site"] = "AAA" } } },
        });
        var weight = await server.Statistician.PostJsonAsync(Path(trial), new
        {
            strata = new object[] { new { levels = new Dictionary<string, string> { ["formulation"] = "cognitive", ["site"] = "AAA" }, weight = -1 } },
        });
        var factor = await server.Statistician.PostJsonAsync(Path(trial), new
        {
            strata = new[] { new { levels = new Dictionary<string, string> { ["formulation"] = "cognitive", ["site"] = "AAA", ["age"] = "old" } } },
        });
        var empty = await server.Statistician.PostJsonAsync(Path(trial), new { strata = Array.Empty<object>() });
        var malformed = await server.Statistician.PostAsync(Path(trial), new StringContent("{\"trials\": \"many\"}", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(["participantsPerTrial", "seed", "trials"], await ErrorFieldsAsync(bounds));
        Assert.Equal(["trials"], await ErrorFieldsAsync(work));
        Assert.Equal(["strata[0].levels.site"], await ErrorFieldsAsync(site));
        Assert.Equal(["strata[0].levels"], await ErrorFieldsAsync(missing));
        Assert.Equal(["strata[0].weight"], await ErrorFieldsAsync(weight));
        Assert.Equal(["strata[0].levels"], await ErrorFieldsAsync(factor));
        Assert.Equal(["strata"], await ErrorFieldsAsync(empty));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Statistician.PostJsonAsync(Path("no-such-trial"), new { trials = 1 })).StatusCode);
    }

    private static async Task<string[]> ErrorFieldsAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.JsonAsync();
        return [.. problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)];
    }

    [ServerFact]
    public async Task DesignSimulation_IsDocumentedInTheOpenApiDocument()
    {
        var document = await (await server.Client(null).GetAsync("/openapi/v1.json")).Content.ReadAsStringAsync();

        Assert.Contains("/api/trials/{trialId}/design-simulation", document, StringComparison.Ordinal);
        Assert.Contains("Blackwell-Hodges", document, StringComparison.Ordinal);
    }
}

[Collection(SqliteServerCollection.Name)]
public sealed class DesignSimulationTests_Sqlite(SqliteTrialServer server) : DesignSimulationTests(server);

[Collection(PostgresServerCollection.Name)]
public sealed class DesignSimulationTests_Postgres(PostgresTrialServer server) : DesignSimulationTests(server), IRunsOnPostgres;
