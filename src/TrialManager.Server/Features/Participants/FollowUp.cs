using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Participants;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;
using TrialManager.Server.Pipeline;
using TrialManager.Server.Security;

namespace TrialManager.Server.Features.Participants;

// Withdrawal, completion and events: the follow-up commands, each guarded by the participant's lifecycle.

/// <summary>POST /api/participants/{id}/withdrawal: a coded category, and the reason as a private note.</summary>
public sealed record WithdrawParticipant(string ParticipantId, string? Category, string? Reason) : ICommand<ParticipantView>, IAuditedCommand
{
    public string? AuditTrialId => null;
}

public sealed record WithdrawParticipantRequest(string? Category, string? Reason);

public sealed class WithdrawParticipantValidator : AbstractValidator<WithdrawParticipant>
{
    public WithdrawParticipantValidator()
    {
        RuleFor(w => w.Category).Must(c => Wire.TryParse<WithdrawalCategory>(c, out _))
            .WithMessage("is required: withdrewConsent, lostToFollowUp, adverseEvent, movedAway, clinicalDecision or other");
        RuleFor(w => w.Reason).MaximumLength(2_000);
    }
}

public sealed class WithdrawParticipantHandler(TrialDbContext db, IActorAccessor actors, TimeProvider clock)
    : ICommandHandler<WithdrawParticipant, ParticipantView>
{
    public async ValueTask<ParticipantView> Handle(WithdrawParticipant command, CancellationToken cancellationToken)
    {
        var participant = await db.LoadParticipantAsync(command.ParticipantId, actors.Current, cancellationToken);
        var note = string.IsNullOrWhiteSpace(command.Reason) ? null : command.Reason.Trim();
        participant.Withdraw(Wire.Parse<WithdrawalCategory>(command.Category), note, clock.GetUtcNow());
        var allocation = await db.Allocations.AsNoTracking().SingleOrDefaultAsync(a => a.ParticipantId == participant.Id, cancellationToken);
        return ParticipantView.From(participant, allocation);
    }
}

/// <summary>POST /api/participants/{id}/completion</summary>
public sealed record CompleteParticipant(string ParticipantId) : ICommand<ParticipantView>, IAuditedCommand
{
    public string? AuditTrialId => null;
}

public sealed class CompleteParticipantHandler(TrialDbContext db, IActorAccessor actors, TimeProvider clock)
    : ICommandHandler<CompleteParticipant, ParticipantView>
{
    public async ValueTask<ParticipantView> Handle(CompleteParticipant command, CancellationToken cancellationToken)
    {
        var participant = await db.LoadParticipantAsync(command.ParticipantId, actors.Current, cancellationToken);
        participant.Complete(clock.GetUtcNow());
        var allocation = await db.Allocations.AsNoTracking().SingleOrDefaultAsync(a => a.ParticipantId == participant.Id, cancellationToken);
        return ParticipantView.From(participant, allocation);
    }
}

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
