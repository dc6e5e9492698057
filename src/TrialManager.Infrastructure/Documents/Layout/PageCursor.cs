using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace TrialManager.Infrastructure.Documents.Layout;

/// <summary>A4 page with margins, in points.</summary>
public sealed record PageTemplate(double Width = 595.28, double Height = 841.89, double Margin = 56.7, double HeaderSpace = 22)
{
    public static readonly PageTemplate A4 = new();
}

/// <summary>Where the next block goes: the current page, its graphics and the vertical position.</summary>
internal sealed class PageCursor(PdfDocument document, PageTemplate template) : IDisposable
{
    public static readonly XColor Accent = XColor.FromArgb(31, 78, 121);
    public static readonly XColor Rule = XColor.FromArgb(170, 180, 190);
    public static readonly XColor Shade = XColor.FromArgb(232, 238, 244);
    public static readonly XColor Zebra = XColor.FromArgb(247, 249, 251);
    public static readonly XColor RowRule = XColor.FromArgb(214, 220, 226);

    private XGraphics? gfx;

    public TextShaper Text { get; } = new(XGraphics.CreateMeasureContext(new XSize(template.Width, template.Height), XGraphicsUnit.Point, XPageDirection.Downwards));
    public double Left => template.Margin;
    public double Width => template.Width - (2 * template.Margin);
    public double Top => template.Margin + template.HeaderSpace;
    public double Bottom => template.Height - template.Margin - template.HeaderSpace;
    public double Y { get; set; }
    public bool AtTop => Y <= Top + 0.01;

    public XGraphics Gfx
    {
        get
        {
            if (gfx is null)
            {
                NewPage();
            }

            return gfx!;
        }
    }

    public void NewPage()
    {
        gfx?.Dispose();
        var page = document.AddPage();
        page.Width = XUnit.FromPoint(template.Width);
        page.Height = XUnit.FromPoint(template.Height);
        gfx = XGraphics.FromPdfPage(page);
        Text.Measure = gfx;
        Y = Top;
    }

    /// <summary>Starts a new page unless <paramref name="height"/> still fits on this one.</summary>
    public void EnsureSpace(double height)
    {
        if (gfx is null || (Y + height > Bottom && !AtTop))
        {
            NewPage();
        }
    }

    /// <summary>Draws wrapped lines from the cursor, breaking pages between lines.</summary>
    public void DrawLines(List<TextLine> lines, TextStyle style, double x, XBrush? brush = null)
    {
        foreach (var line in lines)
        {
            EnsureSpace(style.LineHeight);
            TextShaper.Draw(Gfx, line, x, Y + (style.Size * 0.95), brush ?? XBrushes.Black);
            Y += style.LineHeight;
        }
    }

    /// <summary>Header and footer on every page, once the page count is known.</summary>
    public void DrawPageFrames(string headerLeft, string? headerRight, string? footer)
    {
        gfx?.Dispose();
        gfx = null;
        var count = document.PageCount;
        var small = TextStyle.Small;
        for (var i = 0; i < count; i++)
        {
            using var page = XGraphics.FromPdfPage(document.Pages[i], XGraphicsPdfPageOptions.Append);
            Text.Measure = page;
            var headerY = template.Margin;
            var footerY = template.Height - template.Margin;
            var pen = new XPen(Rule, 0.5);
            page.DrawLine(pen, Left, headerY + 4, Left + Width, headerY + 4);
            page.DrawLine(pen, Left, footerY - 10, Left + Width, footerY - 10);
            DrawSingleLine(page, headerLeft, small, Left, headerY, alignRight: false);
            if (headerRight is not null)
            {
                DrawSingleLine(page, headerRight, small, Left + Width, headerY, alignRight: true);
            }

            if (footer is not null)
            {
                DrawSingleLine(page, footer, small, Left, footerY, alignRight: false);
            }

            DrawSingleLine(page, $"Page {i + 1} of {count}", small, Left + Width, footerY, alignRight: true);
        }
    }

    public void DrawSingleLine(XGraphics target, string text, TextStyle style, double x, double baseline, bool alignRight, XBrush? brush = null)
    {
        var line = Text.Wrap(text, style, double.MaxValue)[0];
        TextShaper.Draw(target, line, alignRight ? x - line.Width : x, baseline, brush ?? XBrushes.Black);
    }

    public void Dispose() => gfx?.Dispose();
}
