using TrialManager.Domain.Blinding;
using TrialManager.Domain.Common;
using TrialManager.Domain.Schedule;

namespace TrialManager.Domain.Tests.Blinding;

public class BlindingGuessTests
{
    private static readonly DateTimeOffset Randomized = new(2026, 3, 2, 15, 0, 0, TimeSpan.Zero);

    // The last visit is the latest day, whatever the order of the list: followUp3m (day 200, window 21) opens on day 179.
    private static readonly TrialSchedule Schedule = new(16, 7,
        [new("followUp3m", 200, 21), new("baseline", 0, 7), new("endOfTreatment", 112, 14)], ["alliance12"], ["phq9"]);

    [Fact]
    public void LastVisit_IsTheVisitOfTheLatestDay()
    {
        Assert.Equal("followUp3m", Schedule.LastVisit?.Code);
        Assert.Null((Schedule with { Visits = [] }).LastVisit);
    }

    [Fact]
    public void EnsureAtLastVisit_OnTheDayTheLastVisitOpens_Allows_AndTheDayBefore_IsAConflictNamingTheDay()
    {
        var opens = new DateOnly(2026, 3, 2).AddDays(179);
        BlindingGuess.EnsureAtLastVisit(Schedule, Randomized, opens);

        var refused = Assert.Throws<WorkflowConflictException>(() => BlindingGuess.EnsureAtLastVisit(Schedule, Randomized, opens.AddDays(-1)));
        Assert.Contains("followUp3m", refused.Message, StringComparison.Ordinal);
        Assert.Contains(opens.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EnsureAtLastVisit_WithoutRandomizationOrWithoutVisits_IsAConflict()
    {
        var today = new DateOnly(2027, 1, 1);
        Assert.Throws<WorkflowConflictException>(() => BlindingGuess.EnsureAtLastVisit(Schedule, null, today));
        Assert.Throws<WorkflowConflictException>(() => BlindingGuess.EnsureAtLastVisit(null, Randomized, today));
        Assert.Throws<WorkflowConflictException>(() => BlindingGuess.EnsureAtLastVisit(Schedule with { Visits = [] }, Randomized, today));
    }
}
