using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Html;
using TrialManager.Server.Features.Statistics;

namespace TrialManager.Server.Pages.Shared;

/// <summary>
/// Inline SVG charts drawn on the server: no script, no external library, colours from the stylesheet (classes only,
/// so the strict style policy holds). Each chart carries a text title for screen readers; the tables beside it hold the numbers.
/// </summary>
public static class Charts
{
    private static readonly HtmlEncoder Html = HtmlEncoder.Default;

    /// <summary>Horizontal bars, one group per category, one bar per arm.</summary>
    public static IHtmlContent GroupedBars(string title, IReadOnlyList<(string Label, IReadOnlyDictionary<string, int> Counts)> groups, IReadOnlyList<string> arms)
    {
        const int labelWidth = 150, width = 460, barHeight = 18, gap = 12, top = 10;
        var max = Math.Max(1, groups.SelectMany(g => g.Counts.Values).DefaultIfEmpty(0).Max());
        var plot = width - labelWidth - 50;
        var groupHeight = arms.Count * barHeight + gap;
        var height = top + groups.Count * groupHeight + 10;
        var svg = Open(width, height, title);
        var y = top;
        foreach (var (label, counts) in groups)
        {
            svg.Append(Text(labelWidth - 8, y + arms.Count * barHeight / 2.0 + 4, label, "end"));
            foreach (var arm in arms)
            {
                var n = counts.GetValueOrDefault(arm);
                var w = n * (double)plot / max;
                svg.Append(Invariant($"<rect class=\"bar-{Html.Encode(arm)}\" x=\"{labelWidth}\" y=\"{y}\" width=\"{w:0.#}\" height=\"{barHeight - 2}\"><title>{Html.Encode(label)}, {Html.Encode(arm)}: {n}</title></rect>"));
                svg.Append(Text(labelWidth + w + 4, y + barHeight - 5, n.ToString(CultureInfo.InvariantCulture), "start"));
                y += barHeight;
            }

            y += gap;
        }

        svg.Append(Invariant($"<line class=\"axis\" x1=\"{labelWidth}\" y1=\"{top - 4}\" x2=\"{labelWidth}\" y2=\"{height - 8}\"/>"));
        return Close(svg);
    }

    /// <summary>Vertical bars of one series (e.g. randomized per month), optionally against a target per bar.</summary>
    public static IHtmlContent Columns(string title, IReadOnlyList<(string Label, int Value, int? Target)> columns)
    {
        const int width = 460, height = 220, left = 36, bottom = 36, top = 16;
        var max = Math.Max(1, columns.Select(c => Math.Max(c.Value, c.Target ?? 0)).DefaultIfEmpty(0).Max());
        var plotHeight = height - bottom - top;
        var slot = columns.Count == 0 ? 0 : (double)(width - left - 10) / columns.Count;
        var barWidth = Math.Min(48, slot * 0.6);
        var svg = Open(width, height, title);
        svg.Append(Invariant($"<line class=\"axis\" x1=\"{left}\" y1=\"{height - bottom}\" x2=\"{width - 5}\" y2=\"{height - bottom}\"/>"));
        svg.Append(Text(left - 6, top + 4, max.ToString(CultureInfo.InvariantCulture), "end"));
        svg.Append(Text(left - 6, height - bottom, "0", "end"));
        for (var i = 0; i < columns.Count; i++)
        {
            var (label, value, target) = columns[i];
            var x = left + i * slot + (slot - barWidth) / 2;
            if (target is { } t)
            {
                var th = t * (double)plotHeight / max;
                svg.Append(Invariant($"<rect class=\"bar-target\" x=\"{x - 4:0.#}\" y=\"{height - bottom - th:0.#}\" width=\"{barWidth + 8:0.#}\" height=\"{th:0.#}\"><title>{Html.Encode(label)} target: {t}</title></rect>"));
            }

            var h = value * (double)plotHeight / max;
            svg.Append(Invariant($"<rect class=\"bar-total\" x=\"{x:0.#}\" y=\"{height - bottom - h:0.#}\" width=\"{barWidth:0.#}\" height=\"{h:0.#}\"><title>{Html.Encode(label)}: {value}</title></rect>"));
            svg.Append(Text(x + barWidth / 2, height - bottom - h - 4, value.ToString(CultureInfo.InvariantCulture), "middle"));
            svg.Append(Text(x + barWidth / 2, height - bottom + 16, label, "middle"));
        }

        return Close(svg);
    }

