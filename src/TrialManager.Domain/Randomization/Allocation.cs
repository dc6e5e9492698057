namespace TrialManager.Domain.Randomization;

/// <summary>One allocation. Sequence is 1-based: per stratum for blocks, trial-wide otherwise.</summary>
public sealed record Allocation(
    int Arm,
    string Stratum,
    int Sequence,
    int? BlockNumber,
    int? BlockSize,
    IReadOnlyList<double>? ImbalanceScores,
    int? PreferredArm,
    bool? TookPreferred);

/// <summary>An allocation as stored by the server, with the factor levels it was made for.</summary>
public sealed record RecordedAllocation(
    int Arm,
    string Stratum,
    int Sequence,
    int? BlockNumber,
    int? BlockSize,
    IReadOnlyDictionary<string, string> Levels)
{
    /// <summary>The participant's level on every factor at randomization; when given, every recorded level must equal it.</summary>
    public IReadOnlyDictionary<string, string>? ParticipantLevels { get; init; }

    /// <summary>Levels the record keeps a second copy of (the allocation table's formulation and site), checked like <see cref="Levels"/>.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> LevelCopies { get; init; } = [];
}

public sealed record VerificationResult(bool Matches, int Checked, VerificationMismatch? FirstMismatch);

/// <summary>
/// Field is one of "arm", "sequence", "stratum", "blockNumber", "blockSize", "levels"; a factor ("formulation",
/// "site", "severity"...) whose recorded level differs from the participant's; or "allocated" when a state row's count
/// of allocations differs from the records of its stratum (Sequence is then the first slot one of them lacks).
/// </summary>
public sealed record VerificationMismatch(string Stratum, int Sequence, string Field, string Expected, string Recorded);
