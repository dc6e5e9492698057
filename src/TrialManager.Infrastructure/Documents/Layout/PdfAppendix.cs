using System.Security.Cryptography;
using System.Text;
using PdfSharp.Pdf;
using PdfSharp.Pdf.IO;

namespace TrialManager.Infrastructure.Documents.Layout;

/// <summary>
/// A PDF made of an existing PDF's pages, unchanged, followed by the pages of another: a signed report is its stored
/// content followed by its signature pages. The same inputs give the same bytes, so a copy served earlier can be
/// recognised by rendering it again.
/// </summary>
public static class PdfAppendix
{
    /// <summary>The information-dictionary keyword that names the SHA-256 of the pages taken unchanged.</summary>
    public const string ContentKeyword = "content-sha256:";

    public static byte[] Append(byte[] content, string contentSha256, byte[] appendix, DateTimeOffset createdAt)
    {
        using var result = new PdfDocument();
        using var first = PdfReader.Open(new MemoryStream(content, writable: false), PdfDocumentOpenMode.Import);
        using var second = PdfReader.Open(new MemoryStream(appendix, writable: false), PdfDocumentOpenMode.Import);
        var created = createdAt.UtcDateTime;
        result.Options.FlateEncodeMode = PdfFlateEncodeMode.BestSpeed;
        result.Info.Title = first.Info.Title;
        result.Info.Author = first.Info.Author;
        result.Info.Subject = first.Info.Subject;
        result.Info.Keywords = ContentKeyword + contentSha256;
        result.Info.Creator = "TrialManager";
        result.Info.CreationDate = created;
        result.Info.ModificationDate = created;
        var id = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{contentSha256}|{Convert.ToHexString(SHA256.HashData(appendix))}")), 0, 16);
        result.Internals.FirstDocumentID = id;
        result.Internals.SecondDocumentID = id;
        foreach (var page in first.Pages)
        {
            result.AddPage(page);
        }

        foreach (var page in second.Pages)
        {
            result.AddPage(page);
        }

        using var stream = new MemoryStream();
        result.Save(stream, closeStream: false);
        return DocumentBuilder.WithStableIdentifiers(stream.ToArray(), id);
    }

    /// <summary>
    /// The content SHA-256 a PDF made by <see cref="Append"/> names in its keywords, read from the bytes without
    /// parsing them (the file comes from a client); null when there is none.
    /// </summary>
    public static string? NamedContentSha256(ReadOnlySpan<byte> pdf)
    {
        var marker = Encoding.ASCII.GetBytes(ContentKeyword);
        var at = pdf.IndexOf(marker);
        if (at < 0 || at + marker.Length + 64 > pdf.Length)
        {
            return null;
        }

        var hex = pdf.Slice(at + marker.Length, 64);
        return hex.ContainsAnyExcept("0123456789abcdef"u8) ? null : Encoding.ASCII.GetString(hex);
    }
}
