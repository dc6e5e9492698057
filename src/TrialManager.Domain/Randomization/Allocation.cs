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
    IReadOnlyDictionary<string, string> Levels);

public sealed record VerificationResult(bool Matches, int Checked, VerificationMismatch? FirstMismatch);

/// <summary>Field is one of "arm", "sequence", "stratum", "blockNumber", "blockSize", "levels".</summary>
public sealed record VerificationMismatch(string Stratum, int Sequence, string Field, string Expected, string Recorded);