    /// <summary>Horizontal bars of one value each (e.g. an imbalance percentile per stratum), with an optional reference line.</summary>
    public static IHtmlContent ValueBars(string title, IReadOnlyList<(string Label, double Value)> bars, string format = "0.##", double? reference = null, string? referenceLabel = null)
    {
        const int labelWidth = 170, width = 560, barHeight = 20, top = 22;
        var max = Math.Max(1e-9, bars.Select(b => b.Value).Append(reference ?? 0).DefaultIfEmpty(0).Max());
        var plot = width - labelWidth - 60;
        var height = top + bars.Count * (barHeight + 6) + 10;
        var svg = Open(width, height, title);
        var y = top;
        foreach (var (label, value) in bars)
        {
            var w = value / max * plot;
            var text = value.ToString(format, CultureInfo.InvariantCulture);
            svg.Append(Text(labelWidth - 8, y + barHeight - 6, label, "end"));
            svg.Append(Invariant($"<rect class=\"bar-total\" x=\"{labelWidth}\" y=\"{y}\" width=\"{w:0.#}\" height=\"{barHeight}\"><title>{Html.Encode(label)}: {text}</title></rect>"));
            svg.Append(Text(labelWidth + w + 4, y + barHeight - 6, text, "start"));
            y += barHeight + 6;
        }

        if (reference is { } r)
        {
            var x = labelWidth + r / max * plot;
            svg.Append(Invariant($"<line class=\"reference\" x1=\"{x:0.#}\" y1=\"{top - 6}\" x2=\"{x:0.#}\" y2=\"{height - 4}\"/>"));
            svg.Append(Text(x, top - 9, referenceLabel ?? r.ToString(format, CultureInfo.InvariantCulture), "middle"));
        }

        svg.Append(Invariant($"<line class=\"axis\" x1=\"{labelWidth}\" y1=\"{top - 4}\" x2=\"{labelWidth}\" y2=\"{height - 4}\"/>"));
        return Close(svg);
    }

