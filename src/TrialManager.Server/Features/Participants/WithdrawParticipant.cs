using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Participants;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Participants;

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
