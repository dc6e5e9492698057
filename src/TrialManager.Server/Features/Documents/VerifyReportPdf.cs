using System.Security.Cryptography;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Documents;
using TrialManager.Infrastructure.Documents;
using TrialManager.Infrastructure.Documents.Layout;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Documents;

/// <summary>
/// POST /api/reports/verification with a PDF as the body: is it a stored report's content, unchanged, or a signed copy
/// as this server served it; which report, and who had signed it. A signed copy names its content's SHA-256; it matches
/// when rendering that content with the first n signatures gives the same bytes.
/// </summary>
public sealed record VerifyReportPdf(byte[] Pdf) : IQuery<ReportVerification>;

public sealed record VerifiedReport(Guid Id, string TrialId, ReportKind Kind, string Sha256, DateTimeOffset? GeneratedAt);

public sealed record VerifiedSignature(string Signer, string Role, SignatureMeaning Meaning, DateTimeOffset SignedAt);

/// <summary>
/// <c>matches</c>: the PDF is a stored report's content (<c>signedCopy</c> false) or a signed copy of it (true);
/// <c>signatures</c>: those the report has now (content) or those printed in the copy.
/// </summary>
public sealed record ReportVerification(bool Matches, string Sha256, bool SignedCopy, VerifiedReport? Report, IReadOnlyList<VerifiedSignature> Signatures, string Detail);

public sealed class VerifyReportPdfHandler(TrialDbContext db, DocumentStore store, IActorAccessor actors) : IQueryHandler<VerifyReportPdf, ReportVerification>
{
    public async ValueTask<ReportVerification> Handle(VerifyReportPdf query, CancellationToken cancellationToken)
    {
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(query.Pdf));
        if (await ReadyAsync(sha256, cancellationToken) is { } content)
        {
            var signatures = await db.SignaturesOfAsync(content.Id, cancellationToken);
            return new(true, sha256, false, Describe(content), [.. signatures.Select(Describe)],
                "The PDF is the report's content as generated, unchanged.");
        }

        if (PdfAppendix.NamedContentSha256(query.Pdf) is { } named && await ReadyAsync(named, cancellationToken) is { } report)
        {
            var signatures = await db.SignaturesOfAsync(report.Id, cancellationToken);
            var bytes = await SignedReportPdf.ContentAsync(store, named, cancellationToken);
            for (var n = signatures.Count; n > 0; n--)
            {
                var copy = SignedReportPdf.Render(report, bytes, signatures[..n]);
                if (Convert.ToHexStringLower(SHA256.HashData(copy)) == sha256)
                {
                    return new(true, sha256, true, Describe(report), [.. signatures[..n].Select(Describe)],
                        $"The PDF is the report's content, unchanged, with its first {n} signature page(s).");
                }
            }

            return new(false, sha256, false, null, [],
                $"The PDF names the content {named} of a stored report but is not that report as served: it has been changed.");
        }

        return new(false, sha256, false, null, [], "No stored report has this content.");
    }

    // A closed report does not exist for those who may not read it: verifying one tells them nothing either.
    private async Task<Report?> ReadyAsync(string sha256, CancellationToken cancellationToken) =>
        await db.Reports.AsNoTracking().Where(r => r.Sha256 == sha256 && r.Status == DocumentStatus.Ready).OrderBy(r => r.CreatedAt).FirstOrDefaultAsync(cancellationToken)
            is { } report && ReportAudience.MayRead(actors.Current, report.Kind) ? report : null;

    private static VerifiedReport Describe(Report r) => new(r.Id, r.TrialId, r.Kind, r.Sha256!, r.GeneratedAt);

    private static VerifiedSignature Describe(ReportSignature s) => new(s.Signer, s.Role, s.Meaning, s.SignedAt);
}
