namespace TrialManager.Domain.Schedule;

public enum DueKind
{
    Session,
    Visit,
}

public enum DueStatus
{
    /// <summary>Inside its window, not yet recorded.</summary>
    Due,

    /// <summary>Past its window and still not recorded.</summary>
    Overdue,
}

/// <summary>
/// What is known of one randomized participant for the due list: when they were randomized, whether therapy goes
/// on (a stopped treatment leaves the visits, not the sessions), which sessions are recorded and which instruments
/// are recorded at each visit.
/// </summary>
public sealed record ScheduleProgress(
    DateOnly RandomizedOn,
    bool InTreatment,
    IReadOnlySet<int> SessionsRecorded,
    IReadOnlyDictionary<string, IReadOnlySet<string>> VisitInstrumentsRecorded);

/// <summary>A session or visit whose window has opened and that is not done.</summary>
/// <param name="Number">The session's number (sessions only).</param>
/// <param name="Visit">The visit's code (visits only).</param>
public sealed record DueItem(DueKind Kind, int? Number, string? Visit, DateOnly From, DateOnly To, DueStatus Status);

public static class DueList
{
    /// <summary>
    /// The sessions and visits of one participant that are due or overdue on <paramref name="today"/>, in date order.
    /// Session n is due from the randomization date + (n - 1) x interval until the day before session n + 1 is;
    /// a visit in [day - window, day + window] from the randomization date. A session is done when it is recorded
    /// (whatever the attendance), a visit when every visit instrument is recorded for it; done ones are left out,
    /// and so are windows that have not opened yet.
    /// </summary>
    public static IReadOnlyList<DueItem> For(TrialSchedule schedule, ScheduleProgress progress, DateOnly today)
    {
        var items = new List<DueItem>();
        if (progress.InTreatment)
        {
            for (var n = 1; n <= schedule.Sessions; n++)
            {
                var from = progress.RandomizedOn.AddDays((n - 1) * schedule.SessionIntervalDays);
                if (from > today)
                {
                    break;
                }

                if (!progress.SessionsRecorded.Contains(n))
                {
                    items.Add(Item(DueKind.Session, n, null, from, from.AddDays(schedule.SessionIntervalDays - 1), today));
                }
            }
        }

        foreach (var visit in schedule.Visits)
        {
            var from = progress.RandomizedOn.AddDays(visit.Day - visit.Window);
            var recorded = progress.VisitInstrumentsRecorded.GetValueOrDefault(visit.Code);
            if (from <= today && !schedule.VisitInstruments.All(i => recorded?.Contains(i) == true))
            {
                items.Add(Item(DueKind.Visit, null, visit.Code, from, progress.RandomizedOn.AddDays(visit.Day + visit.Window), today));
            }
        }

        return [.. items.OrderBy(i => i.From).ThenBy(i => i.Kind).ThenBy(i => i.Number)];
    }

    /// <summary>
    /// The first day of the earliest session or visit that is not done, whether or not its window has opened: the
    /// rule above with no end to the days. Null when nothing is left. The participant has something due or overdue on
    /// a day exactly when this date is on or before it, and every item listed then opens on it or later.
    /// </summary>
    public static DateOnly? NextDue(TrialSchedule schedule, ScheduleProgress progress) =>
        For(schedule, progress, DateOnly.MaxValue) is [var first, ..] ? first.From : null;

    private static DueItem Item(DueKind kind, int? number, string? visit, DateOnly from, DateOnly to, DateOnly today) =>
        new(kind, number, visit, from, to, today > to ? DueStatus.Overdue : DueStatus.Due);
}
