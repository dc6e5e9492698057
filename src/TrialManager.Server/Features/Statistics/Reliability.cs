using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Statistics;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Errors;

namespace TrialManager.Server.Features.Statistics;

/// <summary>
/// GET /api/trials/{id}/reliability: Cohen's kappa for the primary formulation between the first and the second
/// rater, over the participants rated by both ("indeterminate" is a category of its own).
/// </summary>
public sealed record GetReliability(string TrialId) : IQuery<ReliabilityView>;

public sealed record ReliabilityView(double? Kappa, double? StandardError, int N, double? Agreement, string? Note);

public sealed class GetReliabilityHandler(TrialDbContext db) : IQueryHandler<GetReliability, ReliabilityView>
{
    private const string Indeterminate = "indeterminate";

    public async ValueTask<ReliabilityView> Handle(GetReliability query, CancellationToken cancellationToken)
    {
        if (!await db.Trials.AnyAsync(t => t.Id == query.TrialId, cancellationToken))
        {
            throw new NotFoundException($"No trial with id {query.TrialId}.");
        }

        var doubleRated = await db.Participants.AsNoTracking()
            .Where(p => p.TrialId == query.TrialId && p.Ratings.Count(r => !r.Consensus) >= 2)
            .ToListAsync(cancellationToken);
        var pairs = doubleRated.Select(p => p.ReliabilityPair()).OfType<(Formulation? First, Formulation? Second)>()
            .Select(pair => (pair.First?.Wire() ?? Indeterminate, pair.Second?.Wire() ?? Indeterminate));
        var result = CohensKappa.Compute(pairs);
        return new ReliabilityView(result.Kappa, result.StandardError, result.N, result.Agreement, result.UndefinedReason);
    }
}
