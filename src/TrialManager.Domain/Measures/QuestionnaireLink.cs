using TrialManager.Domain.Common;
using TrialManager.Domain.Instruments;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Schedule;
using TrialManager.Domain.Therapy;

namespace TrialManager.Domain.Measures;

/// <summary>
/// A link the participant opens on their own phone to answer one instrument at one session or visit, without an account. Only
/// the SHA-256 of its token is kept, so a copy of the database yields no live link; it is used once and expires.
/// </summary>
public sealed class QuestionnaireLink
{
    private QuestionnaireLink()
    {
        TokenHash = TrialId = ParticipantId = Instrument = CreatedBy = string.Empty;
    }

    private QuestionnaireLink(
        Participant participant, string instrument, int? session, string? visit, string tokenHash, string createdBy, DateTimeOffset now, TimeSpan lifetime)
    {
        Id = Guid.NewGuid();
        TokenHash = tokenHash;
        TrialId = participant.TrialId;
        ParticipantId = participant.Id;
        Instrument = instrument;
        Session = session;
        Visit = visit;
        CreatedBy = createdBy;
        CreatedAt = now;
        ExpiresAt = now + lifetime;
    }

    public Guid Id { get; private set; }

    /// <summary>Lower-case hex SHA-256 of the token; the token itself is only ever in the link handed out.</summary>
    public string TokenHash { get; private set; }

    public string TrialId { get; private set; }
    public string ParticipantId { get; private set; }
    public string Instrument { get; private set; }

    /// <summary>The session the answers belong to, or null for a visit's link.</summary>
    public int? Session { get; private set; }

    /// <summary>The schedule's visit the answers belong to, or null for a session's link.</summary>
    public string? Visit { get; private set; }

    public string CreatedBy { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset ExpiresAt { get; private set; }
    public DateTimeOffset? UsedAt { get; private set; }
    public Guid? MeasureId { get; private set; }

    /// <summary>Open: not yet answered and not expired.</summary>
    public bool IsOpenAt(DateTimeOffset now) => UsedAt is null && now < ExpiresAt;

    /// <summary>
    /// A link for a questionnaire the participant answers themselves, at a session that took place and has no answers
    /// to it yet, while the participant is in the trial after randomization (in therapy or in follow-up).
    /// </summary>
    public static QuestionnaireLink ForSession(
        Participant participant, InstrumentDefinition instrument, int session, IEnumerable<(string Instrument, int Session)> existing,
        string tokenHash, string createdBy, DateTimeOffset now, TimeSpan lifetime)
    {
        EnsureLinkable(instrument, lifetime);
        EnsureAnswerable(participant);
        var held = participant.Sessions.FirstOrDefault(s => s.Number == session)
            ?? throw new WorkflowConflictException($"Session {session} is not recorded for this participant; record the session first.");
        if (held.Attendance != SessionAttendance.Attended)
        {
            throw new WorkflowConflictException($"Session {session} was recorded as {held.Attendance.Wire()}; a questionnaire needs a session that took place.");
        }

        if (existing.Contains((instrument.Code, session)))
        {
            throw new WorkflowConflictException($"{instrument.Code} is already recorded for session {session}.");
        }

        return new QuestionnaireLink(participant, instrument.Code, session, null, tokenHash, createdBy, now, lifetime);
    }

    /// <summary>
    /// A link for one of the schedule's visit instruments at one of its visits, not yet recorded there, while the
    /// participant is in the trial after randomization: the same checks as recording the visit measure.
    /// </summary>
    public static QuestionnaireLink ForVisit(
        Participant participant, TrialSchedule? schedule, InstrumentDefinition instrument, string visit, IEnumerable<(string Instrument, string Visit)> existing,
        string tokenHash, string createdBy, DateTimeOffset now, TimeSpan lifetime)
    {
        EnsureLinkable(instrument, lifetime);
        TrialSchedule.EnsureVisitInstrument(schedule, visit, instrument.Code, "link the questionnaire to its session");

        EnsureAnswerable(participant);
        if (existing.Contains((instrument.Code, visit)))
        {
            throw new WorkflowConflictException($"{instrument.Code} is already recorded for visit {visit}.");
        }

        return new QuestionnaireLink(participant, instrument.Code, null, visit, tokenHash, createdBy, now, lifetime);
    }

    /// <summary>Marks the link answered by <paramref name="measure"/>; a used or expired link, or a withdrawn participant, refuses.</summary>
    public void Answer(Participant participant, Measure measure, DateTimeOffset now)
    {
        if (!IsOpenAt(now))
        {
            throw new WorkflowConflictException("This questionnaire link was already used or has expired.");
        }

        EnsureAnswerable(participant);
        UsedAt = now;
        MeasureId = measure.Id;
    }

    private static void EnsureLinkable(InstrumentDefinition instrument, TimeSpan lifetime)
    {
        if (instrument.Respondent != InstrumentRespondent.Participant)
        {
            throw new DomainValidationException("instrument", $"is answered by the {instrument.Respondent.Wire()}, not by the participant");
        }

        if (lifetime <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(lifetime), lifetime, "A link's lifetime must be positive.");
        }
    }

    private static void EnsureAnswerable(Participant participant)
    {
        if (participant.Status is not (ParticipantStatus.Randomized or ParticipantStatus.FollowUp))
        {
            throw new WorkflowConflictException(
                $"The participant is {participant.Status.Wire()}; questionnaire links are for randomized participants who have not withdrawn.");
        }
    }
}
