namespace TrialManager.Domain.Trials;

/// <summary>
/// An approved change to a trial's definition. Amendments only add to the registered definition, which stays as it was
/// created: the definition in force is that base with every amendment applied in order (<see cref="DefinitionVersions"/>).
/// </summary>
/// <param name="Version">The definition version this amendment makes (the base definition is <see cref="DefinitionVersions.Base"/>).</param>
/// <param name="EffectiveOn">The date the ethics approval lets the amendment take effect; recorded as stated.</param>
/// <param name="RecordedAt">When the amendment was recorded (the server applies it from then on).</param>
public sealed record TrialAmendment(
    string Version, DateOnly EffectiveOn, EthicsApproval EthicsApproval, AmendmentChanges Changes, DateTimeOffset RecordedAt);

/// <summary>The ethics committee's approval of an amendment: its reference and date.</summary>
public sealed record EthicsApproval(string Reference, DateOnly Date);

/// <summary>
/// What an amendment may change. Design members (randomization, hypothesis, arms, formulations) are deliberately absent:
/// they are fixed once the trial has left draft.
/// </summary>
/// <param name="AddSites">Sites added to the trial; screening and randomization accept them from then on.</param>
/// <param name="TargetEnrollment">The new enrollment target; null keeps it.</param>
/// <param name="ConsentVersion">The consent form version participants must now have signed; null keeps it.</param>
/// <param name="ProtocolVersions">Protocol text id to the version that new protocol documents use.</param>
public sealed record AmendmentChanges(
    IReadOnlyList<string> AddSites,
    int? TargetEnrollment,
    string? ConsentVersion,
    IReadOnlyDictionary<string, string> ProtocolVersions)
{
    public bool IsEmpty() => AddSites.Count == 0 && TargetEnrollment is null && ConsentVersion is null && ProtocolVersions.Count == 0;
}
