using Mediator;
using TrialManager.Domain.Participants;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;
using TrialManager.Server.Features.Notifications;

namespace TrialManager.Server.Features.Participants;

/// <summary>
/// POST /api/participants/{id}/events: adverse events with their safety fields, serious adverse events (which notify the
/// trial's safety contacts through the outbox, in this transaction), protocol deviations.
/// </summary>
public sealed record RecordParticipantEvent(
    string ParticipantId, string? Type, DateOnly? OccurredOn, string? Description, IReadOnlyList<string>? Serious = null, string? Severity = null,
    string? Relatedness = null, bool? Expected = null, string? Outcome = null, DateOnly? ResolvedOn = null)
    : ICommand<EventView>, IAuditedCommand, IEventEntry
{
    public string? AuditTrialId => null;

    public static RecordParticipantEvent From(string participantId, EventEntryRequest body) => new(
        participantId, body.Type, body.OccurredOn, body.Description, body.Serious, body.Severity, body.Relatedness, body.Expected, body.Outcome,
        body.ResolvedOn);
}

public sealed class RecordParticipantEventValidator(TimeProvider clock) : EventEntryValidator<RecordParticipantEvent>(clock);

public sealed class RecordParticipantEventHandler(TrialDbContext db, IActorAccessor actors, TimeProvider clock, NotificationOutbox notifications)
    : ICommandHandler<RecordParticipantEvent, EventView>
{
    public async ValueTask<EventView> Handle(RecordParticipantEvent command, CancellationToken cancellationToken)
    {
        var participant = await db.LoadParticipantAsync(command.ParticipantId, actors.Current, cancellationToken);
        var recorded = participant.RecordEvent(
            Wire.Parse<ParticipantEventType>(command.Type), command.OccurredOn!.Value, command.Description!.Trim(), EventEntry.Details(command), clock.GetUtcNow());
        await notifications.AddSeriousEventAsync(participant, recorded, cancellationToken);
        return EventView.From(recorded);
    }
}
