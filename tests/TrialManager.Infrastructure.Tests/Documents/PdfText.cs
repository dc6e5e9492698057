using System.Text.RegularExpressions;
using UglyToad.PdfPig;

namespace TrialManager.Infrastructure.Tests.Documents;

/// <summary>Text of a rendered PDF as PdfPig reads it, page by page.</summary>
internal sealed class PdfText
{
    public PdfText(byte[] pdf)
    {
        using var document = PdfDocument.Open(pdf);
        Pages = [.. document.GetPages().Select(p => string.Join(' ', p.GetWords().Select(w => w.Text)).Replace('\u00A0', ' '))];
        Raw = [.. document.GetPages().Select(p => p.Text.Replace('\u00A0', ' '))];
        Title = document.Information.Title;
        Author = document.Information.Author;
        Subject = document.Information.Subject;
        CreationDate = document.Information.CreationDate;
    }

    /// <summary>Per page: the words PdfPig finds, joined by single spaces.</summary>
    public IReadOnlyList<string> Pages { get; }

    /// <summary>Per page: the letters in content order, with the spaces the PDF draws.</summary>
    public IReadOnlyList<string> Raw { get; }

    public string All => string.Join(' ', Pages);

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
        || string.Concat(Raw).Contains(text, StringComparison.Ordinal)
        || NoSpaces(string.Concat(Raw)).Contains(NoSpaces(text), StringComparison.Ordinal);

    private static string NoSpaces(string text) => string.Concat(text.Where(c => !char.IsWhiteSpace(c)));

    /// <summary>True when the number appears as a whole number, not as part of a longer one.</summary>
    public bool ContainsNumber(string number) => Regex.IsMatch(All, $@"(?<![\d.]){Regex.Escape(number)}(?![\d]|\.\d)");
}
