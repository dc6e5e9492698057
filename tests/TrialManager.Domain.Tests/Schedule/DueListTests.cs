using CsCheck;
using TrialManager.Domain.Schedule;

namespace TrialManager.Domain.Tests.Schedule;

public class DueListTests
{
    private static readonly DateOnly Randomized = new(2026, 3, 2);

    private static TrialSchedule Schedule(int sessions = 4, int interval = 7, params ScheduledVisit[] visits) =>
        new(sessions, interval, visits, ["alliance12"], ["phq9", "gad7"]);

    private static ScheduleProgress Progress(
        bool inTreatment = true, int[]? sessions = null, Dictionary<string, IReadOnlySet<string>>? visits = null) =>
        new(Randomized, inTreatment, (sessions ?? []).ToHashSet(), visits ?? []);

    [Fact]
    public void For_OnTheRandomizationDay_ListsSessionOneAndAnOpenBaselineVisit_AsDue()
    {
        var items = DueList.For(Schedule(visits: [new("baseline", 0, 7), new("endOfTreatment", 28, 7)]), Progress(), Randomized);

        Assert.Equal(
            [new DueItem(DueKind.Visit, null, "baseline", Randomized.AddDays(-7), Randomized.AddDays(7), DueStatus.Due),
             new DueItem(DueKind.Session, 1, null, Randomized, Randomized.AddDays(6), DueStatus.Due)],
            items);
    }

    [Fact]
    public void For_ASessionPastItsInterval_IsOverdue_AndARecordedOneIsLeftOut()
    {
        var items = DueList.For(Schedule(), Progress(sessions: [1]), Randomized.AddDays(14));

        Assert.Equal(
            [(2, DueStatus.Overdue, Randomized.AddDays(7), Randomized.AddDays(13)), (3, DueStatus.Due, Randomized.AddDays(14), Randomized.AddDays(20))],
            items.Select(i => (i.Number!.Value, i.Status, i.From, i.To)));
    }

    [Fact]
    public void For_AVisitIsDoneOnlyWhenEveryVisitInstrumentIsRecorded()
    {
        var schedule = Schedule(visits: new ScheduledVisit("followUp3m", 90, 14));
        var halfDone = Progress(inTreatment: false, visits: new() { ["followUp3m"] = new HashSet<string> { "phq9" } });
        var done = Progress(inTreatment: false, visits: new() { ["followUp3m"] = new HashSet<string> { "phq9", "gad7" } });

        var listed = Assert.Single(DueList.For(schedule, halfDone, Randomized.AddDays(104)));
        Assert.Equal(("followUp3m", DueStatus.Due), (listed.Visit, listed.Status));
        Assert.Equal(DueStatus.Overdue, Assert.Single(DueList.For(schedule, halfDone, Randomized.AddDays(105))).Status);
        Assert.Empty(DueList.For(schedule, done, Randomized.AddDays(106)));
    }

    [Fact]
    public void For_AfterTreatmentStopped_ListsVisitsButNoSessions()
    {
        var items = DueList.For(Schedule(visits: new ScheduledVisit("endOfTreatment", 28, 7)), Progress(inTreatment: false), Randomized.AddDays(30));

        Assert.Equal(DueKind.Visit, Assert.Single(items).Kind);
    }

