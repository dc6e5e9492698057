namespace TrialManager.Domain.Randomization;

/// <summary>
/// How a trial's stream keys come from its seed, versioned and stored with the trial so that every trial keeps the
/// sequence it was created with. Version 1 keyed only by seed, method and state key, so two trials given the same
/// seed had the same sequences; version 2 (every new trial) puts the trial id into every key.
/// </summary>
public sealed class KeyDerivation
{
    /// <summary>The version new trials get.</summary>
    public const int Current = 2;

    private KeyDerivation(int version, string? trialId)
    {
        Version = version;
        TrialId = trialId;
    }

    public int Version { get; }

    /// <summary>The trial id in the key messages; null for version 1.</summary>
    public string? TrialId { get; }

    public static KeyDerivation Version1 { get; } = new(1, null);

    public static KeyDerivation Version2(string trialId)
    {
        // A "/" in the id would let two (trial, purpose) pairs share a message.
        if (string.IsNullOrEmpty(trialId) || trialId.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException("trialId: must be non-empty and contain no '/'.", nameof(trialId));
        }

        return new KeyDerivation(2, trialId);
    }

    /// <summary>The derivation a stored trial names.</summary>
    public static KeyDerivation For(int version, string trialId) => version switch
    {
        1 => Version1,
        2 => Version2(trialId),
        _ => throw new ArgumentOutOfRangeException(nameof(version), version, "Unknown key derivation version."),
    };

    /// <summary>The HMAC message for a purpose (method + "/" + state key for allocation streams).</summary>
    public string Message(string purpose) =>
        Version == 1 ? RandomStream.KeyPrefix + purpose : "trialmanager/v2/" + TrialId + "/" + purpose;
}
