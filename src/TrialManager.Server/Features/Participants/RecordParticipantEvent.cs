using FluentValidation;
using Mediator;
using TrialManager.Domain.Participants;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Participants;

/// <summary>POST /api/participants/{id}/events: adverse events, serious adverse events, protocol deviations.</summary>
public sealed record RecordParticipantEvent(string ParticipantId, string? Type, DateOnly? OccurredOn, string? Description)
    : ICommand<EventView>, IAuditedCommand
{
    public string? AuditTrialId => null;
}

public sealed record RecordParticipantEventRequest(string? Type, DateOnly? OccurredOn, string? Description);

public sealed class RecordParticipantEventValidator : AbstractValidator<RecordParticipantEvent>
{
    public RecordParticipantEventValidator(TimeProvider clock)
    {
        RuleFor(e => e.Type).Must(t => Wire.TryParse<ParticipantEventType>(t, out _))
            .WithMessage("must be adverseEvent, seriousAdverseEvent or protocolDeviation");
        RuleFor(e => e.OccurredOn).NotNull()
            .Must(d => d >= new DateOnly(2000, 1, 1) && d <= DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime.AddDays(1)))
            .WithMessage("must be a real date, not in the future");
        RuleFor(e => e.Description).NotEmpty().MaximumLength(4_000);
    }
}

public sealed class RecordParticipantEventHandler(TrialDbContext db, IActorAccessor actors, TimeProvider clock)
    : ICommandHandler<RecordParticipantEvent, EventView>
{
    public async ValueTask<EventView> Handle(RecordParticipantEvent command, CancellationToken cancellationToken)
    {
        var participant = await db.LoadParticipantAsync(command.ParticipantId, actors.Current, cancellationToken);
        var recorded = participant.RecordEvent(
            Wire.Parse<ParticipantEventType>(command.Type), command.OccurredOn!.Value, command.Description!.Trim(), clock.GetUtcNow());
        return EventView.From(recorded);
    }
}
