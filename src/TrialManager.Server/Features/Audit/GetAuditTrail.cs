using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Infrastructure.Auditing;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Audit;

/// <summary>GET /api/audit?trialId=&amp;after=&amp;limit=: the trail, oldest first, a page at a time.</summary>
public sealed record GetAuditTrail(string? TrialId, long? After, int? Limit) : IQuery<IReadOnlyList<AuditEventView>>;

public sealed record AuditEventView(
    long Sequence, DateTimeOffset OccurredAt, string Actor, string Role, string Action, string? TrialId, string? RecordType, string? RecordId,
    string Changes, string Hash);

public sealed class GetAuditTrailHandler(TrialDbContext db) : IQueryHandler<GetAuditTrail, IReadOnlyList<AuditEventView>>
{
    public async ValueTask<IReadOnlyList<AuditEventView>> Handle(GetAuditTrail query, CancellationToken cancellationToken)
    {
        var limit = query.Limit ?? 500;
        if (limit is < 1 or > 5_000)
        {
            throw RequestValidationException.For("limit", "must be between 1 and 5000");
        }

        var events = db.AuditEvents.AsNoTracking().Where(e => e.Sequence > (query.After ?? 0));
        if (query.TrialId is not null)
        {
            events = events.Where(e => e.TrialId == query.TrialId);
        }

        // Only admins read the trail (the contract), and admins may not learn the restrictions: concealed for every reader.
        var page = await events.OrderBy(e => e.Sequence).Take(limit)
            .Select(e => new AuditEventView(e.Sequence, e.OccurredAt, e.Actor, e.Role, e.Action, e.TrialId, e.RecordType, e.RecordId, e.Changes, e.Hash))
            .ToListAsync(cancellationToken);
        return [.. page.Select(e => e with { Changes = AuditChanges.ForReaders(e.Changes) })];
    }
}
