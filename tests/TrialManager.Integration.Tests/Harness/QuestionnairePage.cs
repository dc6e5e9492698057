using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;

namespace TrialManager.Integration.Tests.Harness;

/// <summary>The participant's questionnaire page (/q/{token}) as a phone's browser uses it, over plain HTTP.</summary>
public static partial class QuestionnairePage
{
    /// <summary>A browser that keeps its cookies and follows nothing.</summary>
    public static HttpClient Phone(TrialServer server) =>
        server.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>Opens the page, then posts its form as the browser would (antiforgery token included); answers by item id.</summary>
    public static async Task<(HttpResponseMessage Response, string Html)> AnswerAsync(HttpClient phone, string url, IReadOnlyDictionary<string, int> answers)
    {
        var page = await phone.GetAsync(new Uri(url, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        return await PostAsync(phone, url, await page.Content.ReadAsStringAsync(), answers);
    }

    /// <summary>Posts the form of a page already shown (<paramref name="html"/>), as pressing its button again does.</summary>
    public static async Task<(HttpResponseMessage Response, string Html)> PostAsync(HttpClient phone, string url, string html, IReadOnlyDictionary<string, int> answers)
    {
        var token = TokenField().Match(html);
        Assert.True(token.Success, "The questionnaire form carries no antiforgery token.");
        var fields = answers.ToDictionary(a => "item-" + a.Key, a => a.Value.ToString(CultureInfo.InvariantCulture));
        fields["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value);
        using var body = new FormUrlEncodedContent(fields);
        var response = await phone.PostAsync(new Uri(url, UriKind.Relative), body);
        return (response, WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()));
    }

    /// <summary>Answers 1..n in item order.</summary>
    public static Dictionary<string, int> Answers(params int[] answers) =>
        answers.Select((a, i) => (Key: (i + 1).ToString(CultureInfo.InvariantCulture), a)).ToDictionary(x => x.Key, x => x.a);

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}
