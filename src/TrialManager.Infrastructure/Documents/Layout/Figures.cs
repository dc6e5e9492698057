using PdfSharp.Drawing;

namespace TrialManager.Infrastructure.Documents.Layout;

/// <summary>A vertical bar chart with a caption, value labels and a light grid.</summary>
public sealed class BarChart(string caption, IReadOnlyList<(string Label, double Value)> bars) : Block
{
    public double PlotHeight { get; init; } = 130;

    internal override void Render(PageCursor cursor)
    {
        var small = TextStyle.Small;
        var labels = bars.Select(b => cursor.Text.Wrap(b.Label, small, double.MaxValue)[0]).ToList();
        const double axisWidth = 30;
        var slot = bars.Count == 0 ? 0 : (cursor.Width - axisWidth) / bars.Count;
        var rotate = labels.Count > 0 && labels.Max(l => l.Width) > slot - 2;
        var labelSpace = rotate ? (labels.Max(l => l.Width) * 0.71) + 12 : small.LineHeight + 4;
        cursor.EnsureSpace(PlotHeight + labelSpace + 30);

        var gfx = cursor.Gfx;
        var top = cursor.Y + 8;
        var baseY = top + PlotHeight;
        var left = cursor.Left + axisWidth;
        var max = NiceMax(bars.Count == 0 ? 0 : bars.Max(b => b.Value));
        var grid = new XPen(PageCursor.Rule, 0.3);
        for (var tick = 0; tick <= 4; tick++)
        {
            var y = baseY - (PlotHeight * tick / 4);
            gfx.DrawLine(grid, left, y, cursor.Left + cursor.Width, y);
            cursor.DrawSingleLine(gfx, (max * tick / 4).ToString("0.##", System.Globalization.CultureInfo.InvariantCulture), small, left - 4, y + 2.5, alignRight: true);
        }

        var brush = new XSolidBrush(PageCursor.Accent);
        for (var i = 0; i < bars.Count; i++)
        {
            var height = max == 0 ? 0 : PlotHeight * bars[i].Value / max;
            var x = left + (i * slot) + (slot * 0.15);
            gfx.DrawRectangle(brush, x, baseY - height, slot * 0.7, height);
            var center = left + (i * slot) + (slot / 2);
            var value = cursor.Text.Wrap(bars[i].Value.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture), small, double.MaxValue)[0];
            if (value.Width < slot)
            {
                TextShaper.Draw(gfx, value, center - (value.Width / 2), baseY - height - 2, XBrushes.Black);
            }

            if (rotate)
            {
                var state = gfx.Save();
                gfx.RotateAtTransform(-45, new XPoint(center, baseY + 6));
                TextShaper.Draw(gfx, labels[i], center - labels[i].Width, baseY + 6 + (small.Size * 0.4), XBrushes.Black);
                gfx.Restore(state);
            }
            else
            {
                TextShaper.Draw(gfx, labels[i], center - (labels[i].Width / 2), baseY + small.LineHeight + 1, XBrushes.Black);
            }
        }

        gfx.DrawLine(new XPen(XColors.Black, 0.6), left, baseY, cursor.Left + cursor.Width, baseY);
        cursor.Y = baseY + labelSpace + 4;
        cursor.DrawSingleLine(gfx, caption, TextStyle.Caption, cursor.Left, cursor.Y + 8, alignRight: false);
        cursor.Y += 18;
    }

    /// <summary>A top of scale whose four ticks are round numbers (whole numbers for counts).</summary>
    private static double NiceMax(double value)
    {
        var raw = Math.Max(value, 1) / 4;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = new[] { 1, 2, 5, 10 }.Select(s => s * magnitude).First(s => s >= raw);
        return Math.Max(step, 1) * 4;
    }
}

/// <summary>A box in a <see cref="FlowDiagram"/>: its row, horizontal centre and width as fractions of the drawing area.</summary>
public sealed record FlowBox(string Id, int Row, double Center, double Width, string Text);

/// <summary>Boxes in rows joined by arrows, with stage labels at the left (e.g. a CONSORT flow).</summary>
public sealed class FlowDiagram : Block
{
    private const double StageWidth = 62, Gap = 20, Padding = 5;
    private readonly List<FlowBox> boxes = [];
    private readonly List<(string From, string To, bool Side)> arrows = [];
    private readonly List<(string Label, int FirstRow, int LastRow)> stages = [];

    public string? Caption { get; init; }

    public FlowDiagram Stage(string label, int firstRow, int lastRow)
    {
        stages.Add((label, firstRow, lastRow));
        return this;
    }

    public FlowDiagram Box(string id, int row, double center, double width, string text)
    {
        boxes.Add(new FlowBox(id, row, center, width, text));
        return this;
    }

