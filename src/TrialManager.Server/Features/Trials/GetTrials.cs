using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Common;
using TrialManager.Domain.Participants;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;
using TrialManager.Server.Security;

namespace TrialManager.Server.Features.Trials;

public sealed record GetTrials : IQuery<IReadOnlyList<TrialView>>;

public sealed record GetTrial(string TrialId) : IQuery<TrialView>;

public sealed class GetTrialsHandler(TrialDbContext db, IActorAccessor actors)
    : IQueryHandler<GetTrials, IReadOnlyList<TrialView>>, IQueryHandler<GetTrial, TrialView>
{
    public async ValueTask<IReadOnlyList<TrialView>> Handle(GetTrials query, CancellationToken cancellationToken)
    {
        // Ordered in memory: SQLite cannot ORDER BY a DateTimeOffset column, and trials are few.
        var trials = (await db.Trials.AsNoTracking().ToListAsync(cancellationToken))
            .OrderBy(t => t.CreatedAt).ThenBy(t => t.Id, StringComparer.Ordinal).ToList();
        var counts = await CountsAsync(null, cancellationToken);
        return [.. trials.Select(t => TrialView.From(t, actors.Current, counts.GetValueOrDefault(t.Id, TrialCounts.None)))];
    }

    public async ValueTask<TrialView> Handle(GetTrial query, CancellationToken cancellationToken)
    {
        var trial = await db.ReadTrialAsync(query.TrialId, cancellationToken);
        var counts = await CountsAsync(query.TrialId, cancellationToken);
        return TrialView.From(trial, actors.Current, counts.GetValueOrDefault(trial.Id, TrialCounts.None));
    }

    /// <summary>Participant counts by status per trial, in one grouped query; a key limited to sites counts only those.</summary>
    private async Task<Dictionary<string, TrialCounts>> CountsAsync(string? trialId, CancellationToken cancellationToken)
    {
        var participants = db.Participants.AsNoTracking();
        var allocations = db.Allocations.AsNoTracking();
        if (trialId is not null)
        {
            participants = participants.Where(p => p.TrialId == trialId);
            allocations = allocations.Where(a => a.TrialId == trialId);
        }

        if (actors.Current.Sites is { Count: > 0 } limited)
        {
            var sites = limited.ToList();
            participants = participants.Where(p => sites.Contains(p.Site));
            allocations = allocations.Where(a => sites.Contains(a.Site));
        }

        var rows = await participants.GroupBy(p => new { p.TrialId, p.Status })
            .Select(g => new { g.Key.TrialId, g.Key.Status, Count = g.Count() })
            .ToListAsync(cancellationToken);
        var randomized = await allocations
            .GroupBy(a => a.TrialId).Select(g => new { TrialId = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.TrialId, g => g.Count, cancellationToken);
        return rows.GroupBy(r => r.TrialId).ToDictionary(
            g => g.Key,
            g => new TrialCounts(g.Sum(r => r.Count), randomized.GetValueOrDefault(g.Key),
                g.ToDictionary(r => r.Status.Wire(), r => r.Count)));
    }
}
