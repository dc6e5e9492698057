using TrialManager.Domain.Common;
using TrialManager.Domain.Instruments;

namespace TrialManager.Domain.Measures;

/// <summary>
/// A safety alert raised by an instrument's alert rule (a self-harm item above 0, a deterioration): shown to the
/// participant's site until a coordinator acknowledges it with the action taken.
/// </summary>
public sealed class SafetyAlert
{
    private SafetyAlert()
    {
        TrialId = ParticipantId = Site = Instrument = Rule = string.Empty;
    }

    private SafetyAlert(Measure measure, string site, TriggeredAlert alert, DateTimeOffset now)
    {
        Id = Guid.NewGuid();
        TrialId = measure.TrialId;
        ParticipantId = measure.ParticipantId;
        Site = site;
        MeasureId = measure.Id;
        Instrument = measure.Instrument;
        Rule = alert.Rule;
        Kind = alert.Kind;
        RaisedAt = now;
    }

    public Guid Id { get; private set; }
    public string TrialId { get; private set; }
    public string ParticipantId { get; private set; }
    public string Site { get; private set; }
    public Guid MeasureId { get; private set; }
    public string Instrument { get; private set; }
    public string Rule { get; private set; }
    public AlertKind Kind { get; private set; }
    public DateTimeOffset RaisedAt { get; private set; }
    public string? AcknowledgedBy { get; private set; }
    public DateTimeOffset? AcknowledgedAt { get; private set; }

    /// <summary>What the coordinator did about it (called the participant, referred to crisis care, ...).</summary>
    public string? Action { get; private set; }

    public static IReadOnlyList<SafetyAlert> Raise(Measure measure, string site, IEnumerable<TriggeredAlert> alerts, DateTimeOffset now) =>
        [.. alerts.Select(a => new SafetyAlert(measure, site, a, now))];

    public void Acknowledge(string by, string action, DateTimeOffset now)
    {
        if (AcknowledgedAt is not null)
        {
            throw new WorkflowConflictException($"The alert was already acknowledged by {AcknowledgedBy} at {AcknowledgedAt:yyyy-MM-dd HH:mm} UTC.");
        }

        AcknowledgedBy = by;
        Action = action;
        AcknowledgedAt = now;
    }
}
