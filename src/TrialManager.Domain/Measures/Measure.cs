using TrialManager.Domain.Common;
using TrialManager.Domain.Instruments;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Schedule;

namespace TrialManager.Domain.Measures;

/// <summary>
/// One completed instrument of a participant at a session or at a scheduled visit: the answers as given, and the scores, band and prorating the
/// server computed from the instrument's definition (clients never send scores). Never overwritten.
/// </summary>
public sealed class Measure
{
    private Measure()
    {
        TrialId = ParticipantId = Instrument = Version = RecordedBy = string.Empty;
        Answers = new Dictionary<string, int>();
        Scores = new Dictionary<string, double?>();
    }

    private Measure(
        string trialId, string participantId, ScoredMeasure scored, int? session, string? visit, DateOnly completedOn, string recordedBy, DateTimeOffset now)
    {
        Id = Guid.NewGuid();
        TrialId = trialId;
        ParticipantId = participantId;
        Instrument = scored.Instrument;
        Version = scored.Version;
        Session = session;
        Visit = visit;
        CompletedOn = completedOn;
        Answers = scored.Answers;
        Scores = scored.Scores;
        Band = scored.Band;
        Prorated = scored.Prorated;
        RecordedBy = recordedBy;
        RecordedAt = now;
    }

    public Guid Id { get; private set; }
    public string TrialId { get; private set; }
    public string ParticipantId { get; private set; }
    public string Instrument { get; private set; }
    public string Version { get; private set; }
    /// <summary>The session it was taken at; null for a visit's measure.</summary>
    public int? Session { get; private set; }

    /// <summary>The schedule's visit it was taken at; null for a session's measure.</summary>
    public string? Visit { get; private set; }

    public DateOnly CompletedOn { get; private set; }
    public IReadOnlyDictionary<string, int> Answers { get; private set; }
    public IReadOnlyDictionary<string, double?> Scores { get; private set; }
    public string? Band { get; private set; }
    public bool Prorated { get; private set; }
    public string RecordedBy { get; private set; }
    public DateTimeOffset RecordedAt { get; private set; }

    /// <summary>A corrected item answer, re-scored by the server; the caller keeps the old answer in a correction.</summary>
    public void Rescore(ScoredMeasure rescored)
    {
        ArgumentNullException.ThrowIfNull(rescored);
        Answers = rescored.Answers;
        Scores = rescored.Scores;
        Band = rescored.Band;
        Prorated = rescored.Prorated;
    }

    /// <summary>A corrected completion date: on or after its session's date, as at entry.</summary>
    public void CorrectCompletedOn(Participant participant, DateOnly completedOn)
    {
        ArgumentNullException.ThrowIfNull(participant);
        if (participant.Sessions.FirstOrDefault(s => s.Number == Session) is { } held && completedOn < held.Date)
        {
            throw new DomainValidationException("value", $"is before session {Session} on {held.Date:yyyy-MM-dd}");
        }

        CompletedOn = completedOn;
    }

    /// <summary>
    /// A measure taken at one of the participant's recorded sessions (a session that did not take place has none), on or
    /// after its date; once per instrument and session.
    /// </summary>
    public static Measure AtSession(
        Participant participant, ScoredMeasure scored, int session, DateOnly completedOn, IEnumerable<(string Instrument, int Session)> existing,
        string recordedBy, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(participant);
        var held = participant.Sessions.FirstOrDefault(s => s.Number == session);
        return AtSession(
            participant.TrialId, participant.Id, held is null ? null : new HeldSession(held.Date, held.Attendance), scored, session, completedOn, existing, recordedBy, now);
    }

    /// <summary>
    /// The same rules, given only what they need of the participant: who they are and the session (null when it is not
    /// recorded). The server reads just that, not the participant with every session, rating and event.
    /// </summary>
    public static Measure AtSession(
        string trialId, string participantId, HeldSession? held, ScoredMeasure scored, int session, DateOnly completedOn,
        IEnumerable<(string Instrument, int Session)> existing, string recordedBy, DateTimeOffset now)
    {
        EnsureAttended(held, session);
        if (completedOn < held.Date)
        {
            throw new DomainValidationException("completedOn", $"is before session {session} on {held.Date:yyyy-MM-dd}");
        }

        if (existing.Contains((scored.Instrument, session)))
        {
            throw new WorkflowConflictException($"{scored.Instrument} is already recorded for session {session}.");
        }

        return new Measure(trialId, participantId, scored, session, null, completedOn, recordedBy, now);
    }

    /// <summary>The participant's session <paramref name="session"/>, which must be recorded as attended for a measure of it (409 otherwise).</summary>
    public static Therapy.TherapySession AttendedSession(Participant participant, int session)
    {
        ArgumentNullException.ThrowIfNull(participant);
        var held = participant.Sessions.FirstOrDefault(s => s.Number == session);
        EnsureAttended(held is null ? null : new HeldSession(held.Date, held.Attendance), session);
        return held!; // EnsureAttended refused a missing session
    }

    private static void EnsureAttended([System.Diagnostics.CodeAnalysis.NotNull] HeldSession? held, int session)
    {
        if (held is null)
        {
            throw new WorkflowConflictException($"Session {session} is not recorded for this participant; record the session first.");
        }

        if (held.Attendance != Therapy.SessionAttendance.Attended)
        {
            throw new WorkflowConflictException($"Session {session} was recorded as {held.Attendance}; a measure needs a session that took place.");
        }
    }

    /// <summary>
    /// A measure taken at one of the schedule's visits, for one of its visit instruments, on or after the randomization
    /// date and while data are still collected; once per instrument and visit.
    /// </summary>
    public static Measure AtVisit(
        Participant participant, TrialSchedule? schedule, ScoredMeasure scored, string visit, DateOnly completedOn,
        IEnumerable<(string Instrument, string? Visit)> existing, string recordedBy, DateTimeOffset now)
    {
        TrialSchedule.EnsureVisitInstrument(schedule, visit, scored.Instrument, "record the measure at its session");

        if (participant.Status is not (ParticipantStatus.Randomized or ParticipantStatus.FollowUp) || participant.RandomizedAt is not { } randomizedAt)
        {
            throw new WorkflowConflictException(
                $"The participant is {participant.Status.Wire()}; visit measures are taken from randomization until completion or withdrawal.");
        }

        if (completedOn < DateOnly.FromDateTime(randomizedAt.UtcDateTime))
        {
            throw new DomainValidationException("completedOn", "is before the randomization date, from which the schedule's visits count");
        }

        if (existing.Contains((scored.Instrument, visit)))
        {
            throw new WorkflowConflictException($"{scored.Instrument} is already recorded for visit {visit}.");
        }

        return new Measure(participant.TrialId, participant.Id, scored, null, visit, completedOn, recordedBy, now);
    }
}

/// <summary>What a session's measure needs of its session: when it took place, and whether it did.</summary>
public sealed record HeldSession(DateOnly Date, Therapy.SessionAttendance Attendance);
