namespace TrialManager.Domain.Participants;

/// <summary>
/// One correction of a recorded value (ICH E6(R3)): what it was, what it became, who changed it, when and why. Never
/// updated or deleted; the record's current value is the latest correction's, and the first correction's old value is
/// the value as originally entered.
/// </summary>
public sealed class Correction
{
    public const string ParticipantTarget = "participant";

    /// <summary>A target's kind and key: "measure:{id}" -> ("measure", "{id}"); "participant" -> ("participant", "").</summary>
    public static (string Kind, string Key) SplitTarget(string target) =>
        target.IndexOf(':', StringComparison.Ordinal) is var colon and > 0 ? (target[..colon], target[(colon + 1)..]) : (target, string.Empty);

    private Correction()
    {
        TrialId = ParticipantId = Target = Field = Reason = CorrectedBy = string.Empty;
    }

    public Correction(
        Participant participant, string target, string field, string? oldValue, string? newValue, string reason, string correctedBy,
        DateTimeOffset correctedAt, Guid? queryId = null)
    {
        ArgumentNullException.ThrowIfNull(participant);
        Id = Guid.NewGuid();
        TrialId = participant.TrialId;
        ParticipantId = participant.Id;
        Target = target;
        Field = field;
        OldValue = oldValue;
        NewValue = newValue;
        Reason = reason;
        CorrectedBy = correctedBy;
        CorrectedAt = correctedAt;
        QueryId = queryId;
    }

    public Guid Id { get; private set; }
    public string TrialId { get; private set; }
    public string ParticipantId { get; private set; }

    /// <summary><c>participant</c>, <c>rating:N</c>, <c>session:N</c>, <c>measure:{id}</c> or <c>event:{id}</c>.</summary>
    public string Target { get; private set; }

    public string Field { get; private set; }

    /// <summary>The value before this correction, as JSON; null when there was none.</summary>
    public string? OldValue { get; private set; }

    /// <summary>The value this correction recorded, as JSON; null when the value was cleared.</summary>
    public string? NewValue { get; private set; }

    public string Reason { get; private set; }
    public string CorrectedBy { get; private set; }
    public DateTimeOffset CorrectedAt { get; private set; }

    /// <summary>The data query this correction answered, if any.</summary>
    public Guid? QueryId { get; private set; }
}

/// <summary>The participant's own values that a correction may change: the screening answers and the consent.</summary>
public enum ParticipantField
{
    Site,
    AgeYears,
    Severity,
    Exclusions,
    Motivation,
    Expectancy,
    ConsentVersion,
    ConsentedOn,
}
