using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Common;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Blinding;

/// <summary>
/// The caller's own guess for a participant, or null: the visits page offers the guess form until it is made. For a
/// page under a trial (<c>TrialId</c>), another trial's participant is a 404.
/// </summary>
public sealed record GetOwnBlindingGuess(string ParticipantId, string? TrialId) : IQuery<BlindingGuessView?>;

public sealed class GetOwnBlindingGuessHandler(TrialDbContext db, IActorAccessor actors) : IQueryHandler<GetOwnBlindingGuess, BlindingGuessView?>
{
    public async ValueTask<BlindingGuessView?> Handle(GetOwnBlindingGuess query, CancellationToken cancellationToken)
    {
        var actor = actors.Current;
        var participant = await db.LoadParticipantAsync(query.ParticipantId, query.TrialId, actor, cancellationToken);
        var guess = await db.BlindingGuesses.AsNoTracking()
            .SingleOrDefaultAsync(g => g.ParticipantId == participant.Id && g.Assessor == actor.Name, cancellationToken);
        return guess is null ? null : new BlindingGuessView(participant.Id, guess.Guess?.Wire() ?? RecordBlindingGuessHandler.DontKnow, guess.GuessedAt);
    }
}
