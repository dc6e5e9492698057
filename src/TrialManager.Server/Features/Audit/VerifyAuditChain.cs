using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Auditing;
using TrialManager.Infrastructure.Auditing;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Security;

namespace TrialManager.Server.Features.Audit;

/// <summary>GET /api/audit/verify: recomputes the hash chain from the first event to the head.</summary>
public sealed record VerifyAuditChain : IQuery<AuditVerification>;

public sealed record AuditVerification(bool Valid, long Events, AuditBreak? FirstBroken);

public sealed record AuditBreak(long Sequence, string Problem);

public sealed class VerifyAuditChainHandler(TrialDbContext db, AuditKey key) : IQueryHandler<VerifyAuditChain, AuditVerification>
{
    /// <summary>
    /// Verifies the chain as of the head read first. Writers keep appending while this streams (no snapshot is
    /// held across the read), so events past that head are left to the next verification rather than being
    /// mistaken for a tail that outlived its head.
    /// </summary>
    public async ValueTask<AuditVerification> Handle(VerifyAuditChain query, CancellationToken cancellationToken)
    {
        var head = await ReadHeadAsync(cancellationToken);
        var verifier = new AuditChainVerifier(key.Bytes);
        var chain = db.AuditEvents.AsNoTracking().Where(e => e.Sequence <= head.LastSequence).OrderBy(e => e.Sequence);
        await foreach (var e in chain.AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            if (verifier.Check(e.ToLink()) is { } problem)
            {
                return new AuditVerification(false, verifier.Verified, new AuditBreak(e.Sequence, problem));
            }
        }

        var events = verifier.Verified;
        if (head.LastSequence != events || head.LastHash != verifier.LastHash)
        {
            return new AuditVerification(false, events, new AuditBreak(events + 1, "the chain ends before its recorded head; the last events were deleted"));
        }

        if (verifier.CheckEnd() is { } unkeyedEnd)
        {
            return new AuditVerification(false, events - 1, new AuditBreak(events, unkeyedEnd));
        }

        // An append commits its event and the head together, so every event a writer committed before the highest
        // sequence is read is covered by the head read after it; one that is not was put there around the trail.
        var highest = await db.AuditEvents.MaxAsync(e => (long?)e.Sequence, cancellationToken) ?? 0;
        var latest = await ReadHeadAsync(cancellationToken);
        if (highest > latest.LastSequence)
        {
            return new AuditVerification(false, events, new AuditBreak(latest.LastSequence + 1, "an event lies beyond the recorded head; it was added outside the trail"));
        }

        return new AuditVerification(true, events, null);
    }

    private Task<AuditChainHead> ReadHeadAsync(CancellationToken cancellationToken) =>
        db.AuditChainHeads.AsNoTracking().SingleAsync(h => h.Id == AuditChainHead.SingletonId, cancellationToken);
}
