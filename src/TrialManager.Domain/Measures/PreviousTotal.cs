using TrialManager.Domain.Instruments;

namespace TrialManager.Domain.Measures;

/// <summary>
/// The total a deterioration rule compares with: the participant's latest total of the same instrument before this
/// session, or, for a visit, completed before the visit's day. One rule for a new measure and a corrected one.
/// </summary>
public static class PreviousTotal
{
    public static double? Before(
        IEnumerable<(int? Session, DateOnly CompletedOn, IReadOnlyDictionary<string, double?> Scores)> earlier, int? session, DateOnly completedOn) =>
        (session is { } number
            ? earlier.Where(m => m.Session < number).OrderBy(m => m.Session)
            : earlier.Where(m => m.CompletedOn < completedOn).OrderBy(m => m.CompletedOn))
        .Select(m => m.Scores.GetValueOrDefault(InstrumentDefinition.TotalScore)).LastOrDefault(t => t is not null);
}
