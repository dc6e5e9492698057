using TrialManager.Domain.Randomization;

namespace TrialManager.Domain.Tests.Randomization;

public class MinimizationTests
{
    private static readonly string[] FactorNames = ["formulation", "site", "severity"];

    private static int MaxMarginalImbalance(IEnumerable<(Allocation Allocation, Dictionary<string, string> Levels)> allocations, int[] ratios)
    {
        int worst = 0;
        var list = allocations.ToList();
        foreach (string factor in FactorNames)
        {
            foreach (var level in list.GroupBy(x => x.Levels[factor]))
            {
                // 1:1 here, so the weighted imbalance is the plain count difference.
                var counts = Enumerable.Range(0, ratios.Length).Select(arm => level.Count(x => x.Allocation.Arm == arm)).ToList();
                worst = Math.Max(worst, counts.Max() - counts.Min());
            }
        }

        return worst;
    }

    [Theory]
    [InlineData(ImbalanceMeasure.Range)]
    [InlineData(ImbalanceMeasure.Variance)]
    public void Minimization_WithProbabilityOne_KeepsEveryMarginalImbalanceSmall(ImbalanceMeasure measure)
    {
        int[] ratios = [1, 1];
        var randomizer = new Randomizer(TestSupport.Minimization(ratios, 1.0, measure), TestSupport.Seed(21));
        var allocations = TestSupport.AllocateAll(randomizer, TestSupport.Participants(2_000, "minimization"));

        Assert.All(allocations, x => Assert.True(x.Allocation.TookPreferred));
        // Simple randomization would leave level imbalances of the order of sqrt(n) (about 25 here).
        Assert.InRange(MaxMarginalImbalance(allocations, ratios), 0, 3);
    }

    [Theory]
    [InlineData(0.8)]
    [InlineData(0.9)]
    [InlineData(0.6)]
    public void Minimization_WithProbabilityBelowOne_TakesThePreferredArmAtAboutThatRate(double p)
    {
        const int n = 6_000;
        var randomizer = new Randomizer(TestSupport.Minimization([1, 1], p), TestSupport.Seed(22));
        var allocations = TestSupport.AllocateAll(randomizer, TestSupport.Participants(n, "rate"));

        int took = allocations.Count(x => x.Allocation.TookPreferred == true);
        double sd = Math.Sqrt(n * p * (1 - p));
        Assert.InRange(took, (n * p) - (4 * sd), (n * p) + (4 * sd));
        Assert.All(allocations, x => Assert.Equal(x.Allocation.TookPreferred, x.Allocation.Arm == x.Allocation.PreferredArm));
    }

    [Fact]
    public void Minimization_PreferredArm_IsAMinimiserOfTheReportedScores()
    {
        var randomizer = new Randomizer(TestSupport.Minimization([2, 1], 0.8), TestSupport.Seed(23));
        foreach (var (a, _) in TestSupport.AllocateAll(randomizer, TestSupport.Participants(500, "scores")))
        {
            Assert.NotNull(a.ImbalanceScores);
            Assert.Equal(2, a.ImbalanceScores.Count);
            Assert.Equal(a.ImbalanceScores.Min(), a.ImbalanceScores[a.PreferredArm!.Value]);
            Assert.Null(a.BlockNumber);
            Assert.Equal(Randomizer.TrialStateKey, randomizer.StateKey(new Dictionary<string, string>()));
        }
    }

    [Fact]
    public void Minimization_FirstParticipant_HasEqualScoresAndARandomPreferredArm()
    {
        var preferred = new HashSet<int>();
        for (int seed = 0; seed < 40; seed++)
        {
            var randomizer = new Randomizer(TestSupport.Minimization([1, 1], 1.0), TestSupport.Seed(seed));
            var a = randomizer.Allocate(null, TestSupport.Participants(1)[0], out _);
            Assert.Equal(a.ImbalanceScores![0], a.ImbalanceScores[1]);
            preferred.Add(a.PreferredArm!.Value);
        }

        Assert.Equal([0, 1], preferred.Order());
    }

    [Fact]
    public void Minimization_WithUnequalRatios_BalancesCountsDividedByRatio()
    {
        int[] ratios = [2, 1];
        var randomizer = new Randomizer(TestSupport.Minimization(ratios, 1.0), TestSupport.Seed(24));
        var allocations = TestSupport.AllocateAll(randomizer, TestSupport.Participants(3_000, "weighted"));
        int arm0 = allocations.Count(x => x.Allocation.Arm == 0);
        Assert.InRange(arm0 / 3_000.0, 0.64, 0.69);
        foreach (string factor in FactorNames)
        {
            foreach (var level in allocations.GroupBy(x => x.Levels[factor]))
            {
                double weighted0 = level.Count(x => x.Allocation.Arm == 0) / 2.0;
                double weighted1 = level.Count(x => x.Allocation.Arm == 1);
                Assert.InRange(Math.Abs(weighted0 - weighted1), 0, 3);
            }
        }
    }

    [Fact]
    public void Minimization_Variance_ScoresArePopulationVarianceOfCountsOverRatio()
    {
        var randomizer = new Randomizer(TestSupport.Minimization([1, 1], 1.0, ImbalanceMeasure.Variance), TestSupport.Seed(25));
        var levels = new Dictionary<string, string> { ["formulation"] = "cognitive", ["site"] = "NYC", ["severity"] = "low" };
        var first = randomizer.Allocate(null, levels, out var state);
        // Nothing allocated yet: either candidate gives counts (1, 0) on each of 3 factors, variance 0.25 each.
        Assert.Equal([0.75, 0.75], first.ImbalanceScores!);
        var second = randomizer.Allocate(state, levels, out _);
        // Same levels again: joining the first participant's arm gives (2, 0): 1.0 per factor; the other (1, 1): 0.
        Assert.Equal(3.0, second.ImbalanceScores![first.Arm]);
        Assert.Equal(0.0, second.ImbalanceScores[1 - first.Arm]);
        Assert.Equal(1 - first.Arm, second.PreferredArm);
    }

    [Fact]
    public void Minimization_State_DoesNotGrowWithTheNumberAllocated()
    {
        var randomizer = new Randomizer(TestSupport.Minimization([1, 1], 0.9), TestSupport.Seed(26));
        var participants = TestSupport.Participants(20_000, "growth");
        string? state = null;
        int lengthAt100 = 0;
        for (int i = 0; i < participants.Count; i++)
        {
            randomizer.Allocate(state, participants[i], out state);
            if (i == 99)
            {
                lengthAt100 = state.Length;
            }
        }

        // Only the digits of the counters grow.
        Assert.InRange(state!.Length, lengthAt100, lengthAt100 + 40);
    }
}
