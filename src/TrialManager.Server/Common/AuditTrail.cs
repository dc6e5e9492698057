using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using TrialManager.Domain.Auditing;
using TrialManager.Domain.Documents;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Auditing;
using TrialManager.Infrastructure.Persistence;

namespace TrialManager.Server.Common;

/// <summary>Appends events to the hash chain. There is deliberately no method that changes or removes one.</summary>
public sealed class AuditTrail(TrialDbContext db, IActorAccessor actors, TimeProvider clock, AuditKey key)
{
    private string? _trialId;

    /// <summary>
    /// Names the trial of the current command's event when neither the command nor a changed row carries it (a report's
    /// signature: the command names the report, the row its id; the report read to sign it names the trial).
    /// </summary>
    public void BelongsToTrial(string trialId) => _trialId = trialId;

    /// <summary>Turns the tracked changes of the current command into one event (inside its transaction).</summary>
    public async Task RecordChangesAsync(string action, string? trialId, CancellationToken cancellationToken)
    {
        var changed = db.ChangeTracker.Entries()
            .Where(e => e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted
                        && e.Entity is not AuditEvent and not AuditChainHead)
            .ToList();
        await RecordChangesAsync(action, trialId, changed, cancellationToken);
    }

    /// <summary>
    /// The same for changes the caller has gathered itself: the demo's bulk seeder writes a participant's whole record
    /// at once and records it as one event, without a change tracker scan per participant.
    /// </summary>
    public async Task RecordChangesAsync(
        string action, string? trialId, IReadOnlyList<EntityEntry> changed, CancellationToken cancellationToken, Actor? actor = null)
    {
        if (changed.Count == 0)
        {
            return;
        }

        // The record is the aggregate that changed: the participant or trial before helper rows (a study-id counter,
        // a randomization state); a change to an owned part (a rating, an event) names its owner.
        var root = changed.FirstOrDefault(e => e.Entity is Participant)
                   ?? changed.FirstOrDefault(e => e.Entity is Trial)
                   ?? changed.FirstOrDefault(e => e.Metadata.FindOwnership() is null)
                   ?? db.ChangeTracker.Entries<Participant>().FirstOrDefault() as EntityEntry
                   ?? changed[0];
        var changes = changed.Select(Describe).ToList();
        trialId ??= changed.Append(root)
            .Select(e => e.Metadata.FindProperty("TrialId") is { } p ? e.Property(p.Name).CurrentValue as string : null)
            .FirstOrDefault(t => t is not null) ?? _trialId;
        await AppendAsync(action, trialId, root.Metadata.ClrType.Name, KeyOf(root), AuditChanges.Serialize(changes), cancellationToken, actor);
    }

    /// <summary>Appends one event; the caller holds the write gate and commits. The actor is the caller's unless named.</summary>
    public async Task AppendAsync(
        string action, string? trialId, string? recordType, string? recordId, string changes, CancellationToken cancellationToken, Actor? actor = null)
    {
        actor ??= actors.Current;
        // The row-lock gate has already read (and locked) the head in this transaction: no second round trip.
        var head = db.AuditChainHeads.Local.FirstOrDefault(h => h.Id == AuditChainHead.SingletonId)
                   ?? await db.AuditChainHeads.SingleAsync(h => h.Id == AuditChainHead.SingletonId, cancellationToken);
        var entry = new AuditEntry(AuditChain.Normalize(clock.GetUtcNow()), actor.Name, actor.Role, action, trialId, recordType, recordId, changes);
        var audit = new AuditEvent(head.LastSequence + 1, head.LastHash, entry, key);
        db.AuditEvents.Add(audit);
        head.LastSequence = audit.Sequence;
        head.LastHash = audit.Hash;
    }

    /// <summary>
    /// The trail is readable by admins, who must not learn what only statisticians may see: the seed, the
    /// randomization restrictions and the randomizer's state (which holds the rest of the current block).
    /// </summary>
    private static object? Conceal(object entity, string property, object? value) => (entity, property, value) switch
    {
        (Trial, nameof(Trial.Seed), _) => "[concealed]",
        (RandomizationState, nameof(RandomizationState.State), _) => "[concealed]",
        // The DSMB figures' hash: over a tiny trial, trying the few possible splits by arm against it would give them away.
        (DataFreeze, nameof(DataFreeze.DsmbReportSha256), _) => "[concealed]",
        (Trial, nameof(Trial.BaseDefinition), TrialDefinition d) => d with
        {
            Randomization = d.Randomization with { BlockSizes = [], Probability = null },
        },
        _ => value,
    };

    private static string? KeyOf(EntityEntry entry)
    {
        var key = entry.Metadata.FindPrimaryKey();
        return key is null ? null : string.Join("/", key.Properties.Select(p => entry.Property(p.Name).CurrentValue));
    }

    private static object Describe(EntityEntry entry)
    {
        var values = new SortedDictionary<string, object?>(StringComparer.Ordinal);
        foreach (var property in entry.Properties)
        {
            if (entry.State == EntityState.Added || property.IsModified)
            {
                values[property.Metadata.Name] = Conceal(entry.Entity, property.Metadata.Name, property.CurrentValue) switch
                {
                    DateTimeOffset d => d.ToUniversalTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                    Enum e => e.ToString(),
                    var v => v,
                };
            }
        }

        return new { record = entry.Metadata.ClrType.Name, key = KeyOf(entry), change = entry.State.ToString().ToLowerInvariant(), values };
    }
}
