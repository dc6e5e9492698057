using PdfSharp.Drawing;

namespace TrialManager.Infrastructure.Documents.Layout;

/// <summary>A piece of document content that knows how to lay itself out from the cursor.</summary>
public abstract class Block
{
    internal abstract void Render(PageCursor cursor);
}

internal sealed class HeadingBlock(string text, int level) : Block
{
    internal override void Render(PageCursor cursor)
    {
        var style = new TextStyle(level switch { 1 => 15, 2 => 12, _ => 10 }, Bold: true);
        var lines = cursor.Text.Wrap(text, style, cursor.Width);
        var before = cursor.AtTop ? 0 : level == 1 ? 14 : 9;
        cursor.EnsureSpace(before + (lines.Count * style.LineHeight) + (3 * TextStyle.Body.LineHeight));
        cursor.Y += cursor.AtTop ? 0 : before;
        cursor.DrawLines(lines, style, cursor.Left, level == 1 ? new XSolidBrush(PageCursor.Accent) : XBrushes.Black);
        if (level == 1)
        {
            cursor.Gfx.DrawLine(new XPen(PageCursor.Accent, 0.8), cursor.Left, cursor.Y, cursor.Left + cursor.Width, cursor.Y);
        }

        cursor.Y += 4;
    }
}

internal sealed class ParagraphBlock(string markup, TextStyle style) : Block
{
    internal override void Render(PageCursor cursor)
    {
        cursor.DrawLines(cursor.Text.Wrap(markup, style, cursor.Width), style, cursor.Left);
        cursor.Y += 5;
    }
}

internal sealed class BulletBlock(IReadOnlyList<string> items) : Block
{
    internal override void Render(PageCursor cursor)
    {
        const double indent = 14;
        var style = TextStyle.Body;
        foreach (var item in items)
        {
            var lines = cursor.Text.Wrap(item, style, cursor.Width - indent);
            cursor.EnsureSpace(style.LineHeight);
            cursor.DrawSingleLine(cursor.Gfx, "•", style, cursor.Left + 3, cursor.Y + (style.Size * 0.95), alignRight: false);
            cursor.DrawLines(lines, style, cursor.Left + indent);
            cursor.Y += 1.5;
        }

        cursor.Y += 4;
    }
}

internal sealed class PageBreakBlock : Block
{
    internal override void Render(PageCursor cursor)
    {
        if (!cursor.AtTop)
        {
            cursor.NewPage();
        }
    }
}

/// <summary>A column of a <see cref="Table"/>: header text, relative width and alignment.</summary>
public sealed record TableColumn(string Header, double Weight = 1, bool AlignRight = false);

/// <summary>A table whose rows flow over pages; the header row repeats on every page it reaches.</summary>
public sealed class Table : Block
{
    private const double Padding = 3.5;
    private readonly List<string[]> rows = [];

    public Table(params TableColumn[] columns) => Columns = columns;

    public IReadOnlyList<TableColumn> Columns { get; }
    public bool ShowHeader { get; init; } = true;
    public bool BoldFirstColumn { get; init; }
    public string? EmptyText { get; init; }
    public TextStyle Style { get; init; } = TextStyle.Body;

    public Table Row(params string[] cells)
    {
        if (cells.Length != Columns.Count)
        {
            throw new ArgumentException($"A row needs {Columns.Count} cells, got {cells.Length}.", nameof(cells));
        }

        rows.Add(cells);
        return this;
    }

    public Table Rows<T>(IEnumerable<T> items, Func<T, string[]> cells)
    {
        foreach (var item in items)
        {
            Row(cells(item));
        }

        return this;
    }

    internal override void Render(PageCursor cursor)
    {
        var total = Columns.Sum(c => c.Weight);
        var widths = Columns.Select(c => c.Weight / total * cursor.Width).ToArray();
        var header = ShowHeader ? Layout(cursor, [.. Columns.Select(c => c.Header)], widths, bold: _ => true) : null;
        var body = rows.Select(r => Layout(cursor, r, widths, bold: i => BoldFirstColumn && i == 0)).ToList();
        if (body.Count == 0 && EmptyText is not null)
        {
            new ParagraphBlock(EmptyText, TextStyle.Caption).Render(cursor);
            return;
        }

        cursor.EnsureSpace((header?.Height ?? 0) + (body.Count > 0 ? body[0].Height : 0));
        if (header is not null)
        {
            DrawRow(cursor, header, widths, PageCursor.Shade);
        }

        for (var i = 0; i < body.Count; i++)
        {
            if (cursor.Y + body[i].Height > cursor.Bottom)
            {
                cursor.NewPage();
                if (header is not null)
                {
                    DrawRow(cursor, header, widths, PageCursor.Shade);
                }
            }

            DrawRow(cursor, body[i], widths, i % 2 == 1 ? PageCursor.Zebra : XColors.White);
        }

        cursor.Y += 8;
    }

    private LaidOutRow Layout(PageCursor cursor, string[] cells, double[] widths, Func<int, bool> bold)
    {
        var lines = cells.Select((c, i) => cursor.Text.Wrap(c, Style.WithBold(bold(i)), widths[i] - (2 * Padding))).ToArray();
        return new LaidOutRow(lines, (lines.Max(l => l.Count) * Style.LineHeight) + (2 * Padding));
    }

    private void DrawRow(PageCursor cursor, LaidOutRow row, double[] widths, XColor fill)
    {
        var gfx = cursor.Gfx;
        var x = cursor.Left;
        gfx.DrawRectangle(new XSolidBrush(fill), x, cursor.Y, cursor.Width, row.Height);
        for (var i = 0; i < widths.Length; i++)
        {
            var baseline = cursor.Y + Padding + (Style.Size * 0.95);
            foreach (var line in row.Lines[i])
            {
                var left = Columns[i].AlignRight ? x + widths[i] - Padding - line.Width : x + Padding;
                TextShaper.Draw(gfx, line, left, baseline, XBrushes.Black);
                baseline += Style.LineHeight;
            }

            x += widths[i];
        }

        cursor.Y += row.Height;
        gfx.DrawLine(new XPen(PageCursor.RowRule, 0.5), cursor.Left, cursor.Y, cursor.Left + cursor.Width, cursor.Y);
    }

    private sealed record LaidOutRow(List<TextLine>[] Lines, double Height);
}
