using TrialManager.Domain.Common;

namespace TrialManager.Domain.Documents;

/// <summary>What a signer states by signing (21 CFR 11.50: the meaning of the signature).</summary>
public enum SignatureMeaning
{
    Reviewed,
    Approved,
}

/// <summary>
/// A signature of a report by a member of its audience, who re-authenticated to sign. The report's content is never
/// touched: the signature names the SHA-256 of the content it was given, and the served PDF appends one page per
/// signature after that content.
/// </summary>
public sealed class ReportSignature
{
    private ReportSignature()
    {
        Signer = Role = ContentSha256 = string.Empty;
    }

    private ReportSignature(Report report, string signer, string role, SignatureMeaning meaning, DateTimeOffset signedAt)
    {
        Id = Guid.NewGuid();
        ReportId = report.Id;
        Signer = signer;
        Role = role;
        Meaning = meaning;
        SignedAt = signedAt;
        ContentSha256 = report.Sha256!;
    }

    public Guid Id { get; private set; }
    public Guid ReportId { get; private set; }

    /// <summary>The key's or token's name.</summary>
    public string Signer { get; private set; }

    public string Role { get; private set; }
    public SignatureMeaning Meaning { get; private set; }
    public DateTimeOffset SignedAt { get; private set; }

    /// <summary>The SHA-256 of the report's content when signed (it never changes; kept so the page states what was signed).</summary>
    public string ContentSha256 { get; private set; }

    /// <summary>Only a ready report (its content fixed and hashed) can be signed.</summary>
    public static ReportSignature Sign(Report report, string signer, string role, SignatureMeaning meaning, DateTimeOffset signedAt) =>
        report.Status != DocumentStatus.Ready || report.Sha256 is null
            ? throw new WorkflowConflictException($"The report is {report.Status.Wire()}; only a ready report can be signed.")
            : new ReportSignature(report, signer, role, meaning, signedAt);
}
