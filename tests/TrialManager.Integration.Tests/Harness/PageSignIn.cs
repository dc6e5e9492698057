using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;

namespace TrialManager.Integration.Tests.Harness;

/// <summary>
/// The sign-in form as a browser posts it (antiforgery token and cookie included), over plain HTTP, with cookies
/// carried by hand so a session cookie can outlive the server that issued it.
/// </summary>
public static partial class PageSignIn
{
    public const string SessionCookie = "trialmanager.session";

    /// <summary>A client that follows no redirect and keeps no cookie; optionally from a chosen client address.</summary>
    public static HttpClient Client(TrialServer server, string? address = null)
    {
        var client = server.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        if (address is not null)
        {
            client.DefaultRequestHeaders.Add(SecurityTestSettings.ClientAddressHeader, address);
        }

        return client;
    }

    /// <summary>Posts the form once with <paramref name="key"/>; the answer is the server's, unfollowed.</summary>
    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, string key)
    {
        var form = await client.GetAsync("/signin");
        Assert.Equal(HttpStatusCode.OK, form.StatusCode);
        var html = await form.Content.ReadAsStringAsync();
        var token = TokenField().Match(html);
        Assert.True(token.Success, "The sign-in form carries no antiforgery token.");
        var cookies = form.Headers.TryGetValues("Set-Cookie", out var set) ? set.Select(c => c.Split(';')[0]).ToList() : [];

        using var request = new HttpRequestMessage(HttpMethod.Post, "/signin")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["apiKey"] = key,
                ["returnUrl"] = string.Empty,
                ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value),
            }),
        };
        if (cookies.Count > 0)
        {
            request.Headers.Add("Cookie", string.Join("; ", cookies));
        }

        return await client.SendAsync(request);
    }

    /// <summary>Signs in with a known key; returns the session cookie ("name=value") to send back.</summary>
    public static async Task<string> SessionAsync(HttpClient client, string key)
    {
        var response = await PostAsync(client, key);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return SessionCookieOf(response) ?? throw new InvalidOperationException("Signing in set no session cookie.");
    }

    /// <summary>The session cookie a response sets ("name=value"; the value is empty when it is deleted), or null.</summary>
    public static string? SessionCookieOf(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var set)
            ? set.Select(c => c.Split(';')[0]).LastOrDefault(c => c.StartsWith(SessionCookie + "=", StringComparison.Ordinal))
            : null;

    /// <summary>A browser-like client that keeps its cookies, signed in with <paramref name="key"/> through the form.</summary>
    public static async Task<HttpClient> SignedInClientAsync(TrialServer server, string key)
    {
        var client = server.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var form = await client.GetStringAsync(new Uri("/signin", UriKind.Relative));
        var token = TokenField().Match(form);
        Assert.True(token.Success, "The sign-in form carries no antiforgery token.");
        using var body = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["apiKey"] = key,
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value),
        });
        var signedIn = await client.PostAsync(new Uri("/signin", UriKind.Relative), body);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        return client;
    }

    /// <summary>GET of a page with the session cookie.</summary>
    public static async Task<HttpResponseMessage> GetAsync(HttpClient client, string path, string session)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Cookie", session);
        return await client.SendAsync(request);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}
