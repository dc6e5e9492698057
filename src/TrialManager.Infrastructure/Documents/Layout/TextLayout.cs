using System.Collections.Concurrent;
using System.Text;
using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace TrialManager.Infrastructure.Documents.Layout;

/// <summary>A text style: size and weight; the font family follows the script of each run.</summary>
public sealed record TextStyle(double Size, bool Bold = false, bool Italic = false, bool Mono = false)
{
    public static readonly TextStyle Body = new(9.5);
    public static readonly TextStyle Small = new(7.5);
    public static readonly TextStyle Caption = new(8, Italic: true);
    public double LineHeight => Size * 1.32;
    public TextStyle WithBold(bool bold) => bold == Bold ? this : this with { Bold = bold };
    public TextStyle WithMono(bool mono) => mono == Mono ? this : this with { Mono = mono };
}

/// <summary>One piece of a wrapped line drawn with a single font.</summary>
internal readonly record struct Piece(string Text, XFont Font, double X, double Width);

internal sealed record TextLine(IReadOnlyList<Piece> Pieces, double Width);

/// <summary>Fonts, measuring and word wrapping for one rendering; not shared between threads.</summary>
internal sealed class TextShaper(XGraphics measure)
{
    private static readonly XPdfFontOptions Options = new(PdfFontEncoding.Unicode, PdfFontEmbedding.TryComputeSubset);
    // Fonts and word widths depend only on the font files, so they are shared by all renderings.
    private static readonly ConcurrentDictionary<(string Family, double Size, bool Bold, bool Italic), XFont> Fonts = new();
    private static readonly ConcurrentDictionary<(XFont, string), double> Widths = new();

    public XGraphics Measure { get; set; } = measure;

    public XFont Font(TextStyle style, bool cjk = false)
    {
        // Monospace runs (hashes) are set a little smaller so a SHA-256 fits a table cell.
        var key = (cjk ? DocumentFonts.Cjk : style.Mono ? DocumentFonts.Mono : DocumentFonts.Sans, style.Mono ? style.Size * 0.85 : style.Size, style.Bold, style.Italic);
        if (cjk && DocumentFonts.CjkFontPath is null)
        {
            throw new CjkFontMissingException();
        }

        return Fonts.GetOrAdd(key, static k =>
            new XFont(k.Family, k.Size, (k.Bold ? XFontStyleEx.Bold : 0) | (k.Italic ? XFontStyleEx.Italic : 0), Options));
    }

    public double Width(string text, XFont font)
    {
        if (!Widths.TryGetValue((font, text), out var width))
        {
            width = Measure.MeasureString(text, font).Width;
            if (Widths.Count > 200_000)
            {
                Widths.Clear(); // many distinct words (ids, numbers): start again rather than grow without bound
            }

            Widths[(font, text)] = width;
        }

        return width;
    }

    public static bool IsCjk(char c) =>
        c is (>= '\u2E80' and <= '\u9FFF') or (>= '\uAC00' and <= '\uD7AF') or (>= '\uF900' and <= '\uFAFF')
            or (>= '\uFF00' and <= '\uFFEF') || char.IsSurrogate(c);

    /// <summary>
    /// Wraps text into lines no wider than <paramref name="maxWidth"/>. Markup: <c>**bold**</c> and
    /// <c>`code`</c> (monospace, e.g. hashes); a no-break space keeps words together; <c>\n</c> breaks the line.
    /// </summary>
    public List<TextLine> Wrap(string markup, TextStyle style, double maxWidth)
    {
        var lines = new List<TextLine>();
        var words = new List<(string Text, XFont Font, bool SpaceBefore)>();
        var current = style;
        var start = 0;
        var spaceBefore = false;
        while (start <= markup.Length)
        {
            var next = markup.IndexOfAny(['*', '`'], start);
            while (next >= 0 && markup[next] == '*' && (next + 1 >= markup.Length || markup[next + 1] != '*'))
            {
                next = markup.IndexOfAny(['*', '`'], next + 1);
            }

            var end = next < 0 ? markup.Length : next;
            Tokenize(markup[start..end], current, words, ref spaceBefore);
            if (next < 0)
            {
                break;
            }

            current = markup[next] == '`' ? current.WithMono(!current.Mono) : current.WithBold(!current.Bold);
            start = next + (markup[next] == '`' ? 1 : 2);
        }

        var pieces = new List<Piece>();
        var text = new StringBuilder();
        double x = 0, pieceStart = 0;
        XFont? pieceFont = null;

        void Flush()
        {
            if (pieceFont is not null && text.Length > 0)
            {
                pieces.Add(new Piece(text.ToString(), pieceFont, pieceStart, x - pieceStart));
            }

            text.Clear();
            pieceFont = null;
        }

        void EndLine()
        {
            Flush();
            lines.Add(new TextLine([.. pieces], x));
            pieces.Clear();
            x = 0;
        }

        for (var w = 0; w < words.Count; w++)
        {
            var (word, font, hasSpace) = words[w];
            if (word == "\n")
            {
                EndLine();
                continue;
            }

            var space = hasSpace && x > 0 ? Width(" ", font) : 0;
            var width = Width(word, font);
            if (x > 0 && x + space + width > maxWidth)
            {
                EndLine();
                space = 0;
            }

            if (width > maxWidth && word.Length > 1)
            {
                // A word wider than the line (a long hash or identifier) is broken where it must be.
                var fit = word.Length - 1;
                while (fit > 1 && Width(word[..fit], font) > maxWidth - x - space)
                {
                    fit--;
                }

                words.Insert(w + 1, (word[fit..], font, false));
                word = word[..fit];
                width = Width(word, font);
            }

            if (!ReferenceEquals(font, pieceFont))
            {
                Flush();
                pieceFont = font;
                pieceStart = x;
            }

            if (space > 0)
            {
                text.Append(' ');
            }

            text.Append(word);
            x += space + width;
        }

        EndLine();
        return lines;
    }

    private static bool IsBreakingSpace(char c) => c is ' ' or '\t' or '\n' or '\r';

    private void Tokenize(string text, TextStyle style, List<(string, XFont, bool)> words, ref bool spaceBefore)
    {
        var latin = Font(style);
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var end = i == text.Length || IsBreakingSpace(text[i]) || IsCjk(text[i]);
            if (end && start >= 0)
            {
                words.Add((text[start..i], latin, spaceBefore));
                spaceBefore = false;
                start = -1;
            }

            if (i == text.Length)
            {
                break;
            }

            if (text[i] == '\n')
            {
                words.Add(("\n", latin, false));
                spaceBefore = false;
            }
            else if (IsBreakingSpace(text[i]))
            {
                spaceBefore = true;
            }
            else if (IsCjk(text[i]))
            {
                var length = char.IsHighSurrogate(text[i]) && i + 1 < text.Length ? 2 : 1;
                words.Add((text.Substring(i, length), Font(style, cjk: true), spaceBefore));
                spaceBefore = false;
                i += length - 1;
            }
            else if (start < 0)
            {
                start = i;
            }
        }
    }

    public static void Draw(XGraphics gfx, TextLine line, double x, double baseline, XBrush brush)
    {
        foreach (var piece in line.Pieces)
        {
            gfx.DrawString(piece.Text, piece.Font, brush, x + piece.X, baseline);
        }
    }
}
