using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Common;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;
using TrialManager.Server.Security;

namespace TrialManager.Server.Features.Trials;

/// <summary>GET /api/trials: a page of trials, oldest first.</summary>
public sealed record GetTrials(PageRequest Page) : IQuery<Page<TrialView>>;

public sealed record GetTrial(string TrialId) : IQuery<TrialView>;

public sealed class GetTrialsHandler(TrialDbContext db, IActorAccessor actors)
    : IQueryHandler<GetTrials, Page<TrialView>>, IQueryHandler<GetTrial, TrialView>
{
    public async ValueTask<Page<TrialView>> Handle(GetTrials query, CancellationToken cancellationToken)
    {
        var trials = db.Trials.AsNoTracking();
        if (query.Page.Key(2) is [var createdAt, var id])
        {
            var after = PageRequest.Instant(createdAt);
            trials = trials.Where(t => t.CreatedAt > after || (t.CreatedAt == after && string.Compare(t.Id, id) > 0));
        }

        var pageRows = trials.OrderBy(t => t.CreatedAt).ThenBy(t => t.Id).Take(query.Page.Limit + 1);
        var rows = await pageRows.ToListAsync(cancellationToken);
        var page = Page<Trial>.From(rows, query.Page, t => PageRequest.Cursor(PageRequest.Text(t.CreatedAt), t.Id));
        // Counted for this page's trials only: the cost follows the page, not the number of trials. The page's ids as a
        // subquery, not a hundred parameters: those cost the database more than the counts themselves.
        var pageIds = pageRows.Select(t => t.Id);
        var counts = page.Items.Count == 0 ? [] : await CountsAsync(db.ParticipantCounts.Where(c => pageIds.Contains(c.TrialId)), cancellationToken);
        return new Page<TrialView>(
            [.. page.Items.Select(t => TrialView.From(t, actors.Current, counts.GetValueOrDefault(t.Id, TrialCounts.None)))], page.Next);
    }

    public async ValueTask<TrialView> Handle(GetTrial query, CancellationToken cancellationToken)
    {
        var trial = await db.ReadTrialAsync(query.TrialId, cancellationToken);
        var counts = await CountsAsync(db.ParticipantCounts.Where(c => c.TrialId == trial.Id), cancellationToken);
        return TrialView.From(trial, actors.Current, counts.GetValueOrDefault(trial.Id, TrialCounts.None));
    }

    /// <summary>
    /// Participant counts by status for the trials of <paramref name="trialCounts"/>, read from the counts the write path
    /// keeps (a few rows a trial, whatever its size: <see cref="ParticipantCounts"/>); a key limited to sites counts only those.
    /// </summary>
    private async Task<Dictionary<string, TrialCounts>> CountsAsync(IQueryable<ParticipantCount> trialCounts, CancellationToken cancellationToken)
    {
        var counts = trialCounts.AsNoTracking().Where(c => c.Participants > 0);
        if (actors.Current.Sites is { Count: > 0 } limited)
        {
            var sites = limited.ToList();
            counts = counts.Where(c => sites.Contains(c.Site));
        }

        var rows = await counts.ToListAsync(cancellationToken);
        return rows.GroupBy(r => r.TrialId).ToDictionary(
            g => g.Key,
            g => new TrialCounts(g.Sum(r => r.Participants), g.Sum(r => r.Randomized),
                g.GroupBy(r => r.Status).OrderBy(s => s.Key).ToDictionary(s => s.Key.Wire(), s => s.Sum(r => r.Participants))));
    }
}
