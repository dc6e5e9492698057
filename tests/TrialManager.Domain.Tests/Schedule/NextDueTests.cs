using CsCheck;
using TrialManager.Domain.Common;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Schedule;
using TrialManager.Domain.Tests.Participants;
using TrialManager.Domain.Therapy;

namespace TrialManager.Domain.Tests.Schedule;

/// <summary>The participant's stored next-due date against the due list's rule, after any sequence of events.</summary>
public class NextDueTests
{
    private static readonly TrialSchedule Schedule = new(
        6, 7, [new ScheduledVisit("baseline", 0, 7), new ScheduledVisit("week4", 28, 7), new ScheduledVisit("followUp", 90, 14)], [], ["phq9", "gad7"]);

    private enum Event
    {
        RecordSession,
        CorrectSession,
        StopTreatment,
        RecordVisitInstrument,
        Withdraw,
        Complete,
        CorrectAnswer,
    }

    [Fact]
    public void NextDue_AfterAnySequenceOfEvents_IsTheRulesEarliestOpenItem_OrNullOnceNotFollowed()
    {
        var gen = Gen.Select(Gen.Enum<Event>(), Gen.Int[1, 6], Gen.Int[0, 5]).Array[0, 25];

        gen.Sample(events =>
        {
            var (p, _) = Walk.To(ParticipantStatus.Randomized);
            var randomizedOn = DateOnly.FromDateTime(Walk.Now.UtcDateTime);
            // The test's own account of what happened, kept apart from the participant's.
            var sessions = new HashSet<int>();
            var visits = new Dictionary<string, HashSet<string>>();
            var (stopped, ended) = (false, false);
            p.TrackSchedule(Schedule, Recorded());
            Assert.Equal(Expected(), p.NextDue);
            foreach (var (kind, number, which) in events)
            {
                try
                {
                    switch (kind)
                    {
                        case Event.RecordSession:
                            p.RecordSession(number, randomizedOn, SessionAttendance.Attended, "T01", Walk.Now);
                            sessions.Add(number);
                            break;
                        case Event.CorrectSession:
                            p.CorrectSession(number, null, SessionAttendance.NoShow);
                            break;
                        case Event.StopTreatment:
                            p.StopTreatment(TreatmentStopCategory.ClinicalDecision, null, Walk.Now);
                            stopped = true;
                            break;
                        case Event.RecordVisitInstrument when !ended:
                            // The server records a visit measure only while the participant is followed (Measure.AtVisit).
                            var visit = Schedule.Visits[which % Schedule.Visits.Count].Code;
                            (visits.TryGetValue(visit, out var set) ? set : visits[visit] = []).Add(Schedule.VisitInstruments[which % 2]);
                            break;
                        case Event.Withdraw:
                            p.Withdraw(WithdrawalCategory.Other, null, Walk.Now);
                            ended = true;
                            break;
                        case Event.Complete:
                            p.Complete(Walk.Now);
                            ended = true;
                            break;
                        case Event.CorrectAnswer:
                            p.CorrectAnswer(ParticipantField.Severity, 10 + which);
                            break;
                    }
                }
                catch (Exception e) when (e is WorkflowConflictException or DomainValidationException)
                {
                    // Not allowed in this state: nothing changed, and the next-due date must not either.
                }

                p.TrackSchedule(Schedule, Recorded());
                Assert.Equal(Expected(), p.NextDue);
            }

            Dictionary<string, IReadOnlySet<string>> Recorded() => visits.ToDictionary(v => v.Key, v => (IReadOnlySet<string>)v.Value);

            DateOnly? Expected() => ended
                ? null
                : DueList.For(Schedule, new ScheduleProgress(randomizedOn, !stopped, sessions, Recorded()), DateOnly.MaxValue).Select(i => (DateOnly?)i.From).FirstOrDefault();
        });
    }

    [Fact]
    public void NextDue_IsNull_BeforeRandomization_AndWithoutASchedule()
    {
        var (formulated, _) = Walk.To(ParticipantStatus.Formulated);
        formulated.TrackSchedule(Schedule, new Dictionary<string, IReadOnlySet<string>>());
        var (randomized, _) = Walk.To(ParticipantStatus.Randomized);
        randomized.TrackSchedule(null, new Dictionary<string, IReadOnlySet<string>>());

        Assert.Null(formulated.NextDue);
        Assert.Null(randomized.NextDue);
    }

    [Fact]
    public void NextDue_OfANewlyRandomizedParticipant_IsTheBaselineWindowsFirstDay_AndMovesOnAsItemsAreDone()
    {
        var (p, _) = Walk.To(ParticipantStatus.Randomized);
        var on = DateOnly.FromDateTime(Walk.Now.UtcDateTime);
        var visits = new Dictionary<string, IReadOnlySet<string>>();
        p.TrackSchedule(Schedule, visits);
        Assert.Equal(on.AddDays(-7), p.NextDue);

        visits["baseline"] = new HashSet<string> { "phq9", "gad7" };
        p.TrackSchedule(Schedule, visits);
        Assert.Equal(on, p.NextDue);

        p.RecordSession(1, on, SessionAttendance.Attended, "T01", Walk.Now);
        p.TrackSchedule(Schedule, visits);
        Assert.Equal(on.AddDays(7), p.NextDue);

        // A stopped treatment leaves the visits: the next is week 4's window.
        p.StopTreatment(TreatmentStopCategory.ClinicalDecision, null, Walk.Now);
        p.TrackSchedule(Schedule, visits);
        Assert.Equal(on.AddDays(21), p.NextDue);
    }
}