    [Fact]
    public void For_AnyScheduleAndProgress_ListsExactlyTheOpenUndoneItems_OverdueIffTodayIsPastTheirWindow()
    {
        var gen =
            from sessions in Gen.Int[1, 20]
            from interval in Gen.Int[1, 21]
            from visits in Gen.Select(Gen.Int[0, 200], Gen.Int[0, 30]).Array[0, 5]
            from recordedSessions in Gen.Int[1, 20].Array[0, 20]
            from recordedVisits in Gen.Int[0, 7].Array[0, 5]
            from inTreatment in Gen.Bool
            from today in Gen.Int[-60, 400]
            select (sessions, interval, visits, recordedSessions, recordedVisits, inTreatment, today);

        gen.Sample(t =>
        {
            string[] instruments = ["phq9", "gad7", "alliance12"];
            var schedule = new TrialSchedule(t.sessions, t.interval, [.. t.visits.Select((v, i) => new ScheduledVisit($"v{i}", v.Item1, v.Item2))], [], instruments);
            // A visit's recorded instruments: bit k of the number says whether instrument k is in.
            var recorded = t.recordedVisits.Select((mask, i) => (Code: $"v{i}", Set: (IReadOnlySet<string>)instruments.Where((_, k) => (mask & (1 << k)) != 0).ToHashSet()))
                .ToDictionary(v => v.Code, v => v.Set);
            var progress = new ScheduleProgress(Randomized, t.inTreatment, t.recordedSessions.ToHashSet(), recorded);
            var today = Randomized.AddDays(t.today);

            var items = DueList.For(schedule, progress, today);

            // Nothing done is listed, and nothing whose window has not opened.
            Assert.DoesNotContain(items, i => i.Kind == DueKind.Session && progress.SessionsRecorded.Contains(i.Number!.Value));
            Assert.DoesNotContain(items, i => i.Kind == DueKind.Visit && instruments.All(k => recorded.GetValueOrDefault(i.Visit!)?.Contains(k) == true));
            Assert.All(items, i => Assert.True(i.From <= today));
            Assert.All(items, i => Assert.Equal(today > i.To, i.Status == DueStatus.Overdue));
            // And everything open and not done is.
            var expectedSessions = t.inTreatment
                ? Enumerable.Range(1, t.sessions).Where(n => (n - 1) * t.interval <= t.today && !progress.SessionsRecorded.Contains(n)).ToList()
                : [];
            Assert.Equal(expectedSessions, items.Where(i => i.Kind == DueKind.Session).Select(i => i.Number!.Value).Order());
            var expectedVisits = schedule.Visits
                .Where(v => v.Day - v.Window <= t.today && !instruments.All(k => recorded.GetValueOrDefault(v.Code)?.Contains(k) == true))
                .Select(v => v.Code).Order(StringComparer.Ordinal);
            Assert.Equal(expectedVisits, items.Where(i => i.Kind == DueKind.Visit).Select(i => i.Visit!).Order(StringComparer.Ordinal));
            Assert.All(items.Where(i => i.Kind == DueKind.Visit), i =>
            {
                var v = schedule.FindVisit(i.Visit!)!;
                Assert.Equal((Randomized.AddDays(v.Day - v.Window), Randomized.AddDays(v.Day + v.Window)), (i.From, i.To));
            });
        });
    }

    [Fact]
    public void NextDue_AnyScheduleAndProgress_IsTheFirstDayAnythingIsListed_AndNoItemOpensBeforeIt()
    {
        var gen =
            from sessions in Gen.Int[1, 20]
            from interval in Gen.Int[1, 21]
            from visits in Gen.Select(Gen.Int[0, 200], Gen.Int[0, 30]).Array[0, 5]
            from recordedSessions in Gen.Int[1, 20].Array[0, 20]
            from recordedVisits in Gen.Int[0, 3].Array[0, 5]
            from inTreatment in Gen.Bool
            from today in Gen.Int[-60, 500]
            select (sessions, interval, visits, recordedSessions, recordedVisits, inTreatment, today);

        gen.Sample(t =>
        {
            string[] instruments = ["phq9", "gad7"];
            var schedule = new TrialSchedule(t.sessions, t.interval, [.. t.visits.Select((v, i) => new ScheduledVisit($"v{i}", v.Item1, v.Item2))], [], instruments);
            var recorded = t.recordedVisits.Select((mask, i) => (Code: $"v{i}", Set: (IReadOnlySet<string>)instruments.Where((_, k) => (mask & (1 << k)) != 0).ToHashSet()))
                .ToDictionary(v => v.Code, v => v.Set);
            var progress = new ScheduleProgress(Randomized, t.inTreatment, t.recordedSessions.ToHashSet(), recorded);
            var today = Randomized.AddDays(t.today);

            var next = DueList.NextDue(schedule, progress);
            var items = DueList.For(schedule, progress, today);

            // The due list relies on exactly this: something is listed on a day iff the stored date is on or before it,
            // the earliest listed item opens on that date, and nothing listed opens before it.
            Assert.Equal(next is { } n && n <= today, items.Count > 0);
            Assert.All(items, i => Assert.True(i.From >= next));
            if (items.Count > 0)
            {
                Assert.Equal(next, items.Min(i => i.From));
            }
        });
    }
}
