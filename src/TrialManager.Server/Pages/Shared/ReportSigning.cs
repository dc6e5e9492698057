using Mediator;
using TrialManager.Domain.Common;
using TrialManager.Domain.Documents;
using TrialManager.Server.Common;
using TrialManager.Server.Features.Documents;
using TrialManager.Server.Security;

namespace TrialManager.Server.Pages.Shared;

/// <summary>One report's row of signatures, and the sign form when the reader is the report's audience (_ReportSignatures).</summary>
public sealed record ReportSignaturesCell(ReportView Report, IEnumerable<SignatureView> Signatures, bool MaySign);

/// <summary>
/// Signing a report from a board's page (ethics, DSMB): the API's own command and checks; the page only re-enters the
/// key it was signed in with and shows the answer.
/// </summary>
public static class ReportSigning
{
    /// <summary>A board member may sign a ready report of their audience (ethics: the progress report; dsmb: the closed one).</summary>
    public static bool MaySign(Actor actor, ReportView report) =>
        report.Status == DocumentStatus.Ready && actor.Role == ReportAudience.SignerOf(report.Kind);

    /// <summary>Signs, and returns the notice to show; a wrong key is told on the form and counted like the API's refusal.</summary>
    public static async Task<string> SignAsync(
        ISender sender, SecurityAudit securityAudit, HttpContext context, Guid reportId, string? meaning, string? key, CancellationToken ct)
    {
        try
        {
            var signature = await sender.Send(new SignReport(reportId, meaning, key), ct);
            return $"Report {reportId.ToString()[..8]}… signed ({signature.Meaning.Wire()}) at {signature.SignedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC.";
        }
        catch (ForbiddenException e) when (e.AuditReason == "signatureKey")
        {
            await securityAudit.PermissionDeniedAsync(context, e.AuditReason);
            throw RequestValidationException.For("key", e.Message);
        }
    }
}
