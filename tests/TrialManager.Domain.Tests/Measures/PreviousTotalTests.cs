using TrialManager.Domain.Measures;

namespace TrialManager.Domain.Tests.Measures;

public sealed class PreviousTotalTests
{
    private static readonly DateOnly Day1 = new(2026, 1, 5);

    private static (int? Session, DateOnly CompletedOn, IReadOnlyDictionary<string, double?> Scores) M(int? session, int day, double? total) =>
        (session, Day1.AddDays(day), new Dictionary<string, double?> { ["total"] = total });

    [Fact]
    public void AtASession_IsTheLatestTotalOfAnEarlierSession_SkippingUnscoredOnes()
    {
        var earlier = new[] { M(3, 14, 12), M(1, 0, 20), M(4, 21, null), M(6, 35, 5) };
        Assert.Equal(12, PreviousTotal.Before(earlier, 5, Day1.AddDays(28)));
        Assert.Null(PreviousTotal.Before(earlier, 1, Day1));
    }

    [Fact]
    public void AtAVisit_IsTheLatestTotalCompletedBeforeItsDay_SessionsIncluded()
    {
        var earlier = new[] { M(1, 0, 20), M(2, 7, 15), M(null, 30, 9) };
        Assert.Equal(15, PreviousTotal.Before(earlier, null, Day1.AddDays(10)));
        Assert.Equal(9, PreviousTotal.Before(earlier, null, Day1.AddDays(31)));
    }
}
