using CsCheck;
using TrialManager.Domain.Randomization;

namespace TrialManager.Domain.Tests.Randomization;

public class PermutedBlocksTests
{
    [Fact]
    public void PermutedBlocks_EveryCompletedBlock_HoldsTheExactRatio()
    {
        Gen.Select(TestSupport.BlockDesigns, TestSupport.Seeds, Gen.Int[1, 150]).Sample((design, seed, n) =>
        {
            var randomizer = new Randomizer(design, TestSupport.Seed(seed));
            var allocations = TestSupport.AllocateAll(randomizer, TestSupport.Participants(n, seed));
            int ratioSum = design.Ratios.Sum();
            foreach (var stratum in allocations.GroupBy(x => x.Allocation.Stratum))
            {
                foreach (var block in stratum.GroupBy(x => x.Allocation.BlockNumber))
                {
                    int size = block.First().Allocation.BlockSize!.Value;
                    Assert.All(block, x => Assert.Equal(size, x.Allocation.BlockSize));
                    Assert.Contains(size, design.BlockSizes);
                    if (block.Count() < size)
                    {
                        continue; // the open block at the end
                    }

                    Assert.Equal(size, block.Count());
                    for (int arm = 0; arm < design.Ratios.Count; arm++)
                    {
                        Assert.Equal(size / ratioSum * design.Ratios[arm], block.Count(x => x.Allocation.Arm == arm));
                    }
                }
            }
        }, iter: 150);
    }

    [Fact]
    public void PermutedBlocks_SequencesPerStratum_RunFromOneToNWithoutGapsOrDuplicates()
    {
        Gen.Select(TestSupport.BlockDesigns, TestSupport.Seeds, Gen.Int[1, 120]).Sample((design, seed, n) =>
        {
            var randomizer = new Randomizer(design, TestSupport.Seed(seed));
            var allocations = TestSupport.AllocateAll(randomizer, TestSupport.Participants(n, seed));
            foreach (var stratum in allocations.GroupBy(x => x.Allocation.Stratum))
            {
                Assert.Equal(Enumerable.Range(1, stratum.Count()), stratum.Select(x => x.Allocation.Sequence));
                var blockNumbers = stratum.Select(x => x.Allocation.BlockNumber!.Value).ToList();
                Assert.Equal(1, blockNumbers[0]);
                Assert.All(blockNumbers.Zip(blockNumbers.Skip(1)), p => Assert.InRange(p.Second - p.First, 0, 1));
            }
        }, iter: 100);
    }

    [Fact]
    public void PermutedBlocks_BlockSizes_ReallyVary_AndEachSizeIsDrawnAboutEquallyOften()
    {
        var design = TestSupport.Blocks([1, 1], [2, 4, 6]);
        using var session = new AllocationSession(new Randomizer(design, TestSupport.Seed(7)));
        var sizes = new List<int>();
        var all = new Dictionary<string, string>();
        for (int i = 0; i < 40_000; i++)
        {
            var a = session.Allocate(all);
            if (a.BlockNumber > sizes.Count)
            {
                sizes.Add(a.BlockSize!.Value);
            }
        }

        long[] counts = [.. design.BlockSizes.Select(s => (long)sizes.Count(x => x == s))];
        Assert.All(counts, c => Assert.True(c > 0));
        double statistic = TestSupport.ChiSquare(counts, [1.0 / 3, 1.0 / 3, 1.0 / 3]);
        Assert.True(statistic < TestSupport.ChiSquareCritical001(2), $"chi-square {statistic:F2}");
        Assert.True(sizes.Zip(sizes.Skip(1)).Count(p => p.First != p.Second) > sizes.Count / 2);
    }

    [Fact]
    public void PermutedBlocks_ArmAtTheFirstPositionOfABlock_FollowsTheRatio_ByChiSquare()
    {
        foreach (int[] ratios in TestSupport.RatioSets)
        {
            int sum = ratios.Sum();
            var design = TestSupport.Blocks(ratios, [sum, 2 * sum]);
            using var session = new AllocationSession(new Randomizer(design, TestSupport.Seed(11)));
            var firsts = new long[ratios.Length];
            int lastBlock = 0;
            var all = new Dictionary<string, string>();
            while (firsts.Sum() < 20_000)
            {
                var a = session.Allocate(all);
                if (a.BlockNumber != lastBlock)
                {
                    firsts[a.Arm]++;
                    lastBlock = a.BlockNumber!.Value;
                }
            }

            double statistic = TestSupport.ChiSquare(firsts, TestSupport.Proportions(ratios));
            Assert.True(
                statistic < TestSupport.ChiSquareCritical001(ratios.Length - 1),
                $"ratios {string.Join(':', ratios)}: chi-square {statistic:F2}");
        }
    }

    [Fact]
    public void PermutedBlocks_Strata_HaveIndependentStreamsAndLabels()
    {
        var design = TestSupport.Blocks([1, 1], [4], "formulation", "site");
        var randomizer = new Randomizer(design, TestSupport.Seed(3));
        var levels = new Dictionary<string, string> { ["site"] = "NYC", ["formulation"] = "cognitive", ["severity"] = "high" };
        Assert.Equal("cognitive/NYC", randomizer.StratumLabel(levels));
        Assert.Equal("cognitive/NYC", randomizer.StateKey(levels));

        var a = randomizer.Allocate(null, levels, out _);
        Assert.Equal(1, a.Sequence);
        Assert.Equal(1, a.BlockNumber);
        Assert.Equal(4, a.BlockSize);
        Assert.Null(a.ImbalanceScores);
    }

    [Fact]
    public void PermutedBlockList_Generate_GivesExactlyTheAllocationsOfAllocate()
    {
        Gen.Select(TestSupport.BlockDesigns, TestSupport.Seeds, Gen.Int[0, 200]).Sample((design, seed, perStratum) =>
        {
            string[] strata = design.StratifyBy.Count == 0 ? ["all"] : ["cognitive/NYC", "interpersonal/BOS", "behavioral/CHI"];
            var rows = PermutedBlockList.Generate(design, TestSupport.Seed(seed), strata, perStratum);
            Assert.Equal(strata.Length * perStratum, rows.Length);

            var randomizer = new Randomizer(design, TestSupport.Seed(seed));
            int index = 0;
            foreach (string stratum in strata)
            {
                var parts = stratum.Split('/');
                var levels = design.StratifyBy.Count == 0
                    ? new Dictionary<string, string>()
                    : new Dictionary<string, string> { ["formulation"] = parts[0], ["site"] = parts[1] };
                string? state = null;
                for (int n = 0; n < perStratum; n++)
                {
                    var a = randomizer.Allocate(state, levels, out state);
                    var row = rows[index++];
                    Assert.Equal(stratum, strata[row.StratumIndex]);
                    Assert.Equal((a.Sequence, a.BlockNumber, a.BlockSize, a.Arm), (row.Sequence, (int?)row.BlockNumber, (int?)row.BlockSize, row.Arm));
                }
            }
        }, iter: 60);
    }
}
