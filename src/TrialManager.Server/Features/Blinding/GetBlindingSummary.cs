using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Statistics;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Blinding;

/// <summary>
/// GET /api/trials/{trialId}/blinding (dsmb): the assessors' guesses against the arms, Bang's blinding index per arm,
/// and every unblinding with its reason and the arm it revealed. By arm, so for the closed (DSMB) side only.
/// </summary>
public sealed record GetBlindingSummary(string TrialId) : IQuery<BlindingSummary>;

public sealed record ArmBlinding(ArmCode Arm, int Guesses, int Correct, int Incorrect, int DontKnow, double? Index, double? StandardError);

public sealed record UnblindingEntry(string ParticipantId, ArmCode Arm, string UnblindedBy, string Role, string Reason, DateTimeOffset UnblindedAt);

public sealed record BlindingSummary(string TrialId, int Guesses, IReadOnlyList<ArmBlinding> Arms, IReadOnlyList<UnblindingEntry> Unblindings);

public sealed class GetBlindingSummaryHandler(TrialDbContext db) : IQueryHandler<GetBlindingSummary, BlindingSummary>
{
    public async ValueTask<BlindingSummary> Handle(GetBlindingSummary query, CancellationToken cancellationToken)
    {
        var trial = await db.ReadTrialAsync(query.TrialId, cancellationToken);
        var guesses = await db.BlindingGuesses.AsNoTracking().Where(g => g.TrialId == trial.Id)
            .Join(db.Allocations, g => g.ParticipantId, a => a.ParticipantId, (g, a) => new { g.Guess, a.Arm })
            .ToListAsync(cancellationToken);
        var arms = trial.Definition.Arms.Select(d =>
        {
            var about = guesses.Where(g => g.Arm == d.Code).ToList();
            var index = BlindingIndex.Of(
                about.Count(g => g.Guess == d.Code), about.Count(g => g.Guess is { } guess && guess != d.Code), about.Count(g => g.Guess is null));
            return new ArmBlinding(d.Code, index.N, index.Correct, index.Incorrect, index.DontKnow, index.Value, index.StandardError);
        }).ToList();
        // Only a randomized participant can be unblinded, so every unblinding has its allocation.
        var unblindings = await db.Unblindings.AsNoTracking().Where(u => u.TrialId == trial.Id)
            .Join(db.Allocations, u => u.ParticipantId, a => a.ParticipantId, (u, a) => new { u, a.Arm })
            .ToListAsync(cancellationToken);
        return new BlindingSummary(trial.Id, guesses.Count, arms, [.. unblindings.OrderBy(x => x.u.UnblindedAt).ThenBy(x => x.u.Id)
            .Select(x => new UnblindingEntry(x.u.ParticipantId, x.Arm, x.u.UnblindedBy, x.u.Role, x.u.Reason, x.u.UnblindedAt))]);
    }
}
