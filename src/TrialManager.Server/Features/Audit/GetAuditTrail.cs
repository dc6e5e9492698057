using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Infrastructure.Auditing;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Audit;

/// <summary>GET /api/audit?trialId=&amp;after=&amp;limit=: the trail, oldest first, a page at a time.</summary>
public sealed record GetAuditTrail(string? TrialId, PageRequest Page) : IQuery<Page<AuditEventView>>;

public sealed record AuditEventView(
    long Sequence, DateTimeOffset OccurredAt, string Actor, string Role, string Action, string? TrialId, string? RecordType, string? RecordId,
    string Changes, string Hash);

public sealed class GetAuditTrailHandler(TrialDbContext db) : IQueryHandler<GetAuditTrail, Page<AuditEventView>>
{
    public async ValueTask<Page<AuditEventView>> Handle(GetAuditTrail query, CancellationToken cancellationToken)
    {
        var after = query.Page.Key(1) is [var sequence] ? PageRequest.Number(sequence) : 0;
        var events = db.AuditEvents.AsNoTracking().Where(e => e.Sequence > after);
        if (query.TrialId is not null)
        {
            events = events.Where(e => e.TrialId == query.TrialId);
        }

        // Only admins read the trail (the contract), and admins may not learn the restrictions: concealed for every reader.
        var rows = await events.OrderBy(e => e.Sequence).Take(query.Page.Limit + 1)
            .Select(e => new AuditEventView(e.Sequence, e.OccurredAt, e.Actor, e.Role, e.Action, e.TrialId, e.RecordType, e.RecordId, e.Changes, e.Hash))
            .ToListAsync(cancellationToken);
        var page = Page<AuditEventView>.From(rows, query.Page, e => PageRequest.Cursor(PageRequest.Text(e.Sequence)));
        return page with { Items = [.. page.Items.Select(e => e with { Changes = AuditChanges.ForReaders(e.Changes) })] };
    }
}
