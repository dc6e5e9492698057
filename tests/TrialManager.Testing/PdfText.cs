using System.Text.RegularExpressions;
using UglyToad.PdfPig;

namespace TrialManager.Testing;

/// <summary>Text of a PDF (rendered in process or served by the server) as PdfPig reads it, page by page.</summary>
public sealed class PdfText
{
    public PdfText(byte[] pdf)
    {
        using var document = PdfDocument.Open(pdf);
        PageCount = document.NumberOfPages;
        Pages = [.. document.GetPages().Select(p => string.Join(' ', p.GetWords().Select(w => w.Text)).Replace('\u00A0', ' '))];
        RawPages = [.. document.GetPages().Select(p => p.Text.Replace('\u00A0', ' '))];
        Title = document.Information.Title;
        Author = document.Information.Author;
        Subject = document.Information.Subject;
        CreationDate = document.Information.CreationDate;
    }

    public int PageCount { get; }

    /// <summary>Per page: the words PdfPig finds, joined by single spaces.</summary>
    public IReadOnlyList<string> Pages { get; }

    /// <summary>Per page: the letters in content order, with the spaces the PDF draws.</summary>
    public IReadOnlyList<string> RawPages { get; }

    /// <summary>The words of every page, joined by single spaces.</summary>
    public string All => string.Join(' ', Pages);

    /// <summary>The letters of every page in content order.</summary>
    public string Raw => string.Concat(RawPages);

    public string? Title { get; }
    public string? Author { get; }
    public string? Subject { get; }
    public string? CreationDate { get; }

    /// <summary>
    /// True when the text appears on a page, as drawn or as PdfPig's words. Text that wraps onto a
    /// second line inside a box or cell is still found: whitespace is ignored as a last resort.
    /// </summary>
    public bool Contains(string text) =>
        All.Contains(text, StringComparison.Ordinal)
        || Raw.Contains(text, StringComparison.Ordinal)
        || NoSpaces(Raw).Contains(NoSpaces(text), StringComparison.Ordinal);

    private static string NoSpaces(string text) => string.Concat(text.Where(c => !char.IsWhiteSpace(c)));

    /// <summary>True when the number appears as a whole number, not as part of a longer one.</summary>
    public bool ContainsNumber(string number) => Regex.IsMatch(All, $@"(?<![\d.]){Regex.Escape(number)}(?![\d]|\.\d)");
}
