using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using TrialManager.Domain.Documents;
using TrialManager.Integration.Tests.Api;
using TrialManager.Integration.Tests.Harness;
using TrialManager.Integration.Tests.Security;
using TrialManager.Server.Features.Documents;
using static TrialManager.Integration.Tests.Documents.DocumentSupport;

namespace TrialManager.Integration.Tests.Documents;

/// <summary>
/// Issue 17, signatures: the report's audience signs a ready report by re-entering their key (or with a fresh token);
/// the content and its hash never change; the PDF gains a page per signature; the API verifies a PDF it is sent.
/// </summary>
public abstract class ReportSignatureTests(TrialServer server)
{
    private async Task<(string ReportId, string Sha256, byte[] Content)> ReadyReportAsync()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        await DocumentSupport.RandomizedParticipantAsync(server, trialId);
        var requested = await server.Ethics.PostJsonAsync($"/api/trials/{trialId}/reports", new { kind = "ethicsProgress" });
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Accepted, requested);
        var report = await WaitForReportAsync(server.Ethics, requested.Headers.Location!, TimeSpan.FromSeconds(120));
        Assert.Equal("ready", report.GetProperty("status").GetString());
        var id = report.GetProperty("id").GetString()!;
        return (id, report.GetProperty("sha256").GetString()!, await PdfAsync(id));
    }

    private async Task<byte[]> PdfAsync(string reportId)
    {
        var response = await server.Ethics.GetAsync($"/api/reports/{reportId}/pdf");
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, response);
        return await response.Content.ReadAsByteArrayAsync();
    }

    private async Task<JsonElement> VerifyAsync(HttpClient client, byte[] pdf)
    {
        using var content = new ByteArrayContent(pdf);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
        var response = await client.PostAsync("/api/reports/verification", content);
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, response);
        return await response.JsonAsync();
    }

    private HttpClient Bearer(string token)
    {
        var client = server.Client(null);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    [ServerFact]
    public async Task Sign_ByEthicsWithTheirOwnKey_KeepsTheContentAndItsHash_AndThePdfGainsASignaturePageThatVerifies()
    {
        var (reportId, sha256, content) = await ReadyReportAsync();
        Assert.Equal(sha256, Sha256(content));

        var signed = await server.Ethics.PostJsonAsync($"/api/reports/{reportId}/signatures", new { meaning = "approved", key = "dev-ethics" });
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, signed);
        var signature = await signed.JsonAsync();
        Assert.Equal(("dev-ethics", "ethics", "approved", sha256),
            (signature.GetProperty("signer").GetString(), signature.GetProperty("role").GetString(), signature.GetProperty("meaning").GetString(),
                signature.GetProperty("contentSha256").GetString()));
        var signedAt = signature.GetProperty("signedAt").GetDateTimeOffset();

        // The report keeps its hash; the PDF is the content's pages, then one signature page per signature.
        var report = await (await server.Ethics.GetAsync($"/api/reports/{reportId}")).JsonAsync();
        Assert.Equal(sha256, report.GetProperty("sha256").GetString());
        var once = await PdfAsync(reportId);
        var contentText = new PdfText(content);
        var onceText = new PdfText(once);
        Assert.Equal(contentText.PageCount + 1, onceText.PageCount);
        Assert.Equal(contentText.Pages, onceText.Pages.Take(contentText.PageCount));
        var page = onceText.Pages[^1];
        foreach (var text in new[] { "dev-ethics", "ethics", "approved", sha256, signedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) + " UTC" })
        {
            Assert.True(page.Replace(" ", string.Empty, StringComparison.Ordinal).Contains(text.Replace(" ", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal),
                $"The signature page lacks '{text}': {page}");
        }

        // Served again, the same bytes: a signed copy is recognisable.
        Assert.Equal(Sha256(once), Sha256(await PdfAsync(reportId)));

        // A second signature, a second page; the copy with one signature still verifies, as what it was.
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created,
            await server.Ethics.PostJsonAsync($"/api/reports/{reportId}/signatures", new { meaning = "reviewed", key = "dev-ethics" }));
        var twice = await PdfAsync(reportId);
        Assert.Equal(contentText.PageCount + 2, new PdfText(twice).PageCount);

        var ofContent = await VerifyAsync(server.Admin, content);
        Assert.True(ofContent.GetProperty("matches").GetBoolean());
        Assert.False(ofContent.GetProperty("signedCopy").GetBoolean());
        Assert.Equal(reportId, ofContent.GetProperty("report").GetProperty("id").GetString());
        Assert.Equal(2, ofContent.GetProperty("signatures").GetArrayLength());

        var ofOnce = await VerifyAsync(server.Ethics, once);
        Assert.True(ofOnce.GetProperty("matches").GetBoolean(), ofOnce.GetRawText());
        Assert.True(ofOnce.GetProperty("signedCopy").GetBoolean());
        Assert.Equal(sha256, ofOnce.GetProperty("report").GetProperty("sha256").GetString());
        var signer = Assert.Single(ofOnce.GetProperty("signatures").EnumerateArray());
        Assert.Equal(("dev-ethics", "ethics", "approved"), (signer.GetProperty("signer").GetString(), signer.GetProperty("role").GetString(), signer.GetProperty("meaning").GetString()));

        var ofTwice = await VerifyAsync(server.Client("dev-dsmb"), twice);
        Assert.True(ofTwice.GetProperty("matches").GetBoolean());
        Assert.Equal(["approved", "reviewed"], ofTwice.GetProperty("signatures").EnumerateArray().Select(s => s.GetProperty("meaning").GetString()));

        // One byte changed in the content's pages: it names the report's content but is not it.
        var tampered = (byte[])once.Clone();
        var at = Array.IndexOf(tampered, (byte)'T', tampered.Length / 3);
        tampered[at] = (byte)'X';
        var ofTampered = await VerifyAsync(server.Ethics, tampered);
        Assert.False(ofTampered.GetProperty("matches").GetBoolean());
        Assert.Equal(JsonValueKind.Null, ofTampered.GetProperty("report").ValueKind);
        Assert.Empty(ofTampered.GetProperty("signatures").EnumerateArray());

        var notAPdf = await server.Ethics.PostJsonAsync("/api/reports/verification", new { pdf = "no" });
        (await ProblemAssertions.Assert400Async(notAPdf)).AssertNames("body");
    }

    [ServerFact]
    public async Task Signature_IsAuditedUnderTheReportsTrial_SoATrialFilteredTrailShowsIt()
    {
        var (reportId, _, _) = await ReadyReportAsync();
        var trialId = (await (await server.Ethics.GetAsync($"/api/reports/{reportId}")).JsonAsync()).GetProperty("trialId").GetString()!;
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created,
            await server.Ethics.PostJsonAsync($"/api/reports/{reportId}/signatures", new { meaning = "reviewed", key = "dev-ethics" }));

        var trail = await (await server.Admin.GetAsync($"/api/audit?trialId={trialId}&limit=1000")).JsonAsync();
        var signed = Assert.Single(trail.EnumerateArray(), e => e.GetProperty("action").GetString() == nameof(SignReport));
        Assert.Equal(trialId, signed.GetProperty("trialId").GetString());
    }

    [ServerFact]
    public async Task Sign_WithAWrongKeyOrAnotherRole_IsRefused_SignsNothing_AndTheWrongKeyIsAudited()
    {
        var (reportId, _, _) = await ReadyReportAsync();
        var before = await server.WithDbAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.SingleAsync(db.AuditChainHeads.Select(h => h.LastSequence)));

        var wrongKey = await server.Client(SecurityTestSettings.DenialProbeKey).PostJsonAsync($"/api/reports/{reportId}/signatures", new { meaning = "approved", key = "dev-ethics" });
        Assert.Equal(HttpStatusCode.Forbidden, wrongKey.StatusCode);
        Assert.Contains("not your own key", (await wrongKey.JsonAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);

        var noKey = await server.Ethics.PostJsonAsync($"/api/reports/{reportId}/signatures", new { meaning = "approved" });
        (await ProblemAssertions.Assert400Async(noKey)).AssertNames("key");
        var badMeaning = await server.Ethics.PostJsonAsync($"/api/reports/{reportId}/signatures", new { meaning = "agreed", key = "dev-ethics" });
        (await ProblemAssertions.Assert400Async(badMeaning)).AssertNames("meaning");

        // The DSMB signs its own reports, not the ethics board's.
        var dsmb = await server.Client("dev-dsmb").PostJsonAsync($"/api/reports/{reportId}/signatures", new { meaning = "reviewed", key = "dev-dsmb" });
        Assert.Equal(HttpStatusCode.Forbidden, dsmb.StatusCode);
        Assert.Contains("ethics", (await dsmb.JsonAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Ethics.PostJsonAsync($"/api/reports/{Guid.NewGuid()}/signatures", new { meaning = "reviewed", key = "dev-ethics" })).StatusCode);
        Assert.Empty(await server.WithDbAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToListAsync(db.ReportSignatures.Where(s => s.ReportId == Guid.Parse(reportId)))));

        // The refused key is on the trail, as a denial of the signature route (counted per window, written when it closes).
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var denial = (await TrailAfterAsync(before)).Where(e => e.GetProperty("sequence").GetInt64() > before && e.GetProperty("action").GetString() == "permissionDenied"
                    && e.GetProperty("actor").GetString() == SecurityTestSettings.DenialProbeName)
                .Select(e => e.GetProperty("changes").GetString()!)
                .FirstOrDefault(c => c.Contains("signatureKey", StringComparison.Ordinal));
            if (denial is not null)
            {
                Assert.Contains("/api/reports/{reportId:guid}/signatures", denial, StringComparison.Ordinal);
                Assert.DoesNotContain("dev-ethics", denial, StringComparison.Ordinal);
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, "The refused signature was not audited within 30 s.");
            await Task.Delay(200);
        }
    }

    [ServerFact]
    public async Task Sign_WithABearerToken_IssuedMinutesAgo_NeedsNoKey_AndAnOlderOne_IsAskedForAFreshSignIn()
    {
        var (reportId, _, _) = await ReadyReportAsync();
        var path = $"/api/reports/{reportId}/signatures";

        // The test tokens are issued 20 minutes before they expire: one expiring in 20 minutes was issued now.
        var stale = await Bearer(JwtBearerTests.Token("ethics", subject: "jwt-ethics")).PostJsonAsync(path, new { meaning = "reviewed" });
        Assert.Equal(HttpStatusCode.Unauthorized, stale.StatusCode);
        Assert.Contains("insufficient_user_authentication", stale.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Contains("sign in again", (await stale.JsonAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);

        var fresh = Bearer(JwtBearerTests.Token("ethics", subject: "jwt-ethics", expires: DateTime.UtcNow.AddMinutes(20)));
        (await ProblemAssertions.Assert400Async(await fresh.PostJsonAsync(path, new { meaning = "reviewed", key = "dev-ethics" }))).AssertNames("key");
        var signed = await fresh.PostJsonAsync(path, new { meaning = "reviewed" });
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, signed);
        Assert.Equal("jwt-ethics", (await signed.JsonAsync()).GetProperty("signer").GetString());
    }

    [ServerFact]
    public async Task Sign_AReportThatIsNotReady_IsAConflictNamingItsStatus()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        var reportId = Guid.NewGuid();
        await server.WithDbAsync(async db =>
        {
            // Failed: the periodic sweep leaves it alone, so nothing makes it ready while the test runs.
            var report = new Report(reportId, trialId, ReportKind.EthicsProgress, scheduled: false, "dev-ethics", DateTimeOffset.UtcNow);
            report.Fail("test");
            db.Reports.Add(report);
            return await db.SaveChangesAsync();
        });

        await ProblemAssertions.AssertConflictNamingAsync(
            await server.Ethics.PostJsonAsync($"/api/reports/{reportId}/signatures", new { meaning = "approved", key = "dev-ethics" }), "failed");
    }

    [ServerFact]
    public async Task EthicsPage_SignsAReadyReport_WithTheKeyReEntered_AndShowsTheSignature()
    {
        var (reportId, _, _) = await ReadyReportAsync();
        var trialId = await server.WithDbAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.SingleAsync(
            db.Reports.Where(r => r.Id == Guid.Parse(reportId)).Select(r => r.TrialId)));
        var page = await PageSignIn.SignedInClientAsync(server, "dev-ethics");
        var path = $"/trials/{trialId}/ethics";
        var html = await page.GetStringAsync(new Uri(path, UriKind.Relative));
        Assert.Contains($"name=\"reportId\" value=\"{reportId}\"", html, StringComparison.Ordinal);
        var token = WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(html, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value);

        async Task<HttpResponseMessage> SignAsync(string key) => await page.PostAsync(new Uri(path + "?handler=Sign", UriKind.Relative), new FormUrlEncodedContent(
            new Dictionary<string, string> { ["reportId"] = reportId, ["meaning"] = "reviewed", ["key"] = key, ["__RequestVerificationToken"] = token }));

        var wrong = await SignAsync("dev-admin");
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Contains("not your own key", WebUtility.HtmlDecode(await wrong.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await SignAsync("dev-ethics")).StatusCode);

        var shown = WebUtility.HtmlDecode(await page.GetStringAsync(new Uri(path, UriKind.Relative)));
        Assert.Contains("reviewed by dev-ethics (ethics)", shown, StringComparison.Ordinal);
        var signature = Assert.Single(await server.WithDbAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToListAsync(
            db.ReportSignatures.Where(s => s.ReportId == Guid.Parse(reportId)))));
        Assert.Equal(("dev-ethics", SignatureMeaning.Reviewed), (signature.Signer, signature.Meaning));
    }

    /// <summary>Every audit event after <paramref name="after"/>, following the pages' links (a shared server holds more than a page).</summary>
    private async Task<List<JsonElement>> TrailAfterAsync(long after)
    {
        var events = new List<JsonElement>();
        string? next = "/api/audit?limit=1000";
        while (next is not null)
        {
            var response = await server.Admin.GetAsync(next);
            events.AddRange((await response.JsonAsync()).EnumerateArray().Where(e => e.GetProperty("sequence").GetInt64() > after).Select(e => e.Clone()));
            next = response.Headers.TryGetValues("Link", out var link) ? link.Single().Split('<', '>')[1] : null;
        }

        return events;
    }

    [ServerFact]
    public async Task DsmbPage_SignsAReadyClosedReport_WithTheKeyReEntered_ButNotTheEthicsBoardsReport_AndShowsTheSignature()
    {
        var dsmb = server.Client("dev-dsmb");
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        await DocumentSupport.RandomizedParticipantAsync(server, trialId);
        var ids = new Dictionary<string, string>();
        foreach (var kind in new[] { "dsmbClosed", "ethicsProgress" })
        {
            var requested = await dsmb.PostJsonAsync($"/api/trials/{trialId}/reports", new { kind });
            var report = await WaitForReportAsync(dsmb, requested.Headers.Location!, TimeSpan.FromSeconds(120));
            Assert.Equal("ready", report.GetProperty("status").GetString());
            ids[kind] = report.GetProperty("id").GetString()!;
        }

        var page = await PageSignIn.SignedInClientAsync(server, "dev-dsmb");
        var path = $"/trials/{trialId}/dsmb";
        var html = await page.GetStringAsync(new Uri(path, UriKind.Relative));
        Assert.Contains($"name=\"reportId\" value=\"{ids["dsmbClosed"]}\"", html, StringComparison.Ordinal);
        // The progress report is the ethics board's to sign: no form for it here.
        Assert.DoesNotContain($"name=\"reportId\" value=\"{ids["ethicsProgress"]}\"", html, StringComparison.Ordinal);
        var token = WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(html, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value);

        async Task<HttpResponseMessage> SignAsync(string reportId, string key) => await page.PostAsync(new Uri(path + "?handler=Sign", UriKind.Relative), new FormUrlEncodedContent(
            new Dictionary<string, string> { ["reportId"] = reportId, ["meaning"] = "approved", ["key"] = key, ["__RequestVerificationToken"] = token }));

        var wrong = await SignAsync(ids["dsmbClosed"], "dev-ethics");
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Contains("not your own key", WebUtility.HtmlDecode(await wrong.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        var notOurs = await SignAsync(ids["ethicsProgress"], "dev-dsmb");
        Assert.Equal(HttpStatusCode.Forbidden, notOurs.StatusCode);
        Assert.Contains("signed by its audience, the ethics role", WebUtility.HtmlDecode(await notOurs.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await SignAsync(ids["dsmbClosed"], "dev-dsmb")).StatusCode);

        var shown = WebUtility.HtmlDecode(await page.GetStringAsync(new Uri(path, UriKind.Relative)));
        Assert.Contains("approved by dev-dsmb (dsmb)", shown, StringComparison.Ordinal);
        var signature = Assert.Single(await server.WithDbAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToListAsync(
            db.ReportSignatures.Where(s => s.ReportId == Guid.Parse(ids["dsmbClosed"]) || s.ReportId == Guid.Parse(ids["ethicsProgress"])))));
        Assert.Equal((Guid.Parse(ids["dsmbClosed"]), "dev-dsmb", SignatureMeaning.Approved), (signature.ReportId, signature.Signer, signature.Meaning));
    }

    [Fact]
    public void Audience_OfEveryKind_IsItsBoard_EthicsForTheProgressReport_DsmbForTheClosedOne()
    {
        Assert.Equal("ethics", ReportAudience.SignerOf(ReportKind.EthicsProgress));
        Assert.Equal("dsmb", ReportAudience.SignerOf(ReportKind.DsmbClosed));
        Assert.All(Enum.GetValues<ReportKind>(), k => Assert.NotEmpty(ReportAudience.SignerOf(k)));
    }
}

[Collection(SqliteServerCollection.Name)]
public sealed class ReportSignatureTests_Sqlite(SqliteTrialServer server) : ReportSignatureTests(server);

[Collection(PostgresServerCollection.Name)]
public sealed class ReportSignatureTests_Postgres(PostgresTrialServer server) : ReportSignatureTests(server), IRunsOnPostgres;
