using System.Security.Cryptography;
using System.Text;

namespace TrialManager.Domain.Auditing;

/// <summary>What an audit event says happened, before it is placed in the chain.</summary>
public sealed record AuditEntry(
    DateTimeOffset OccurredAt, string Actor, string Role, string Action, string? TrialId, string? RecordType, string? RecordId, string Changes);

/// <summary>
/// The hash chain of the audit trail: each event's hash covers its own content and the previous event's hash,
/// so editing, deleting or reordering any event breaks every hash after it.
/// </summary>
public static class AuditChain
{
    /// <summary>The "previous hash" of the first event.</summary>
    public const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";

    /// <summary>
    /// Audit times are kept to whole microseconds in UTC: every provider stores that exactly, so the hash of a
    /// stored event can be recomputed from what the database gives back.
    /// </summary>
    public static DateTimeOffset Normalize(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - (utc.Ticks % 10), TimeSpan.Zero);
    }

    /// <summary>The hash of events written before the chain was keyed: SHA-256 over the event. Anyone can recompute it.</summary>
    public const int PlainVersion = 1;

    /// <summary>HMAC-SHA256 over the same bytes, with a key held outside the database.</summary>
    public const int KeyedVersion = 2;

    /// <summary>The unkeyed (version 1) hash.</summary>
    public static string Hash(long sequence, string previousHash, AuditEntry entry) =>
        Convert.ToHexStringLower(SHA256.HashData(Content(sequence, previousHash, entry)));

    public static string Hash(int version, long sequence, string previousHash, AuditEntry entry, ReadOnlySpan<byte> key) => version switch
    {
        PlainVersion => Hash(sequence, previousHash, entry),
        KeyedVersion => Convert.ToHexStringLower(HMACSHA256.HashData(key, Content(sequence, previousHash, entry))),
        _ => throw new ArgumentOutOfRangeException(nameof(version), version, "Unknown audit hash version."),
    };

    private static byte[] Content(long sequence, string previousHash, AuditEntry entry)
    {
        // Length-prefixed fields: no two different events can serialise to the same bytes.
        var builder = new StringBuilder();
        void Field(string? value) => builder.Append(value?.Length ?? -1).Append(':').Append(value).Append('|');
        Field(sequence.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Field(previousHash);
        Field(entry.OccurredAt.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        Field(entry.Actor);
        Field(entry.Role);
        Field(entry.Action);
        Field(entry.TrialId);
        Field(entry.RecordType);
        Field(entry.RecordId);
        Field(entry.Changes);
        return Encoding.UTF8.GetBytes(builder.ToString());
    }
}
