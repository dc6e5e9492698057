using TrialManager.Domain.Statistics;
using static TrialManager.Domain.Statistics.CellDisclosure;

namespace TrialManager.Domain.Tests.Statistics;

public sealed class SmallCellsTests
{
    [Fact]
    public void Suppress_HidesCountsBelowTheMinimum_AndTheCellsThatWouldGiveThemAway()
    {
        int[][] table = [[2, 3, 5], [6, 7, 13], [8, 9, 17], [0, 0, 0]]; // mediator, moderator, row total

        var shown = SmallCells.Suppress(table, 5, lastIsRowTotal: true);

        // 2 and 3 share a row whose total (5) may be shown: two unknowns. But each arm's column total is published,
        // so one hidden cell per column would be its total minus the rest: the smallest other cell goes too.
        Assert.Equal([Small, Small, Shown], shown[0]);
        Assert.Equal([Complementary, Complementary, Shown], shown[1]);
        Assert.Equal([Shown, Shown, Shown], shown[2]);
        Assert.Equal([Shown, Shown, Shown], shown[3]);
    }

    [Fact]
    public void Suppress_NeverHidesAZero_WhenTheOnlyOtherCountsOfALineAreZero()
    {
        int[][] table = [[0, 0, 0], [1, 0, 1], [0, 0, 0]];

        var shown = SmallCells.Suppress(table, 5, lastIsRowTotal: true);

        Assert.Equal([[Shown, Shown, Shown], [Small, Shown, Small], [Shown, Shown, Shown]], shown);
    }

    [Fact]
    public void Suppress_WithAMinimumOfOne_ShowsEverything()
    {
        var shown = SmallCells.Suppress([[1, 0, 1], [4, 2, 6]], 1, lastIsRowTotal: true);

        Assert.All(shown.SelectMany(r => r), d => Assert.Equal(Shown, d));
    }

    [Fact]
    public void Suppress_AOneColumnTable_HidesASecondRowBesideALoneSmallOne()
    {
        var shown = SmallCells.Suppress([[12], [1], [30], [7]], 5, lastIsRowTotal: false);

        Assert.Equal([Shown, Small, Shown, Complementary], shown.Select(r => r[0]));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Suppress_OnRandomTables_NoRowOrColumnHasExactlyOneHiddenCellBesideAPositiveOne(int seed)
    {
        var random = new Random(seed);
        for (var round = 0; round < 500; round++)
        {
            var rows = random.Next(1, 7);
            var arms = random.Next(1, 4);
            var min = random.Next(2, 11);
            var table = Enumerable.Range(0, rows).Select(_ =>
            {
                var cells = Enumerable.Range(0, arms).Select(_ => random.Next(0, 3 * min)).ToList();
                return (IReadOnlyList<int>)[.. cells, cells.Sum()];
            }).ToList();

            var shown = SmallCells.Suppress(table, min, lastIsRowTotal: true);

            for (var r = 0; r < rows; r++)
            {
                for (var c = 0; c <= arms; c++)
                {
                    var n = table[r][c];
                    Assert.Equal(n > 0 && n < min, shown[r][c] == Small);
                }
            }

            // A line with one hidden cell gives it away, unless the rest are zeros (then it is the published total).
            var lines = Enumerable.Range(0, rows).Select(r => Enumerable.Range(0, arms + 1).Select(c => (r, c)).ToArray())
                .Concat(Enumerable.Range(0, arms + 1).Select(c => Enumerable.Range(0, rows).Select(r => (r, c)).ToArray()));
            Assert.All(lines, line => Assert.True(
                line.Count(x => shown[x.r][x.c] != Shown) != 1 || line.All(x => shown[x.r][x.c] != Shown || table[x.r][x.c] == 0),
                $"A line with one hidden cell gives it away: {string.Join(" | ", table.Select(t => string.Join(",", t)))} (min {min})"));
        }
    }
}