    /// <summary>An arrow from the bottom of one box to the top of another.</summary>
    public FlowDiagram Arrow(string from, string to)
    {
        arrows.Add((from, to, false));
        return this;
    }

    /// <summary>An arrow that leaves the vertical line under <paramref name="from"/> sideways into <paramref name="to"/>.</summary>
    public FlowDiagram SideArrow(string from, string to)
    {
        arrows.Add((from, to, true));
        return this;
    }

    internal override void Render(PageCursor cursor)
    {
        var style = new TextStyle(8.5);
        var area = cursor.Width - StageWidth - 8;
        var areaLeft = cursor.Left + StageWidth + 8;
        var laid = boxes.ToDictionary(b => b.Id, b => (Box: b, Lines: cursor.Text.Wrap(b.Text, style, (b.Width * area) - (2 * Padding))));
        var rowCount = boxes.Max(b => b.Row) + 1;
        var rowHeights = Enumerable.Range(0, rowCount)
            .Select(r => laid.Values.Where(l => l.Box.Row == r).Select(l => (l.Lines.Count * style.LineHeight) + (2 * Padding)).DefaultIfEmpty(0).Max())
            .ToArray();
        var total = rowHeights.Sum() + (Gap * (rowCount - 1));
        cursor.EnsureSpace(total + 30);

        var gfx = cursor.Gfx;
        var rowTops = new double[rowCount];
        var y = cursor.Y + 6;
        for (var r = 0; r < rowCount; r++)
        {
            rowTops[r] = y;
            y += rowHeights[r] + Gap;
        }

        XRect Rect(FlowBox b) =>
            new(areaLeft + ((b.Center - (b.Width / 2)) * area), rowTops[b.Row], b.Width * area, laid[b.Id].Lines.Count * style.LineHeight + (2 * Padding));

        foreach (var (label, first, last) in stages)
        {
            var rect = new XRect(cursor.Left, rowTops[first], StageWidth, rowTops[last] + rowHeights[last] - rowTops[first]);
            gfx.DrawRectangle(new XSolidBrush(PageCursor.Shade), rect);
            cursor.DrawSingleLine(gfx, label, style.WithBold(true), rect.X + 4, rect.Y + (rect.Height / 2) + 3, alignRight: false);
        }

        var pen = new XPen(XColors.Black, 0.7);
        foreach (var (box, lines) in laid.Values)
        {
            var rect = Rect(box);
            gfx.DrawRectangle(pen, XBrushes.White, rect);
            var baseline = rect.Y + Padding + (style.Size * 0.95);
            foreach (var line in lines)
            {
                TextShaper.Draw(gfx, line, rect.X + ((rect.Width - line.Width) / 2), baseline, XBrushes.Black);
                baseline += style.LineHeight;
            }
        }

        foreach (var (from, to, side) in arrows)
        {
            var a = Rect(laid[from].Box);
            var b = Rect(laid[to].Box);
            var ax = a.X + (a.Width / 2);
            var bx = b.X + (b.Width / 2);
            if (side)
            {
                var my = b.Y + (b.Height / 2);
                var edge = bx > ax ? b.Left : b.Right;
                gfx.DrawLine(pen, ax, my, edge, my);
                ArrowHead(gfx, edge, my, bx > ax ? 0 : 180);
            }
            else if (Math.Abs(ax - bx) < 1)
            {
                gfx.DrawLine(pen, ax, a.Bottom, bx, b.Top);
                ArrowHead(gfx, bx, b.Top, 90);
            }
            else
            {
                var my = b.Top - (Gap / 2);
                gfx.DrawLines(pen, [new XPoint(ax, a.Bottom), new XPoint(ax, my), new XPoint(bx, my), new XPoint(bx, b.Top)]);
                ArrowHead(gfx, bx, b.Top, 90);
            }
        }

        cursor.Y = y - Gap + 6;
        if (Caption is not null)
        {
            cursor.DrawSingleLine(gfx, Caption, TextStyle.Caption, cursor.Left, cursor.Y + 8, alignRight: false);
            cursor.Y += 18;
        }
    }

    private static void ArrowHead(XGraphics gfx, double x, double y, double degrees)
    {
        var angle = degrees * Math.PI / 180;
        XPoint At(double back, double across) => new(
            x - (back * Math.Cos(angle)) - (across * Math.Sin(angle)),
            y - (back * Math.Sin(angle)) + (across * Math.Cos(angle)));
        gfx.DrawPolygon(XBrushes.Black, [new XPoint(x, y), At(5, 2.5), At(5, -2.5)], XFillMode.Winding);
    }
}