    /// <summary>The CONSORT 2025 flow: enrolment, exclusions, allocation by arm, follow-up and analysis.</summary>
    public static IHtmlContent Consort(ConsortView c, IReadOnlyList<string> arms)
    {
        const int width = 720, boxHeight = 58;
        var armWidth = Math.Min(300, (width - 40) / Math.Max(1, arms.Count) - 20);
        var reasons = c.Excluded.Reasons.Where(r => r.Value > 0).ToList();
        var waiting = Waiting(c);
        var exLineCount = 1 + reasons.Count + (c.AwaitingRandomization > 0 ? 1 : 0) + waiting.Count;
        var height = 10 + boxHeight + 24 + (22 + 16 * exLineCount) + 22 + 3 * (boxHeight + 36) + boxHeight + 12;
        var svg = Open(width, height, $"CONSORT flow: {c.Assessed} assessed, {c.Excluded.Total} excluded, {c.Randomized} randomized");
        svg.Append("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path class=\"arrowhead\" d=\"M0,0 L10,5 L0,10 z\"/></marker></defs>");

        var cx = 200;
        Box(svg, cx - 140, 10, 280, boxHeight, "Assessed for eligibility", $"n = {c.Assessed}");
        var exY = 10 + boxHeight + 24;
        var exLines = new List<string> { $"Excluded before randomization (n = {c.Excluded.Total})" };
        exLines.AddRange(reasons.Select(r => $"• {r.Key}: {r.Value}"));
        if (c.AwaitingRandomization > 0)
        {
            exLines.Add($"Still in screening, consent or formulation: {c.AwaitingRandomization}");
            exLines.AddRange(waiting.Select(w => $"– {w}"));
        }

        var exHeight = 22 + 16 * exLines.Count;
        BoxLines(svg, cx + 60, exY, 360, exHeight, exLines, "box-excluded");
        svg.Append(Invariant($"<path class=\"flow\" d=\"M{cx},{10 + boxHeight} V{exY + exHeight + 20}\"/>"));
        svg.Append(Invariant($"<path class=\"flow\" d=\"M{cx},{exY + exHeight / 2} H{cx + 58}\"/>"));

        var rY = exY + exHeight + 22;
        Box(svg, cx - 140, rY, 280, boxHeight, "Randomized", $"n = {c.Randomized}");
        var armY = rY + boxHeight + 36;
        var spacing = (width - 20) / Math.Max(1, arms.Count);
        for (var i = 0; i < arms.Count; i++)
        {
            var arm = arms[i];
            var x = 10 + i * spacing + (spacing - armWidth) / 2;
            var mid = x + armWidth / 2;
            svg.Append(Invariant($"<path class=\"flow\" d=\"M{cx},{rY + boxHeight} V{rY + boxHeight + 16} H{mid} V{armY - 2}\"/>"));
            Box(svg, x, armY, armWidth, boxHeight, $"Allocated to {arm}", $"n = {c.Allocated.GetValueOrDefault(arm)}");
            var fy = armY + boxHeight + 36;
            svg.Append(Invariant($"<path class=\"flow\" d=\"M{mid},{armY + boxHeight} V{fy - 2}\"/>"));
            Box(svg, x, fy, armWidth, boxHeight, "Withdrawn after allocation", $"n = {c.Withdrawn.GetValueOrDefault(arm)}");
            var cy = fy + boxHeight + 36;
            svg.Append(Invariant($"<path class=\"flow\" d=\"M{mid},{fy + boxHeight} V{cy - 2}\"/>"));
            Box(svg, x, cy, armWidth, boxHeight, "Completed", $"n = {c.Completed.GetValueOrDefault(arm)}");
        }

        return Close(svg);
    }

    /// <summary>
    /// The formulation steps a case waits in before randomization (issue 15: "cases waiting for a second rating or
    /// consensus appear as such"); pooled counts, never by arm.
    /// </summary>
    public static IReadOnlyList<string> Waiting(ConsortView c) =>
    [
        .. c.Formulation.PendingSecondRating > 0 ? [$"of them waiting for a second rating: {c.Formulation.PendingSecondRating}"] : Array.Empty<string>(),
        .. c.Formulation.PendingConsensus > 0 ? [$"of them waiting for a consensus rating: {c.Formulation.PendingConsensus}"] : Array.Empty<string>(),
    ];

    private static void Box(StringBuilder svg, int x, int y, int w, int h, string title, string count)
    {
        svg.Append(Invariant($"<rect class=\"box\" x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" rx=\"4\"/>"));
        svg.Append(Text(x + w / 2.0, y + 22, title, "middle", "title"));
        svg.Append(Text(x + w / 2.0, y + 42, count, "middle"));
    }

    private static void BoxLines(StringBuilder svg, int x, int y, int w, int h, List<string> lines, string cssClass)
    {
        svg.Append(Invariant($"<rect class=\"box {cssClass}\" x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" rx=\"4\"/>"));
        for (var i = 0; i < lines.Count; i++)
        {
            svg.Append(Text(x + 12, y + 20 + 16 * i, lines[i], "start", i == 0 ? "title" : null));
        }
    }

    private static StringBuilder Open(int width, int height, string title)
    {
        var svg = new StringBuilder();
        var id = "c" + Guid.NewGuid().ToString("N")[..8];
        svg.Append(Invariant($"<svg class=\"chart\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-labelledby=\"{id}\" xmlns=\"http://www.w3.org/2000/svg\"><title id=\"{id}\">{Html.Encode(title)}</title>"));
        return svg;
    }

    private static HtmlString Close(StringBuilder svg) => new(svg.Append("</svg>").ToString());

    private static string Text(double x, double y, string text, string anchor, string? cssClass = null) =>
        Invariant($"<text x=\"{x:0.#}\" y=\"{y:0.#}\" text-anchor=\"{anchor}\"{(cssClass is null ? "" : $" class=\"{cssClass}\"")}>{Html.Encode(text)}</text>");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
