using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Html;

namespace TrialManager.Server.Pages.Shared;

/// <summary>Small HTML pieces the pages repeat: a field's error list, and the ids that tie it to its input.</summary>
public static class FormHtml
{
    public static string ErrorId(string field) => "err-" + field.Replace('.', '-');

    /// <summary>The errors of one field, announced to screen readers, or nothing.</summary>
    public static IHtmlContent FieldErrors(TrialPageModel page, string field)
    {
        var errors = page.ErrorsFor(field);
        if (errors.Count == 0)
        {
            return HtmlString.Empty;
        }

        var html = HtmlEncoder.Default;
        var items = string.Concat(errors.Select(e => $"<li>{html.Encode(e)}</li>"));
        return new HtmlString($"<ul class=\"field-error\" id=\"{ErrorId(field)}\" role=\"alert\">{items}</ul>");
    }

    /// <summary>aria attributes for an input whose field may have errors.</summary>
    public static IHtmlContent Aria(TrialPageModel page, string field) =>
        page.ErrorsFor(field).Count == 0
            ? HtmlString.Empty
            : new HtmlString($"aria-invalid=\"true\" aria-describedby=\"{ErrorId(field)}\"");
}
