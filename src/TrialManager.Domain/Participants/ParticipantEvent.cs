using TrialManager.Domain.Common;

namespace TrialManager.Domain.Participants;

public enum ParticipantEventType
{
    AdverseEvent,
    SeriousAdverseEvent,
    ProtocolDeviation,
}

/// <summary>The values of an event a correction may change.</summary>
public enum EventField
{
    OccurredOn,
    Description,
    Serious,
    Severity,
    Relatedness,
    Expected,
    Outcome,
    ResolvedOn,
}

/// <summary>
/// An adverse event or protocol deviation of one participant. Adverse events carry the structured safety fields (null
/// only on events recorded before they existed); a serious one waits for a medical review by an admin or the DSMB.
/// </summary>
public sealed class ParticipantEvent
{
    private ParticipantEvent()
    {
        Description = string.Empty;
    }

    internal ParticipantEvent(int number, ParticipantEventType type, DateOnly occurredOn, string description, AdverseEventDetails? details, Guid? alertId, DateTimeOffset recordedAt)
    {
        Id = Guid.NewGuid();
        Number = number;
        Type = type;
        OccurredOn = occurredOn;
        Description = description;
        AlertId = alertId;
        RecordedAt = recordedAt;
        if (details is not null)
        {
            Apply(details);
        }
    }

    /// <summary>The event's id across the trial (corrections name it as <c>event:{id}</c>, reviews by it).</summary>
    public Guid Id { get; private set; }
    public int Number { get; private set; }
    public ParticipantEventType Type { get; private set; }
    public DateOnly OccurredOn { get; private set; }
    public string Description { get; private set; }
    public DateTimeOffset RecordedAt { get; private set; }

    /// <summary>The seriousness criteria met (empty: not serious); null on a protocol deviation.</summary>
    public IReadOnlyList<SeriousnessCriterion>? Serious { get; private set; }
    public EventSeverity? Severity { get; private set; }
    public EventRelatedness? Relatedness { get; private set; }
    public bool? Expected { get; private set; }
    public EventOutcome? Outcome { get; private set; }
    public DateOnly? ResolvedOn { get; private set; }

    /// <summary>The safety alert this event was recorded from, if any.</summary>
    public Guid? AlertId { get; private set; }

    public string? ReviewedBy { get; private set; }
    public DateTimeOffset? ReviewedAt { get; private set; }

    /// <summary>The medical reviewer's comment.</summary>
    public string? ReviewComment { get; private set; }

    public bool IsSerious => Type == ParticipantEventType.SeriousAdverseEvent;

    /// <summary>The safety fields as one value once all of them are recorded; null on deviations (and on older events).</summary>
    public AdverseEventDetails? Details =>
        Serious is { } serious && Severity is { } severity && Relatedness is { } relatedness && Expected is { } expected && Outcome is { } outcome
            ? new AdverseEventDetails(serious, severity, relatedness, expected, outcome, ResolvedOn)
            : null;

    /// <summary>
    /// Reviewed, then corrected (<paramref name="lastCorrectedAt"/>: the event's latest correction, if any): the review
    /// judged values that have since changed, so the event waits for a review again. The review itself stays.
    /// </summary>
    public bool ChangedSinceReview(DateTimeOffset? lastCorrectedAt) => ReviewedAt is { } at && lastCorrectedAt > at;

    /// <summary>
    /// Records the medical review: once, or again when the event was corrected since the last one. A new review takes the
    /// place of the earlier one on the event; every review stays on the audit trail.
    /// </summary>
    internal void Review(string by, string comment, DateTimeOffset now, DateTimeOffset? lastCorrectedAt)
    {
        if (!IsSerious)
        {
            throw new WorkflowConflictException($"Event {Id} is not serious (type {Type.Wire()}); only serious adverse events get a medical review.");
        }

        if (ReviewedAt is { } at && !ChangedSinceReview(lastCorrectedAt))
        {
            throw new WorkflowConflictException($"Event {Id} was already reviewed by {ReviewedBy} at {at:yyyy-MM-dd HH:mm} UTC.");
        }

        ReviewedBy = by;
        ReviewComment = comment;
        ReviewedAt = now;
    }

    /// <summary>
    /// Corrects one value and returns the one it replaces. Correcting <c>serious</c> sets the type to follow it
    /// (<paramref name="oldType"/> is then the type it had). The corrected event must pass the same rules as at entry.
    /// </summary>
    internal object? Correct(EventField field, object? value, out ParticipantEventType? oldType)
    {
        oldType = null;
        if (!AdverseEventRules.IsAdverse(Type) && field is not (EventField.OccurredOn or EventField.Description))
        {
            throw new DomainValidationException("field", "a protocol deviation has only occurredOn and description");
        }

        var (occurredOn, details) = (OccurredOn, Details);
        var type = Type;
        object? old = field switch
        {
            EventField.OccurredOn => OccurredOn,
            EventField.Description => Description,
            EventField.Serious => Serious,
            EventField.Severity => Severity,
            EventField.Relatedness => Relatedness,
            EventField.Expected => Expected,
            EventField.Outcome => Outcome,
            EventField.ResolvedOn => ResolvedOn,
            _ => throw new ArgumentOutOfRangeException(nameof(field)),
        };

        // The candidate, checked before anything changes.
        var serious = Serious;
        var (severity, relatedness, expected, outcome, resolvedOn) = (Severity, Relatedness, Expected, Outcome, ResolvedOn);
        switch (field)
        {
            case EventField.OccurredOn:
                occurredOn = Required<DateOnly>(value);
                break;
            case EventField.Serious:
                serious = [.. Required<IReadOnlyList<SeriousnessCriterion>>(value)];
                type = AdverseEventRules.TypeFor(serious);
                break;
            case EventField.Severity:
                severity = Required<EventSeverity>(value);
                break;
            case EventField.Relatedness:
                relatedness = Required<EventRelatedness>(value);
                break;
            case EventField.Expected:
                expected = Required<bool>(value);
                break;
            case EventField.Outcome:
                outcome = Required<EventOutcome>(value);
                break;
            case EventField.ResolvedOn:
                resolvedOn = value is null ? null : Required<DateOnly>(value);
                break;
        }

        details = serious is not null && severity is { } s && relatedness is { } r && expected is { } x && outcome is { } o
            ? new AdverseEventDetails(serious, s, r, x, o, resolvedOn)
            : null;
        // An event recorded before the safety fields existed is completed one correction at a time; once complete it
        // must be consistent, as a deviation must stay without them.
        if ((details is not null || !AdverseEventRules.IsAdverse(type))
            && AdverseEventRules.Check(type, occurredOn, details).FirstOrDefault() is { Value: { } error })
        {
            throw new DomainValidationException("value", error);
        }

        if (field == EventField.Description)
        {
            Description = Required<string>(value);
        }

        OccurredOn = occurredOn;
        (Serious, Severity, Relatedness, Expected, Outcome, ResolvedOn) = (serious, severity, relatedness, expected, outcome, resolvedOn);
        if (type != Type)
        {
            (oldType, Type) = (Type, type);
        }

        return old;
    }

    private void Apply(AdverseEventDetails details) =>
        (Serious, Severity, Relatedness, Expected, Outcome, ResolvedOn) =
        ([.. details.Serious], details.Severity, details.Relatedness, details.Expected, details.Outcome, details.ResolvedOn);

    private static T Required<T>(object? value) => value is T typed ? typed : throw new ArgumentException($"A {typeof(T).Name} is required.", nameof(value));
}
