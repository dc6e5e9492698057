using TrialManager.Domain.Randomization;

namespace TrialManager.Domain.Tests.Randomization;

public class SimpleRandomizationTests
{
    [Fact]
    public void Simple_ArmFrequencies_FollowTheRatio_ByChiSquare()
    {
        foreach (int[] ratios in TestSupport.RatioSets)
        {
            using var session = new AllocationSession(new Randomizer(TestSupport.Simple(ratios), TestSupport.Seed(31)));
            var counts = new long[ratios.Length];
            var levels = new Dictionary<string, string>();
            for (int i = 0; i < 60_000; i++)
            {
                counts[session.Allocate(levels).Arm]++;
            }

            double statistic = TestSupport.ChiSquare(counts, TestSupport.Proportions(ratios));
            Assert.True(
                statistic < TestSupport.ChiSquareCritical001(ratios.Length - 1),
                $"ratios {string.Join(':', ratios)}: chi-square {statistic:F2}");
        }
    }

    [Fact]
    public void Simple_SequenceIsTrialWide_AndTheLabelNamesTheStratifyByLevels()
    {
        var design = TestSupport.Simple([1, 1]) with { StratifyBy = ["site"] };
        var randomizer = new Randomizer(design, TestSupport.Seed(32));
        var allocations = TestSupport.AllocateAll(randomizer, TestSupport.Participants(50, "simple"));
        Assert.Equal(Enumerable.Range(1, 50), allocations.Select(x => x.Allocation.Sequence));
        Assert.All(allocations, x => Assert.Equal(x.Levels["site"], x.Allocation.Stratum));
        Assert.Equal("all", new Randomizer(TestSupport.Simple([1, 1]), TestSupport.Seed(32)).StratumLabel(new Dictionary<string, string>()));
    }
}
