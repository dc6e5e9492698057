using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Auditing;
using TrialManager.Infrastructure.Auditing;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Audit;

/// <summary>
/// On start: a chain that ends on unkeyed events (written before the chain was keyed) gets one keyed event after them,
/// so that a sound chain always ends keyed and a chain rewritten without the key cannot pass for an old one
/// (see <see cref="AuditChainVerifier"/>). True when it appended the event.
/// </summary>
public sealed record SealAuditChain : ICommand<bool>;

public sealed class SealAuditChainHandler(TrialDbContext db, AuditTrail trail) : ICommandHandler<SealAuditChain, bool>
{
    public async ValueTask<bool> Handle(SealAuditChain command, CancellationToken cancellationToken)
    {
        var head = db.AuditChainHeads.Local.FirstOrDefault(h => h.Id == AuditChainHead.SingletonId)
                   ?? await db.AuditChainHeads.SingleAsync(h => h.Id == AuditChainHead.SingletonId, cancellationToken);
        var last = await db.AuditEvents.Where(e => e.Sequence == head.LastSequence).Select(e => (int?)e.HashVersion).SingleOrDefaultAsync(cancellationToken);
        if (last is null or AuditChain.KeyedVersion)
        {
            return false;
        }

        await trail.AppendAsync("auditChainKeyed", null, "Security", null, AuditChanges.Serialize(new { unkeyedThrough = head.LastSequence }), cancellationToken);
        return true;
    }
}
