using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;

namespace TrialManager.Integration.Tests.Infrastructure;

/// <summary>A browser-like client of the server's pages: signs in with a key through the form and keeps the cookie.</summary>
public static partial class PageSession
{
    public static async Task<HttpClient> SignInAsync(TrialServer server, string apiKey)
    {
        var client = server.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var form = await client.GetStringAsync(new Uri("/signin", UriKind.Relative));
        var token = AntiforgeryToken().Match(form);
        Assert.True(token.Success, "The sign-in form carries no antiforgery token.");
        using var body = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["apiKey"] = apiKey,
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups["value"].Value),
        });
        var signedIn = await client.PostAsync(new Uri("/signin", UriKind.Relative), body);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        return client;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"(?<value>[^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
