using TrialManager.Domain.Common;
using TrialManager.Domain.Instruments;
using TrialManager.Domain.Measures;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Tests.Instruments;
using TrialManager.Domain.Tests.Participants;
using TrialManager.Domain.Therapy;
using TrialManager.Domain.Trials;

namespace TrialManager.Domain.Tests.Measures;

/// <summary>
/// A session's measure: at a recorded session that took place, on or after its date, once per instrument. The server
/// gives the rules only the session it reads (<see cref="HeldSession"/>); they must answer as they do for the participant.
/// </summary>
public sealed class SessionMeasureTests
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(Walk.Now.UtcDateTime);

    /// <summary>Randomized, in therapy with T01; session 1 held today, session 2 a no-show.</summary>
    private static Participant InTherapy()
    {
        var trial = Walk.RecruitingTrial();
        var p = Participant.Screen("p", trial, Walk.EligibleAnswers, Walk.Now);
        p.Consent("1.0", Today);
        p.RateFormulation(trial.Definition, "R01", Walk.CognitiveLeads, false, null, Walk.Now);
        p.MarkRandomized(Walk.Now);
        p.AssignTherapist(Walk.Therapist(trial), ArmCode.Mediator);
        p.RecordSession(1, Today, SessionAttendance.Attended, "T01", Walk.Now);
        p.RecordSession(2, Today, SessionAttendance.NoShow, "T01", Walk.Now);
        return p;
    }

    private static ScoredMeasure Scored() =>
        MeasureScorer.Score(SampleInstruments.Summed(), SampleInstruments.Answers(("1", 0), ("2", 1), ("3", 2), ("4", 0))).Measure!;

    /// <summary>The outcome as text: the measure's owner and session, or the refusal's kind and message.</summary>
    private static string Outcome(Func<Measure> record)
    {
        try
        {
            var m = record();
            return $"{m.TrialId}/{m.ParticipantId}/{m.Session}/{m.CompletedOn:yyyy-MM-dd}";
        }
        catch (DomainException e)
        {
            return $"{e.GetType().Name}: {e.Message}";
        }
    }

    [Theory]
    [InlineData(1, 0, false, "/p/1/")] // held today: recorded
    [InlineData(1, 3, false, "/p/1/")] // completed later: recorded
    [InlineData(1, -1, false, "DomainValidationException")] // before the session's date
    [InlineData(2, 0, false, "WorkflowConflictException: Session 2 was recorded as NoShow")] // did not take place
    [InlineData(5, 0, false, "WorkflowConflictException: Session 5 is not recorded")] // not recorded
    [InlineData(1, 0, true, "WorkflowConflictException: ")] // the instrument already recorded at that session
    public void FromTheSessionAlone_TheRulesAnswerAsFromTheParticipant(int session, int daysAfter, bool alreadyRecorded, string expected)
    {
        var p = InTherapy();
        var scored = Scored();
        (string, int)[] existing = alreadyRecorded ? [(scored.Instrument, session)] : [];
        var completedOn = Today.AddDays(daysAfter);
        var held = p.Sessions.FirstOrDefault(s => s.Number == session) is { } s ? new HeldSession(s.Date, s.Attendance) : null;

        var fromParticipant = Outcome(() => Measure.AtSession(p, scored, session, completedOn, existing, "T01", Walk.Now));
        var fromSession = Outcome(() => Measure.AtSession(p.TrialId, p.Id, held, scored, session, completedOn, existing, "T01", Walk.Now));

        Assert.Equal(fromParticipant, fromSession);
        Assert.Contains(expected, fromSession, StringComparison.Ordinal);
    }
}
