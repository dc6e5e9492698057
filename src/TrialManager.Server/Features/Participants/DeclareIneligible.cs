using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Participants;

/// <summary>
/// POST /api/participants/{id}/ineligibility: found ineligible after consent and before randomization, on a named
/// criterion; CONSORT counts it as its own exclusion reason, not as a withdrawal.
/// </summary>
public sealed record DeclareIneligible(string ParticipantId, string? Criterion, string? Note) : ICommand<ParticipantView>, IAuditedCommand
{
    public string? AuditTrialId => null;
}

public sealed record DeclareIneligibleRequest(string? Criterion, string? Note);

public sealed class DeclareIneligibleValidator : AbstractValidator<DeclareIneligible>
{
    public DeclareIneligibleValidator()
    {
        RuleFor(d => d.Criterion).NotEmpty().WithMessage("is required: the eligibility criterion that is not met").MaximumLength(200);
        RuleFor(d => d.Note).MaximumLength(2_000);
    }
}

public sealed class DeclareIneligibleHandler(TrialDbContext db, IActorAccessor actors, TimeProvider clock)
    : ICommandHandler<DeclareIneligible, ParticipantView>
{
    public async ValueTask<ParticipantView> Handle(DeclareIneligible command, CancellationToken cancellationToken)
    {
        var participant = await db.LoadParticipantAsync(command.ParticipantId, actors.Current, cancellationToken);
        var note = string.IsNullOrWhiteSpace(command.Note) ? null : command.Note.Trim();
        participant.DeclareIneligible(command.Criterion!, note, clock.GetUtcNow());
        var allocation = await db.Allocations.AsNoTracking().SingleOrDefaultAsync(a => a.ParticipantId == participant.Id, cancellationToken);
        return ParticipantView.From(participant, allocation);
    }
}
