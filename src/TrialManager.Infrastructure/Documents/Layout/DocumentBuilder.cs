using System.Security.Cryptography;
using System.Text;
using PdfSharp.Pdf;

namespace TrialManager.Infrastructure.Documents.Layout;

/// <summary>Document metadata written into the PDF's information dictionary.</summary>
public sealed record DocumentInfo(string Title, string Subject, DateTimeOffset CreatedAt, string Author = "TrialManager");

/// <summary>
/// Describes a document as a sequence of blocks and renders it to PDF bytes. Templates read like the
/// document: <c>new DocumentBuilder(info).Header(...).Heading(...).Paragraph(...).Table(...)</c>.
/// </summary>
public sealed class DocumentBuilder(DocumentInfo info)
{
    private readonly List<Block> blocks = [];
    private string? headerRight;
    private string? footer;

    public PageTemplate Page { get; init; } = PageTemplate.A4;

    public DocumentBuilder Header(string right)
    {
        headerRight = right;
        return this;
    }

    public DocumentBuilder Footer(string text)
    {
        footer = text;
        return this;
    }

    public DocumentBuilder Heading(string text, int level = 1) => Add(new HeadingBlock(text, level));

    /// <summary>A wrapped paragraph; <c>**text**</c> marks bold runs.</summary>
    public DocumentBuilder Paragraph(string markup) => Add(new ParagraphBlock(markup, TextStyle.Body));

    public DocumentBuilder Note(string text) => Add(new ParagraphBlock(text, TextStyle.Caption));

    public DocumentBuilder Bullets(IEnumerable<string> items) => Add(new BulletBlock([.. items]));

    public DocumentBuilder KeyValues(params (string Key, string Value)[] pairs) =>
        Add(new Table(new TableColumn("", 1), new TableColumn("", 2.4)) { ShowHeader = false, BoldFirstColumn = true }
            .Rows(pairs, p => [p.Key, p.Value]));

    public DocumentBuilder Table(Table table) => Add(table);

    public DocumentBuilder BarChart(string caption, IEnumerable<(string Label, double Value)> bars) => Add(new BarChart(caption, [.. bars]));

    public DocumentBuilder Flow(FlowDiagram diagram) => Add(diagram);

    public DocumentBuilder PageBreak() => Add(new PageBreakBlock());

    /// <summary>Adds what <paramref name="describe"/> adds for each item, keeping templates declarative.</summary>
    public DocumentBuilder ForEach<T>(IEnumerable<T> items, Action<DocumentBuilder, T> describe)
    {
        foreach (var item in items)
        {
            describe(this, item);
        }

        return this;
    }

    /// <summary>Adds what <paramref name="describe"/> adds only when <paramref name="condition"/> holds.</summary>
    public DocumentBuilder When(bool condition, Action<DocumentBuilder> describe)
    {
        if (condition)
        {
            describe(this);
        }

        return this;
    }

    public DocumentBuilder Add(Block block)
    {
        blocks.Add(block);
        return this;
    }

    /// <summary>Renders the document. The same description and metadata give the same bytes.</summary>
    public byte[] Render()
    {
        DocumentFonts.EnsureInstalled();
        using var document = new PdfDocument();
        var created = info.CreatedAt.UtcDateTime;
        document.Options.FlateEncodeMode = PdfFlateEncodeMode.BestSpeed;
        document.Info.Title = info.Title;
        document.Info.Author = info.Author;
        document.Info.Subject = info.Subject;
        document.Info.Creator = "TrialManager";
        document.Info.CreationDate = created;
        document.Info.ModificationDate = created;
        var id = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{info.Title}|{info.Subject}|{created:O}")), 0, 16);
        document.Internals.FirstDocumentID = id;
        document.Internals.SecondDocumentID = id;

        using (var cursor = new PageCursor(document, Page))
        {
            cursor.NewPage();
            foreach (var block in blocks)
            {
                block.Render(cursor);
            }

            cursor.DrawPageFrames(info.Title, headerRight, footer);
        }

        using var stream = new MemoryStream();
        document.Save(stream, closeStream: false);
        return WithStableIdentifiers(stream.ToArray(), id);
    }

    /// <summary>
    /// PDFsharp tags each embedded subset with a random six-letter prefix (ABCDEF+DejaVuSans) and writes
    /// random uuids into the XMP metadata. Overwrite them in place with values derived from the document
    /// id, of the same length so no offset moves: the same document gives the same bytes.
    /// </summary>
    internal static byte[] WithStableIdentifiers(byte[] pdf, string id)
    {
        var seen = new List<string>();
        foreach (var key in new[] { "/BaseFont/"u8.ToArray(), "/FontName/"u8.ToArray() })
        {
            foreach (var at in Occurrences(pdf, key))
            {
                var prefix = pdf.AsSpan(at + key.Length, 7);
                if (prefix[6] == (byte)'+' && !prefix[..6].ContainsAnyExceptInRange((byte)'A', (byte)'Z'))
                {
                    Stable(Encoding.ASCII.GetString(prefix[..6]), "font").AsSpan(0, 6).CopyTo(prefix);
                }
            }
        }

        foreach (var at in Occurrences(pdf, "uuid:"u8))
        {
            var uuid = pdf.AsSpan(at + 5, 36);
            if (Guid.TryParseExact(Encoding.ASCII.GetString(uuid), "D", out _))
            {
                var stable = Stable(Encoding.ASCII.GetString(uuid), "uuid");
                Encoding.ASCII.GetBytes(new Guid(stable.AsSpan(0, 16)).ToString("D")).CopyTo(uuid);
            }
        }

        return pdf;

        byte[] Stable(string value, string kind)
        {
            var index = seen.IndexOf(value);
            if (index < 0)
            {
                seen.Add(value);
                index = seen.Count - 1;
            }

            var hash = SHA256.HashData(Encoding.ASCII.GetBytes($"{id}:{kind}:{index}"));
            return kind == "font" ? [.. hash.Take(6).Select(b => (byte)('A' + (b % 26)))] : hash;
        }
    }

    private static List<int> Occurrences(byte[] data, ReadOnlySpan<byte> pattern)
    {
        var found = new List<int>();
        for (var start = 0; ;)
        {
            var at = data.AsSpan(start).IndexOf(pattern);
            if (at < 0 || start + at + pattern.Length + 36 > data.Length)
            {
                return found;
            }

            found.Add(start + at);
            start += at + pattern.Length;
        }
    }
}
