namespace TrialManager.Domain.Participants;

public enum ParticipantEventType
{
    AdverseEvent,
    SeriousAdverseEvent,
    ProtocolDeviation,
}

public sealed class ParticipantEvent
{
    private ParticipantEvent()
    {
        Description = string.Empty;
    }

    internal ParticipantEvent(int number, ParticipantEventType type, DateOnly occurredOn, string description, DateTimeOffset recordedAt)
    {
        Number = number;
        Type = type;
        OccurredOn = occurredOn;
        Description = description;
        RecordedAt = recordedAt;
    }

    public int Number { get; private set; }
    public ParticipantEventType Type { get; private set; }
    public DateOnly OccurredOn { get; private set; }
    public string Description { get; private set; }
    public DateTimeOffset RecordedAt { get; private set; }
}
