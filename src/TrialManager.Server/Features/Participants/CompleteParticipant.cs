using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Participants;

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
