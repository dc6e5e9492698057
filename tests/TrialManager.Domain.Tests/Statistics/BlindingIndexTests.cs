using CsCheck;
using TrialManager.Domain.Statistics;

namespace TrialManager.Domain.Tests.Statistics;

/// <summary>
/// Bang's blinding index per arm, worked by hand from Bang, Ni and Davis (2004):
/// BI = (2 * c / (c + i) - 1) * (c + i) / n, with n counting the don't-knows too.
/// </summary>
public class BlindingIndexTests
{
    [Fact]
    public void Of_TwentyGuesses_TenRightFourWrongSixDontKnow_IsThreeTenths()
    {
        // (2 * 10/14 - 1) * 14/20 = (6/14) * (14/20) = 6/20 = 0.3.
        // SE: pc = 0.5, pi = 0.2; (0.25 + 0.16 + 0.2) / 20 = 0.0305; sqrt = 0.174642...
        var index = BlindingIndex.Of(10, 4, 6);

        Assert.Equal(20, index.N);
        Assert.Equal(0.3, index.Value!.Value, 12);
        Assert.Equal(0.17464249196572981, index.StandardError!.Value, 12);
    }

    [Fact]
    public void Of_EveryGuessRight_IsOne_AndEveryGuessWrong_IsMinusOne_WithNoSpread()
    {
        Assert.Equal(1.0, BlindingIndex.Of(8, 0, 0).Value);
        Assert.Equal(0.0, BlindingIndex.Of(8, 0, 0).StandardError);
        Assert.Equal(-1.0, BlindingIndex.Of(0, 5, 0).Value);
    }

    [Fact]
    public void Of_AsManyRightAsWrong_IsZero_AndOnlyDontKnows_IsZero()
    {
        // (2 * 3/6 - 1) * 6/10 = 0; all don't know: c = i = 0, the index is 0 (nothing was guessed).
        Assert.Equal(0.0, BlindingIndex.Of(3, 3, 4).Value);
        Assert.Equal(0.0, BlindingIndex.Of(0, 0, 7).Value);
        Assert.Equal(0.0, BlindingIndex.Of(0, 0, 7).StandardError);
    }

    [Fact]
    public void Of_NoGuesses_HasNoIndex()
    {
        var index = BlindingIndex.Of(0, 0, 0);
        Assert.Null(index.Value);
        Assert.Null(index.StandardError);
    }

    [Fact]
    public void Of_OneWrongGuessAmongFour_WithTwoDontKnows_IsZero_AndItsSpreadIsWorkedByHand()
    {
        // c = 1, i = 1, d = 2: BI = 0; pc = pi = 0.25: (0.1875 + 0.1875 + 0.125) / 4 = 0.125; sqrt = 0.353553...
        var index = BlindingIndex.Of(1, 1, 2);
        Assert.Equal(0.0, index.Value);
        Assert.Equal(Math.Sqrt(0.125), index.StandardError!.Value, 12);
    }

    [Fact]
    public void Of_NegativeCount_IsRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => BlindingIndex.Of(-1, 0, 0));

    [Fact]
    public void Of_AnyCounts_StaysWithinMinusOneAndOne_AndEqualsTheFormulaOfThePaper() =>
        Gen.Select(Gen.Int[0, 500], Gen.Int[0, 500], Gen.Int[0, 500]).Where((c, i, d) => c + i > 0).Sample((c, i, d) =>
        {
            var value = BlindingIndex.Of(c, i, d).Value!.Value;
            var paper = (2.0 * c / (c + i) - 1) * (c + i) / (c + i + d);
            return value is >= -1 and <= 1 && Math.Abs(value - paper) < 1e-12;
        });
}
