using TrialManager.Domain.Trials;

namespace TrialManager.Server.Features.Trials;

/// <summary>An amendment as recorded: the definition version it made, its approval and its changes.</summary>
public sealed record AmendmentView(
    string Version, DateOnly EffectiveOn, EthicsApproval EthicsApproval, AmendmentChangesView Changes, DateTimeOffset RecordedAt)
{
    public static AmendmentView From(TrialAmendment a) => new(
        a.Version, a.EffectiveOn, a.EthicsApproval,
        new AmendmentChangesView(a.Changes.AddSites, a.Changes.TargetEnrollment, a.Changes.ConsentVersion, a.Changes.ProtocolVersions),
        a.RecordedAt);
}

public sealed record AmendmentChangesView(
    IReadOnlyList<string> AddSites, int? TargetEnrollment, string? ConsentVersion, IReadOnlyDictionary<string, string> ProtocolVersions);
