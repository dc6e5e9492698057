using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Therapy;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Features.Participants;
using TrialManager.Server.Security;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Therapy;

/// <summary>
/// POST /api/participants/{id}/treatment-stop (coordinator): therapy stops, the participant stays in follow-up (status
/// followUp); only a withdrawal of consent ends data collection.
/// </summary>
public sealed record StopTreatment(string ParticipantId, string? Category, string? Note) : ICommand<ParticipantView>, IAuditedCommand
{
    public string? AuditTrialId => null;
}

public sealed record StopTreatmentRequest(string? Category, string? Note);

public sealed class StopTreatmentValidator : AbstractValidator<StopTreatment>
{
    public StopTreatmentValidator()
    {
        RuleFor(s => s.Category).Must(c => Wire.TryParse<TreatmentStopCategory>(c, out _))
            .WithMessage("is required: adverseEvent, clinicalDecision, participantChoice or other");
        RuleFor(s => s.Note).MaximumLength(2_000);
    }
}

public sealed class StopTreatmentHandler(TrialDbContext db, IActorAccessor actors, TimeProvider clock) : ICommandHandler<StopTreatment, ParticipantView>
{
    public async ValueTask<ParticipantView> Handle(StopTreatment command, CancellationToken cancellationToken)
    {
        var participant = await db.LoadParticipantAsync(command.ParticipantId, actors.Current, cancellationToken);
        var note = string.IsNullOrWhiteSpace(command.Note) ? null : command.Note.Trim();
        participant.StopTreatment(Wire.Parse<TreatmentStopCategory>(command.Category), note, clock.GetUtcNow());
        var allocation = await db.Allocations.AsNoTracking().SingleOrDefaultAsync(a => a.ParticipantId == participant.Id, cancellationToken);
        return ParticipantView.From(participant, allocation);
    }
}
