using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using TrialManager.Integration.Tests.Api;
using TrialManager.Integration.Tests.Documents;
using TrialManager.Integration.Tests.Harness;

namespace TrialManager.Integration.Tests.Exports;

/// <summary>
/// The statistician's exports page (/trials/{id}/exports) and GET /api/trials/{id}/freezes: the freezes with their
/// hashes, freezing through the form, and the downloads as plain links, streamed.
/// </summary>
public abstract partial class ExportPageTests(TrialServer server)
{
    private async Task<string> TrialWithAParticipantAsync()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        await DocumentSupport.RandomizedParticipantAsync(server, trialId);
        return trialId;
    }

    private async Task<List<JsonElement>> FreezesAsync(string trialId, string query = "")
    {
        var response = await server.Statistician.GetAsync($"/api/trials/{trialId}/freezes{query}");
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, response);
        return [.. (await response.JsonAsync()).EnumerateArray()];
    }

    private static string Token(string html) => WebUtility.HtmlDecode(TokenField().Match(html).Groups[1].Value);

    private static async Task<HttpResponseMessage> PostFreezeAsync(HttpClient pages, string trialId, string html)
    {
        using var body = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = Token(html) });
        return await pages.PostAsync(new Uri($"/trials/{trialId}/exports?handler=Freeze", UriKind.Relative), body);
    }

    [ServerFact]
    public async Task Freezes_AreListedNewestFirst_WithHashAndWhoFroze_Paged()
    {
        var trialId = await TrialWithAParticipantAsync();
        Assert.Empty(await FreezesAsync(trialId));
        var made = new List<JsonElement>();
        for (var i = 0; i < 2; i++)
        {
            var frozen = await server.Statistician.PostJsonAsync($"/api/trials/{trialId}/freezes", null);
            await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, frozen);
            made.Add(await frozen.JsonAsync());
        }

        var all = await FreezesAsync(trialId);
        Assert.Equal([.. made.Select(f => f.GetProperty("id").GetString()).Reverse()], all.Select(f => f.GetProperty("id").GetString()));
        var newest = all[0];
        Assert.Equal(["id", "frozenAt", "sha256", "frozenBy"], newest.EnumerateObject().Select(p => p.Name));
        Assert.Equal(made[1].GetProperty("sha256").GetString(), newest.GetProperty("sha256").GetString());
        Assert.Equal(made[1].GetProperty("frozenAt").GetDateTimeOffset(), newest.GetProperty("frozenAt").GetDateTimeOffset());
        Assert.Equal("dev-statistician", newest.GetProperty("frozenBy").GetString());

        // Paged as every list: one at a time, the Link header to the older one.
        var first = await server.Statistician.GetAsync($"/api/trials/{trialId}/freezes?limit=1");
        var next = first.Headers.GetValues("Link").Single();
        Assert.Equal(made[1].GetProperty("id").GetString(), (await first.JsonAsync())[0].GetProperty("id").GetString());
        var url = Regex.Match(next, "<([^>]+)>").Groups[1].Value;
        var second = await (await server.Statistician.GetAsync(new Uri(url).PathAndQuery)).JsonAsync();
        Assert.Equal(made[0].GetProperty("id").GetString(), Assert.Single(second.EnumerateArray()).GetProperty("id").GetString());

        Assert.Equal(HttpStatusCode.NotFound, (await server.Statistician.GetAsync("/api/trials/no-such-trial/freezes")).StatusCode);
        (await ProblemAssertions.Assert400Async(await server.Statistician.GetAsync($"/api/trials/{trialId}/freezes?after=bogus"))).AssertNames("after");
    }

    [ServerFact]
    public async Task Page_ListsAFreezeMadeOverTheApi_WithItsHash_TheFormFreezesAudited_AndTheDownloadsAnswerZipXmlAndHtml()
    {
        var trialId = await TrialWithAParticipantAsync();
        var api = await (await server.Statistician.PostJsonAsync($"/api/trials/{trialId}/freezes", null)).JsonAsync();
        var apiId = api.GetProperty("id").GetString()!;
        var apiSha = api.GetProperty("sha256").GetString()!;

        var pages = await PageSignIn.SignedInClientAsync(server, "dev-statistician");
        Assert.Contains($"href=\"/trials/{trialId}/exports\"", await pages.GetStringAsync(new Uri($"/trials/{trialId}/statistics", UriKind.Relative)), StringComparison.Ordinal);
        var page = await pages.GetStringAsync(new Uri($"/trials/{trialId}/exports", UriKind.Relative));
        Assert.Contains(apiId, page, StringComparison.Ordinal);
        Assert.Contains($"<code>{apiSha}</code>", page, StringComparison.Ordinal);

        // The freeze's download on the page is the freeze's zip, byte for byte.
        var frozenZip = await pages.GetAsync(new Uri($"/trials/{trialId}/exports?handler=Frozen&freezeId={apiId}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, frozenZip.StatusCode);
        Assert.Equal("application/zip", frozenZip.Content.Headers.ContentType?.MediaType);
        Assert.Equal(apiSha, ExportZip.Sha256(await frozenZip.Content.ReadAsByteArrayAsync()));
        Assert.Equal(HttpStatusCode.NotFound, (await pages.GetAsync(new Uri($"/trials/{trialId}/exports?handler=Frozen&freezeId={Guid.NewGuid()}", UriKind.Relative))).StatusCode);

        // The form freezes through the API's command: the page then shows the new freeze's id and hash, as the list and the audit trail do.
        var posted = await PostFreezeAsync(pages, trialId, page);
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        var freezes = await FreezesAsync(trialId);
        Assert.Equal(2, freezes.Count);
        var made = freezes[0];
        var madeId = made.GetProperty("id").GetString()!;
        var madeSha = made.GetProperty("sha256").GetString()!;
        Assert.NotEqual(apiId, madeId);
        var after = await pages.GetStringAsync(new Uri($"/trials/{trialId}/exports", UriKind.Relative));
        Assert.Matches($"role=\"status\">[^<]*freeze {madeId}, SHA-256 {madeSha}", after);
        Assert.Contains($"<code>{madeSha}</code>", after, StringComparison.Ordinal);
        var trail = await (await server.Admin.GetAsync($"/api/audit?trialId={trialId}&limit=1000")).Content.ReadAsStringAsync();
        Assert.Contains(madeSha, trail, StringComparison.Ordinal);
        Assert.Contains("FreezeTrial", trail, StringComparison.Ordinal);

        // Without the antiforgery token the form is refused and nothing is frozen.
        using (var bare = new FormUrlEncodedContent(new Dictionary<string, string>()))
        {
            var refused = await pages.PostAsync(new Uri($"/trials/{trialId}/exports?handler=Freeze", UriKind.Relative), bare);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        }

        Assert.Equal(2, (await FreezesAsync(trialId)).Count);

        // The live zip is streamed: no Content-Length, so a browser shows the size received while a large trial exports.
        var zipResponse = await pages.GetAsync(new Uri($"/trials/{trialId}/exports?handler=Export", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, zipResponse.StatusCode);
        Assert.Equal("application/zip", zipResponse.Content.Headers.ContentType?.MediaType);
        Assert.Null(zipResponse.Content.Headers.ContentLength);
        var zip = new ExportZip(await zipResponse.Content.ReadAsByteArrayAsync());
        foreach (var path in new[] { $"/api/trials/{trialId}/export", $"/api/trials/{trialId}/export?format=odm" })
        {
            using var apiResponse = await server.Statistician.GetAsync(new Uri(path, UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, apiResponse.StatusCode);
            Assert.Null(apiResponse.Content.Headers.ContentLength);
        }

        Assert.Single(zip.Csv("participants.csv").Rows);

        // The codebook alone is the zip's codebook.html, byte for byte, without the rest.
        var codebook = await pages.GetAsync(new Uri($"/trials/{trialId}/exports?handler=Codebook", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, codebook.StatusCode);
        Assert.Equal("text/html", codebook.Content.Headers.ContentType?.MediaType);
        Assert.Equal(zip.Entries["codebook.html"], await codebook.Content.ReadAsByteArrayAsync());

        var odm = await pages.GetAsync(new Uri($"/trials/{trialId}/exports?handler=Odm", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, odm.StatusCode);
        Assert.Equal("application/xml", odm.Content.Headers.ContentType?.MediaType);
        Assert.Null(odm.Content.Headers.ContentLength);
        var document = XDocument.Parse(await odm.Content.ReadAsStringAsync());
        Assert.Equal("ODM", document.Root!.Name.LocalName);

        foreach (var handler in new[] { "", "?handler=Export", "?handler=Odm", "?handler=Codebook" })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await pages.GetAsync(new Uri($"/trials/no-such-trial/exports{handler}", UriKind.Relative))).StatusCode);
        }
    }

    [ServerFact]
    public async Task OtherRoles_GetThePagesDenial_OnThePage_ItsDownloads_AndTheFreezeForm()
    {
        var trialId = await TrialWithAParticipantAsync();
        var api = await (await server.Statistician.PostJsonAsync($"/api/trials/{trialId}/freezes", null)).JsonAsync();
        var freezeId = api.GetProperty("id").GetString();
        foreach (var key in new[] { "dev-coordinator", "dev-ethics", "dev-admin", "dev-rater", "dev-therapist" })
        {
            var pages = await PageSignIn.SignedInClientAsync(server, key);
            foreach (var path in new[] { "", "?handler=Export", "?handler=Odm", "?handler=Codebook", $"?handler=Frozen&freezeId={freezeId}" })
            {
                AssertDenied(await pages.GetAsync(new Uri($"/trials/{trialId}/exports{path}", UriKind.Relative)), key, path);
            }

            // With a valid antiforgery token of this session (from a page the role may open): still denied, nothing frozen.
            var trials = await pages.GetStringAsync(new Uri("/trials", UriKind.Relative));
            AssertDenied(await PostFreezeAsync(pages, trialId, trials), key, "POST ?handler=Freeze");
        }

        Assert.Single(await FreezesAsync(trialId));

        static void AssertDenied(HttpResponseMessage response, string key, string path)
        {
            Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"{key} {path}: {response.StatusCode}");
            var location = response.Headers.Location!;
            Assert.StartsWith("/denied", location.IsAbsoluteUri ? location.AbsolutePath : location.OriginalString, StringComparison.Ordinal);
        }
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}

[Collection(SqliteServerCollection.Name)]
public sealed class ExportPageTests_Sqlite(SqliteTrialServer server) : ExportPageTests(server);

[Collection(PostgresServerCollection.Name)]
public sealed class ExportPageTests_Postgres(PostgresTrialServer server) : ExportPageTests(server), IRunsOnPostgres;
