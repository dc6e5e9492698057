using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using PdfSharp.Pdf;

namespace TrialManager.Infrastructure.Documents.Layout;

/// <summary>Document metadata written into the PDF's information dictionary.</summary>
public sealed record DocumentInfo(string Title, string Subject, DateTimeOffset CreatedAt, string Author = "TrialManager");

/// <summary>
/// Describes a document as a sequence of blocks and renders it to PDF bytes. Templates read like the
/// document: <c>new DocumentBuilder(info).Header(...).Heading(...).Paragraph(...).Table(...)</c>.
/// </summary>
public sealed partial class DocumentBuilder(DocumentInfo info)
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
    /// random uuids into the XMP metadata. Replace them with values derived from the document id, of the
    /// same length so no offset moves: the same document gives the same bytes.
    /// </summary>
    private static byte[] WithStableIdentifiers(byte[] pdf, string id)
    {
        var text = Encoding.Latin1.GetString(pdf);
        var uuids = XmpUuid().Matches(text).Select(m => m.Value).Distinct().ToList();
        for (var i = 0; i < uuids.Count; i++)
        {
            var stable = new Guid(SHA256.HashData(Encoding.ASCII.GetBytes($"{id}:uuid:{i}")).AsSpan(0, 16));
            text = text.Replace(uuids[i], $"uuid:{stable:D}", StringComparison.Ordinal);
        }

        var prefixes = SubsetName().Matches(text).Select(m => m.Groups[1].Value).Distinct().ToList();
        for (var i = 0; i < prefixes.Count; i++)
        {
            var hash = SHA256.HashData(Encoding.ASCII.GetBytes($"{id}:{i}"));
            var stable = string.Concat(hash.Take(6).Select(b => (char)('A' + (b % 26))));
            text = text.Replace($"/{prefixes[i]}+", $"/{stable}+", StringComparison.Ordinal);
        }

        return Encoding.Latin1.GetBytes(text);
    }

    [GeneratedRegex(@"/(?:BaseFont|FontName)\s*/([A-Z]{6})\+")]
    private static partial Regex SubsetName();

    [GeneratedRegex("uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")]
    private static partial Regex XmpUuid();
}
