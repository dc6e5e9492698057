using TrialManager.Domain.Common;
using TrialManager.Domain.Documents;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Documents;

/// <summary>Who signs a report: its audience, one role per kind.</summary>
public static class ReportAudience
{
    // By wire name, so that a kind is found here as soon as it exists (dsmbClosed comes with the closed report).
    private static readonly Dictionary<string, string> Signers = new(StringComparer.Ordinal)
    {
        ["ethicsProgress"] = Roles.Ethics,
        ["dsmbClosed"] = Roles.Dsmb,
    };

    public static string SignerOf(ReportKind kind) => SignerOf(kind.Wire());

    public static string SignerOf(string kind) =>
        Signers.TryGetValue(kind, out var role) ? role : throw new InvalidOperationException($"Report kind {kind} has no signing audience.");
}
