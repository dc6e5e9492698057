using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Common;
using TrialManager.Domain.Participants;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Features.Participants;
using TrialManager.Server.Security;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Therapy;

/// <summary>
/// POST /api/participants/{id}/therapist (coordinator): the therapist who treats a randomized participant; 409 when the
/// therapist works at another site or does not deliver the participant's arm.
/// </summary>
public sealed record AssignTherapist(string ParticipantId, string? Therapist) : ICommand<ParticipantView>, IAuditedCommand
{
    public string? AuditTrialId => null;
}

public sealed record AssignTherapistRequest(string? Therapist);

public sealed class AssignTherapistValidator : AbstractValidator<AssignTherapist>
{
    public AssignTherapistValidator() => RuleFor(a => a.Therapist).NotEmpty().MaximumLength(40);
}

public sealed class AssignTherapistHandler(TrialDbContext db, IActorAccessor actors) : ICommandHandler<AssignTherapist, ParticipantView>
{
    public async ValueTask<ParticipantView> Handle(AssignTherapist command, CancellationToken cancellationToken)
    {
        var participant = await db.LoadParticipantAsync(command.ParticipantId, actors.Current, cancellationToken);
        var allocation = await db.Allocations.AsNoTracking().SingleOrDefaultAsync(a => a.ParticipantId == participant.Id, cancellationToken)
            ?? throw new WorkflowConflictException($"The participant is {participant.Status.Wire()}; a therapist is assigned after randomization.");
        var therapist = await db.Therapists.AsNoTracking()
                .SingleOrDefaultAsync(t => t.TrialId == participant.TrialId && t.Code == command.Therapist, cancellationToken)
            ?? throw new DomainValidationException("therapist", $"No therapist {command.Therapist} is registered in trial {participant.TrialId}.");
        participant.AssignTherapist(therapist, allocation.Arm);
        return ParticipantView.From(participant, allocation);
    }
}
