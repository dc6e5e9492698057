using TrialManager.Domain.Auditing;

namespace TrialManager.Infrastructure.Auditing;

/// <summary>One link of the audit chain. Appended only: no code path updates or deletes it.</summary>
public sealed class AuditEvent
{
    private AuditEvent()
    {
        Actor = Role = Action = Changes = PreviousHash = Hash = string.Empty;
    }

    /// <summary>A new link, keyed with the audit key (hash version 2).</summary>
    public AuditEvent(long sequence, string previousHash, AuditEntry entry, AuditKey key)
    {
        Sequence = sequence;
        OccurredAt = entry.OccurredAt;
        Actor = entry.Actor;
        Role = entry.Role;
        Action = entry.Action;
        TrialId = entry.TrialId;
        RecordType = entry.RecordType;
        RecordId = entry.RecordId;
        Changes = entry.Changes;
        PreviousHash = previousHash;
        HashVersion = AuditChain.KeyedVersion;
        Hash = AuditChain.Hash(HashVersion, sequence, previousHash, entry, key.Bytes);
    }

    public long Sequence { get; private set; }
    public DateTimeOffset OccurredAt { get; private set; }
    public string Actor { get; private set; }
    public string Role { get; private set; }
    public string Action { get; private set; }
    public string? TrialId { get; private set; }
    public string? RecordType { get; private set; }
    public string? RecordId { get; private set; }
    public string Changes { get; private set; }
    public string PreviousHash { get; private set; }

    /// <summary>How <see cref="Hash"/> was made: 1 unkeyed (events written before the key), 2 keyed.</summary>
    public int HashVersion { get; private set; }

    public string Hash { get; private set; }

    public AuditEntry ToEntry() => new(OccurredAt, Actor, Role, Action, TrialId, RecordType, RecordId, Changes);

    public ChainLink ToLink() => new(Sequence, HashVersion, PreviousHash, Hash, ToEntry());
}

/// <summary>
/// The single row that holds the end of the chain. Every write transaction locks it first, which serialises
/// writers across server instances and lets verification notice a deleted tail.
/// </summary>
public sealed class AuditChainHead
{
    public const int SingletonId = 1;

    public int Id { get; init; } = SingletonId;
    public long LastSequence { get; set; }
    public string LastHash { get; set; } = AuditChain.Genesis;
}
