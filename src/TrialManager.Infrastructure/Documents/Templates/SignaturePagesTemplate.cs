using System.Globalization;
using TrialManager.Infrastructure.Documents.Layout;

namespace TrialManager.Infrastructure.Documents.Templates;

/// <summary>One signature of a report as its page prints it.</summary>
public sealed record SignaturePageModel(int Number, string Signer, string Role, string Meaning, DateTimeOffset SignedAt, string ContentSha256);

/// <summary>
/// The signature pages appended after a report's content: one page per signature, each with the signer's name and
/// role, the meaning, the time (UTC) and the SHA-256 of the content above it (21 CFR 11.50).
/// </summary>
public static class SignaturePagesTemplate
{
    public static byte[] Render(Guid reportId, IReadOnlyList<SignaturePageModel> signatures)
    {
        ArgumentOutOfRangeException.ThrowIfZero(signatures.Count);
        var last = signatures[^1];
        return new DocumentBuilder(new DocumentInfo($"Signatures of report {reportId}", $"Electronic signatures of report {reportId}", last.SignedAt))
            .Footer($"Report {reportId} · content SHA-256 {last.ContentSha256}")
            .ForEach(signatures, (page, s) => page
                .When(s.Number > 1, b => b.PageBreak())
                .Heading($"Signature {s.Number.ToString(CultureInfo.InvariantCulture)}")
                .KeyValues(
                    ("Signed by", s.Signer),
                    ("Role", s.Role),
                    ("Meaning", s.Meaning),
                    ("Time (UTC)", s.SignedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture)),
                    ("Report", reportId.ToString()),
                    ("Content SHA-256", s.ContentSha256))
                .Note("The signer re-authenticated to sign. The pages before the signature pages are the report as generated, " +
                      "unchanged: their SHA-256 is the one above. POST the whole PDF to /api/reports/verification to check it."))
            .Render();
    }
}
