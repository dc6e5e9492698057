namespace TrialManager.Domain.Auditing;

/// <summary>One stored link of the chain, as verification reads it.</summary>
public sealed record ChainLink(long Sequence, int HashVersion, string PreviousHash, string Hash, AuditEntry Entry);

/// <summary>
/// Checks the chain link by link, from the first event. Unkeyed (version 1) links are accepted only before the first
/// keyed one, and the chain must end on a keyed link: otherwise whoever can write to the database could rewrite any
/// stretch, or all of it, as version 1 and recompute the published hash. The server seals an unkeyed chain it finds
/// on start by appending a keyed event, so a healthy chain always ends keyed.
/// </summary>
public sealed class AuditChainVerifier(byte[] key)
{
    private bool _keyed;
    private int _lastVersion;

    /// <summary>The links checked and found sound so far.</summary>
    public long Verified { get; private set; }

    /// <summary>The hash of the last sound link (the genesis value before the first).</summary>
    public string LastHash { get; private set; } = AuditChain.Genesis;

    /// <summary>Null when the link is sound (and becomes the new end), else what is wrong with it.</summary>
    public string? Check(ChainLink link)
    {
        var problem =
            link.Sequence != Verified + 1 ? $"expected event {Verified + 1} here; an event was deleted or reordered" :
            link.PreviousHash != LastHash ? "its link to the previous event does not match; an event was changed, deleted or reordered" :
            link.HashVersion is not (AuditChain.PlainVersion or AuditChain.KeyedVersion) ? "its hash version is unknown; it was edited" :
            _keyed && link.HashVersion == AuditChain.PlainVersion ? "it is not keyed although an earlier event is; it was rewritten without the key" :
            AuditChain.Hash(link.HashVersion, link.Sequence, link.PreviousHash, link.Entry, key) != link.Hash ? "its content does not match its hash; it was edited" :
            null;
        if (problem is null)
        {
            _keyed |= link.HashVersion == AuditChain.KeyedVersion;
            _lastVersion = link.HashVersion;
            LastHash = link.Hash;
            Verified++;
        }

        return problem;
    }

    /// <summary>Null when the links checked end as a sound chain must: on a keyed link (or with none at all).</summary>
    public string? CheckEnd() => Verified > 0 && _lastVersion != AuditChain.KeyedVersion
        ? "the chain ends on an event that is not keyed; it was rewritten without the key"
        : null;
}
