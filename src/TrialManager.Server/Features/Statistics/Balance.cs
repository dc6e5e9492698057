using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Common;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Statistics;

/// <summary>GET /api/trials/{id}/balance: counts by arm for every stratum and every level of every factor.</summary>
public sealed record GetBalance(string TrialId) : IQuery<BalanceView>;

public sealed record BalanceView(
    IReadOnlyList<string> Arms,
    IReadOnlyDictionary<string, int> Total,
    IReadOnlyList<StratumBalance> Strata,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>>> Factors);

public sealed record StratumBalance(string Stratum, IReadOnlyDictionary<string, int> Counts, int Imbalance);

public sealed class GetBalanceHandler(TrialDbContext db) : IQueryHandler<GetBalance, BalanceView>
{
    public async ValueTask<BalanceView> Handle(GetBalance query, CancellationToken cancellationToken)
    {
        var trial = await db.ReadTrialAsync(query.TrialId, cancellationToken);
        var arms = trial.Definition.Arms.Select(a => a.Code.Wire()).ToArray();
        var factors = new[] { Domain.Trials.Factors.Formulation, Domain.Trials.Factors.Site }
            .Concat(trial.Definition.AllocationFactors).Distinct().ToArray();

        var total = arms.ToDictionary(a => a, _ => 0);
        var strata = new SortedDictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        var byFactor = factors.ToDictionary(f => f, _ => new SortedDictionary<string, Dictionary<string, int>>(StringComparer.Ordinal));

        // One pass over the allocations, keeping only counts.
        var rows = db.Allocations.AsNoTracking().Where(a => a.TrialId == query.TrialId)
            .Select(a => new { a.Stratum, a.Arm, a.Levels }).AsAsyncEnumerable();
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            var arm = row.Arm.Wire();
            total[arm]++;
            Increment(strata, row.Stratum, arm, arms);
            foreach (var factor in factors)
            {
                if (row.Levels.TryGetValue(factor, out var level))
                {
                    Increment(byFactor[factor], level, arm, arms);
                }
            }
        }

        // Every declared stratum level appears, even with no allocation yet.
        foreach (var formulation in trial.Definition.Formulations)
        {
            byFactor[Domain.Trials.Factors.Formulation].TryAdd(formulation.Wire(), arms.ToDictionary(a => a, _ => 0));
        }

        foreach (var site in trial.Definition.Sites)
        {
            byFactor[Domain.Trials.Factors.Site].TryAdd(site, arms.ToDictionary(a => a, _ => 0));
        }

        return new BalanceView(
            arms,
            total,
            [.. strata.Select(s => new StratumBalance(s.Key, s.Value, s.Value.Values.Max() - s.Value.Values.Min()))],
            byFactor.ToDictionary(
                f => f.Key,
                f => (IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>>)f.Value.ToDictionary(
                    l => l.Key, l => (IReadOnlyDictionary<string, int>)l.Value)));
    }

    private static void Increment(SortedDictionary<string, Dictionary<string, int>> table, string key, string arm, string[] arms)
    {
        if (!table.TryGetValue(key, out var counts))
        {
            table[key] = counts = arms.ToDictionary(a => a, _ => 0);
        }

        counts[arm]++;
    }
}
