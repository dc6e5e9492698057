using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Documents;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Exports;

/// <summary>
/// One freeze as the statistician lists it. Who froze it is the statistician's key name (already in the audit trail);
/// none of it touches an allocation: the zip itself is what the statistician may download anyway.
/// </summary>
public sealed record FreezeListItem(Guid Id, DateTimeOffset FrozenAt, string Sha256, string FrozenBy)
{
    public static FreezeListItem From(DataFreeze freeze) => new(freeze.Id, freeze.FrozenAt, freeze.Sha256, freeze.FrozenBy);
}

/// <summary>GET /api/trials/{trialId}/freezes: the trial's freezes, newest first, paged.</summary>
public sealed record ListFreezes(string TrialId, PageRequest Page) : IQuery<Page<FreezeListItem>>;

public sealed class ListFreezesHandler(TrialDbContext db) : IQueryHandler<ListFreezes, Page<FreezeListItem>>
{
    public async ValueTask<Page<FreezeListItem>> Handle(ListFreezes query, CancellationToken cancellationToken)
    {
        await db.EnsureTrialExistsAsync(query.TrialId, cancellationToken);
        var freezes = db.Freezes.AsNoTracking().Where(f => f.TrialId == query.TrialId);
        if (query.Page.Key(2) is [var frozenAt, var id])
        {
            var after = PageRequest.Instant(frozenAt);
            var afterId = PageRequest.Id(id);
            freezes = freezes.Where(f => f.FrozenAt < after || (f.FrozenAt == after && f.Id.CompareTo(afterId) < 0));
        }

        var rows = await freezes.OrderByDescending(f => f.FrozenAt).ThenByDescending(f => f.Id).Take(query.Page.Limit + 1)
            .ToListAsync(cancellationToken);
        var page = Page<DataFreeze>.From(rows, query.Page, f => PageRequest.Cursor(PageRequest.Text(f.FrozenAt), f.Id.ToString("D")));
        return new Page<FreezeListItem>([.. page.Items.Select(FreezeListItem.From)], page.Next);
    }
}
