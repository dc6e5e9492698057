using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Common;
using TrialManager.Domain.Participants;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;
using TrialManager.Server.Features.Notifications;
using TrialManager.Server.Features.Participants;

namespace TrialManager.Server.Features.Safety;

/// <summary>
/// POST /api/alerts/{alertId}/event (coordinator of the alert's site): a safety alert becomes an adverse event in one
/// step. The event is recorded as at the events route (same fields and rules; a serious one notifies), linked to the
/// alert, and an alert still open is acknowledged with the event as its action. One event per alert.
/// </summary>
public sealed record RecordAlertEvent(
    Guid AlertId, string? Type, DateOnly? OccurredOn, string? Description, IReadOnlyList<string>? Serious, string? Severity, string? Relatedness,
    bool? Expected, string? Outcome, DateOnly? ResolvedOn)
    : ICommand<TrialEventView>, IAuditedCommand, IEventEntry
{
    public string? AuditTrialId => null;

    public static RecordAlertEvent From(Guid alertId, EventEntryRequest body) => new(
        alertId, body.Type, body.OccurredOn, body.Description, body.Serious, body.Severity, body.Relatedness, body.Expected, body.Outcome, body.ResolvedOn);
}

public sealed class RecordAlertEventValidator : EventEntryValidator<RecordAlertEvent>
{
    public RecordAlertEventValidator(TimeProvider clock)
        : base(clock) =>
        RuleFor(e => e.Type).Must(t => t is null || !string.Equals(t, "protocolDeviation", StringComparison.OrdinalIgnoreCase))
            .WithMessage("an alert becomes an adverseEvent or a seriousAdverseEvent, not a protocol deviation");
}

public sealed class RecordAlertEventHandler(TrialDbContext db, IActorAccessor actors, TimeProvider clock, NotificationOutbox notifications)
    : ICommandHandler<RecordAlertEvent, TrialEventView>
{
    public async ValueTask<TrialEventView> Handle(RecordAlertEvent command, CancellationToken cancellationToken)
    {
        var actor = actors.Current;
        var alert = await db.SafetyAlerts.SingleOrDefaultAsync(a => a.Id == command.AlertId, cancellationToken);
        if (alert is null || !actor.MaySeeSite(alert.Site))
        {
            throw new NotFoundException($"No alert with id {command.AlertId}.");
        }

        var participant = await db.LoadParticipantAsync(alert.ParticipantId, actor, cancellationToken);
        if (participant.Events.FirstOrDefault(e => e.AlertId == alert.Id) is { } earlier)
        {
            throw new WorkflowConflictException($"The alert was already recorded as event {earlier.Id} ({earlier.Type.Wire()}).");
        }

        var now = clock.GetUtcNow();
        var recorded = participant.RecordEvent(
            Wire.Parse<ParticipantEventType>(command.Type), command.OccurredOn!.Value, command.Description!.Trim(), EventEntry.Details(command), now, alert.Id);
        if (alert.AcknowledgedAt is null)
        {
            alert.Acknowledge(actor.Name, $"Recorded as {recorded.Type.Wire()} {recorded.Id}.", now);
        }

        await notifications.AddSeriousEventAsync(participant, recorded, cancellationToken);
        return new TrialEventView(participant.Id, participant.Site, EventView.From(recorded), ChangedSinceReview: false);
    }
}
