using System.Text.Json;
using TrialManager.Domain.Randomization;

namespace TrialManager.Domain.Tests.Randomization;

public class DesignSimulatorTests
{
    private static readonly StratumShare[] Mix =
    [
        new(new Dictionary<string, string> { ["formulation"] = "cognitive", ["site"] = "NYC", ["severity"] = "high" }, 3),
        new(new Dictionary<string, string> { ["formulation"] = "cognitive", ["site"] = "BOS", ["severity"] = "low" }, 2),
        new(new Dictionary<string, string> { ["formulation"] = "interpersonal", ["site"] = "NYC", ["severity"] = "low" }, 1),
        new(new Dictionary<string, string> { ["formulation"] = "interpersonal", ["site"] = "BOS", ["severity"] = "high" }, 1),
    ];

    private static DesignSimulationInput Input(int trials = 300, int participants = 60, int? parallelism = null) => new()
    {
        StratumMix = Mix,
        Trials = trials,
        ParticipantsPerTrial = participants,
        Seed = "simulation-seed",
        MaxDegreeOfParallelism = parallelism,
    };

    private static string Json(DesignSimulationReport report) => JsonSerializer.Serialize(report, JsonSerializerOptions.Web);

    [Fact]
    public void DesignSimulation_Results_DoNotDependOnThreadScheduling()
    {
        var design = TestSupport.Minimization([1, 1], 0.8);
        Assert.Equal(
            Json(DesignSimulator.Run(design, Input(parallelism: 1))),
            Json(DesignSimulator.Run(design, Input(parallelism: 4))));
    }

    [Fact]
    public void DesignSimulation_Report_CoversEveryStratumAndEveryFactorLevel_InCamelCase()
    {
        var report = DesignSimulator.Run(TestSupport.Blocks([1, 1], [4, 6], "formulation", "site"), Input());

        Assert.Equal(["cognitive/NYC", "cognitive/BOS", "interpersonal/NYC", "interpersonal/BOS"], report.Strata.Select(s => s.Stratum));
        Assert.Equal(
            ["formulation=cognitive", "formulation=interpersonal", "severity=high", "severity=low", "site=BOS", "site=NYC"],
            report.FactorLevels.Select(l => $"{l.Factor}={l.Level}"));
        Assert.All(report.Strata, s => Assert.True(s.FinalImbalance.P50 <= s.FinalImbalance.P95 && s.FinalImbalance.P99 <= s.FinalImbalance.Max));
        string json = Json(report);
        Assert.Contains("\"finalImbalance\":{\"mean\":", json, StringComparison.Ordinal);
        Assert.Contains("\"expectedByChance\":0.5", json, StringComparison.Ordinal);
    }

    [Fact]
    public void DesignSimulation_PermutedBlocks_BoundsEachStratumsImbalanceByHalfTheLargestBlock()
    {
        var report = DesignSimulator.Run(TestSupport.Blocks([1, 1], [4, 6], "formulation", "site"), Input());
        Assert.All(report.Strata, s => Assert.InRange(s.FinalImbalance.Max, 0, 3));
    }

    [Fact]
    public void DesignSimulation_Predictability_IsThreeQuartersForBlocksOfTwo_AndChanceForSimple()
    {
        var blocksOfTwo = DesignSimulator.Run(TestSupport.Blocks([1, 1], [2], "formulation", "site"), Input(participants: 200));
        var simple = DesignSimulator.Run(TestSupport.Simple([1, 1]), Input(participants: 200));

        // Blocks of two: the first of each block is a coin flip, the second is always guessed right.
        Assert.InRange(blocksOfTwo.Predictability.CorrectRate, 0.74, 0.76);
        double sd = Math.Sqrt(0.25 / simple.Predictability.Guesses);
        Assert.InRange(simple.Predictability.CorrectRate, 0.5 - (4 * sd), 0.5 + (4 * sd));
        Assert.Equal(60_000, simple.Predictability.Guesses);
    }

    [Fact]
    public void DesignSimulation_Minimization_BalancesFactorLevelsBetterThanSimple()
    {
        var minimization = DesignSimulator.Run(TestSupport.Minimization([1, 1], 0.9), Input(participants: 200));
        var simple = DesignSimulator.Run(TestSupport.Simple([1, 1]), Input(participants: 200));
        foreach (var (m, s) in minimization.FactorLevels.Zip(simple.FactorLevels))
        {
            Assert.True(m.FinalImbalance.P95 < s.FinalImbalance.P95, $"{m.Factor}={m.Level}");
        }
    }
}
