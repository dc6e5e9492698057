using TrialManager.Domain.Common;
using TrialManager.Domain.Documents;
using TrialManager.Infrastructure.Documents;
using TrialManager.Infrastructure.Documents.Layout;
using TrialManager.Infrastructure.Documents.Templates;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Documents;

/// <summary>
/// A report as served once signed: its stored content, unchanged, then one page per signature. Rendered on request
/// from the content and the signature rows, the same bytes every time.
/// </summary>
internal static class SignedReportPdf
{
    public static byte[] Render(Report report, byte[] content, IReadOnlyList<ReportSignature> signatures)
    {
        var pages = SignaturePagesTemplate.Render(report.Id,
        [
            .. signatures.Select((s, i) => new SignaturePageModel(i + 1, s.Signer, s.Role, s.Meaning.Wire(), s.SignedAt, s.ContentSha256)),
        ]);
        return PdfAppendix.Append(content, report.Sha256!, pages, signatures[^1].SignedAt);
    }

    /// <summary>The report's stored content; a ready report whose file is gone is a 404 that says so.</summary>
    public static async Task<byte[]> ContentAsync(DocumentStore store, string sha256, CancellationToken cancellationToken)
    {
        await using var stream = store.Open(sha256) ?? throw new NotFoundException("The report's file is missing from the document store.");
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }
}
