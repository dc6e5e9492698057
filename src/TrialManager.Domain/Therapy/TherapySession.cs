namespace TrialManager.Domain.Therapy;

public enum SessionAttendance
{
    Attended,
    Cancelled,
    NoShow,
}

/// <summary>Why therapy stopped while the participant stays in follow-up (intention to treat).</summary>
public enum TreatmentStopCategory
{
    AdverseEvent,
    ClinicalDecision,
    ParticipantChoice,
    Other,
}

/// <summary>One numbered therapy session of a participant, as the therapist (or a coordinator) recorded it.</summary>
public sealed class TherapySession
{
    private TherapySession()
    {
        Therapist = RecordedBy = string.Empty;
    }

    internal TherapySession(int number, DateOnly date, SessionAttendance attendance, string therapist, string recordedBy, DateTimeOffset recordedAt)
    {
        Number = number;
        Date = date;
        Attendance = attendance;
        Therapist = therapist;
        RecordedBy = recordedBy;
        RecordedAt = recordedAt;
    }

    public int Number { get; private set; }
    public DateOnly Date { get; private set; }
    public SessionAttendance Attendance { get; private set; }

    /// <summary>The therapist assigned when the session was recorded.</summary>
    public string Therapist { get; private set; }

    /// <summary>The key that recorded it: the therapist themselves or a coordinator.</summary>
    public string RecordedBy { get; private set; }

    public DateTimeOffset RecordedAt { get; private set; }

    /// <summary>A correction of the date or attendance (the participant keeps the old value in a correction).</summary>
    internal void Correct(DateOnly date, SessionAttendance attendance)
    {
        Date = date;
        Attendance = attendance;
    }
}
