using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Blinding;
using TrialManager.Domain.Common;
using TrialManager.Domain.Notifications;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;
using TrialManager.Server.Features.Notifications;

namespace TrialManager.Server.Features.Blinding;

/// <summary>
/// POST /api/participants/{id}/unblinding: an assessor (or an admin) is told one participant's arm, for a stated
/// reason. Only this answer carries the arm; the assessor's other views stay blind. The trial's safety contacts are
/// told that it happened (not the arm), and the row is an audited event.
/// </summary>
public sealed record UnblindParticipant(string ParticipantId, string? Reason) : ICommand<UnblindingView>, IAuditedCommand
{
    public string? AuditTrialId => null;
}

public sealed record UnblindParticipantRequest(string? Reason);

public sealed record UnblindingView(Guid Id, string ParticipantId, ArmCode Arm, string UnblindedBy, string Reason, DateTimeOffset UnblindedAt);

public sealed class UnblindParticipantValidator : AbstractValidator<UnblindParticipant>
{
    public UnblindParticipantValidator() =>
        RuleFor(u => u.Reason).Must(r => !string.IsNullOrWhiteSpace(r)).WithMessage("is required: why the arm must be revealed")
            .MaximumLength(Unblinding.MaxReasonLength);
}

public sealed class UnblindParticipantHandler(TrialDbContext db, IActorAccessor actors, NotificationOutbox outbox, TimeProvider clock)
    : ICommandHandler<UnblindParticipant, UnblindingView>
{
    public async ValueTask<UnblindingView> Handle(UnblindParticipant command, CancellationToken cancellationToken)
    {
        var actor = actors.Current;
        var participant = await db.LoadParticipantAsync(command.ParticipantId, actor, cancellationToken);
        var allocation = await db.Allocations.AsNoTracking().SingleOrDefaultAsync(a => a.ParticipantId == participant.Id, cancellationToken)
            ?? throw new WorkflowConflictException($"The participant is {participant.Status.Wire()}, not randomized: there is no arm to reveal.");
        var unblinding = new Unblinding(participant.TrialId, participant.Id, actor.Name, actor.Role, command.Reason!.Trim(), clock.GetUtcNow());
        db.Unblindings.Add(unblinding);
        var definition = await db.Trials.AsNoTracking().Where(t => t.Id == participant.TrialId).Select(t => t.Definition).SingleAsync(cancellationToken);
        outbox.Add(NotificationMessage.ForUnblinding(unblinding, participant.Site, outbox.Link($"/participants/{Uri.EscapeDataString(participant.Id)}")), definition.SafetyContacts);
        return new UnblindingView(unblinding.Id, participant.Id, allocation.Arm, unblinding.UnblindedBy, unblinding.Reason, unblinding.UnblindedAt);
    }
}
