using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using TrialManager.Integration.Tests.Api;
using TrialManager.Integration.Tests.Exports;
using TrialManager.Integration.Tests.Harness;
using static TrialManager.Integration.Tests.Documents.DocumentSupport;

namespace TrialManager.Integration.Tests.Documents;

/// <summary>
/// Issue 18: the ethics and DSMB reports made from a freeze show the data as of the freeze (the figures taken in the
/// freeze's snapshot), whatever is recorded or corrected afterwards; a live report shows the data now. Each report
/// stays its own audience's, and a freeze made before freezes kept the figures makes no report (409), never a live one.
/// </summary>
public abstract partial class FreezeReportTests(TrialServer server)
{
    private static readonly string[] Arms = ["mediator", "moderator"];

    private HttpClient Dsmb => server.Client("dev-dsmb");

    private static string Today => DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    [ServerFact]
    public async Task ReportsFromAFreeze_ShowTheNumbersOfTheApiAtTheFreeze_AndLiveReportsTheNumbersNow()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        var people = new List<(string Id, string Arm)>();
        foreach (var lead in new[] { "cognitive", "interpersonal" })
        {
            var randomized = await RandomizedParticipantAsync(server, trialId, "AAA", lead);
            people.Add((randomized.GetProperty("participantId").GetString()!, randomized.GetProperty("arm").GetString()!));
        }

        await EventAsync(people[0].Id);
        var atFreeze = await FiguresAsync(trialId, people);
        var freeze = await FreezeAsync(trialId);

        // After the freeze: two more randomized, an adverse event of another participant, a corrected site (mis-stratified).
        foreach (var lead in new[] { "cognitive", "interpersonal" })
        {
            var randomized = await RandomizedParticipantAsync(server, trialId, "BBB", lead);
            people.Add((randomized.GetProperty("participantId").GetString()!, randomized.GetProperty("arm").GetString()!));
        }

        await EventAsync(people[1].Id);
        var corrected = await server.Coordinator.PostJsonAsync($"/api/participants/{people[0].Id}/corrections",
            new { field = "site", value = "BBB", reason = "site transcribed wrongly" });
        Assert.True(corrected.IsSuccessStatusCode, $"{corrected.StatusCode}: {await corrected.Content.ReadAsStringAsync()}");
        var now = await FiguresAsync(trialId, people);
        Assert.NotEqual(atFreeze.Consort.GetProperty("randomized").GetInt32(), now.Consort.GetProperty("randomized").GetInt32());

        var frozenEthics = await ReportTextAsync(server.Ethics, trialId, "ethicsProgress", freeze.Id);
        var liveEthics = await ReportTextAsync(server.Ethics, trialId, "ethicsProgress", null);
        var frozenDsmb = await ReportTextAsync(Dsmb, trialId, "dsmbClosed", freeze.Id);
        var liveDsmb = await ReportTextAsync(Dsmb, trialId, "dsmbClosed", null);

        var statement = $"Made from freeze {freeze.Id} frozen at {Stamp(freeze.FrozenAt)} (definition version 1.0)";
        AssertAll(frozenEthics, [statement, .. EthicsTexts(atFreeze)], "ethics report from the freeze");
        AssertAll(liveEthics, EthicsTexts(now), "live ethics report");
        AssertAll(frozenDsmb, [statement, .. DsmbTexts(atFreeze)], "DSMB report from the freeze");
        AssertAll(liveDsmb, DsmbTexts(now), "live DSMB report");

        // The control: each report misses the other's numbers, so the checks above can tell them apart.
        Assert.Contains(EthicsTexts(now), t => !frozenEthics.Contains(t));
        Assert.Contains(DsmbTexts(now), t => !frozenDsmb.Contains(t));
        Assert.False(liveEthics.Contains("Made from freeze"));
        Assert.False(liveDsmb.Contains("Made from freeze"));
        Assert.DoesNotContain(people, p => frozenDsmb.Contains(p.Id) || frozenEthics.Contains(p.Id));
    }

    [ServerFact]
    public async Task ReportFromAFreeze_OfAnUnknownFreezeOrAnotherTrials_Is404_AndOfAFreezeWithoutFigures_A409_QueuingNothing()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        await RandomizedParticipantAsync(server, trialId);
        var other = await TestTrials.CreateAsync(server, recruiting: true);
        var othersFreeze = await FreezeAsync(other);
        var old = await FreezeAsync(trialId);
        // A freeze as made before freezes kept the reports' figures.
        var oldId = Guid.Parse(old.Id);
        await server.WithDbAsync(db => db.Freezes.Where(f => f.Id == oldId)
            .ExecuteUpdateAsync(s => s.SetProperty(f => f.EthicsReportSha256, (string?)null).SetProperty(f => f.DsmbReportSha256, (string?)null)));

        foreach (var (client, kind) in new[] { (server.Ethics, "ethicsProgress"), (Dsmb, "dsmbClosed") })
        {
            foreach (var unknown in new[] { Guid.NewGuid().ToString(), othersFreeze.Id })
            {
                await ProblemAssertions.AssertStatusAsync(HttpStatusCode.NotFound,
                    await client.PostJsonAsync($"/api/trials/{trialId}/reports", new { kind, freezeId = unknown }));
            }

            var conflict = await client.PostJsonAsync($"/api/trials/{trialId}/reports", new { kind, freezeId = old.Id });
            await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Conflict, conflict);
            Assert.Contains("made before freezes kept the reports", await conflict.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            (await ProblemAssertions.Assert400Async(await client.PostJsonAsync($"/api/trials/{trialId}/reports", new { kind, freezeId = "not-a-guid" })))
                .AssertNames("freezeId");
        }

        Assert.Equal(0, (await (await Dsmb.GetAsync($"/api/trials/{trialId}/reports")).JsonAsync()).GetArrayLength());
    }

    [ServerFact]
    public async Task TheClosedReportOfAFreeze_IsTheBoardsAlone_AndItsFiguresLeaveNoTraceInTheFreezeExportOrTheTrail()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        await RandomizedParticipantAsync(server, trialId);
        var freeze = await FreezeAsync(trialId);

        // The statistician who froze the data gains no report; the ethics board and admins no closed one.
        foreach (var (client, kind, status) in new[]
        {
            (server.Statistician, "dsmbClosed", HttpStatusCode.Forbidden), (server.Statistician, "ethicsProgress", HttpStatusCode.Forbidden),
            (server.Ethics, "dsmbClosed", HttpStatusCode.Forbidden), (server.Admin, "dsmbClosed", HttpStatusCode.Forbidden),
        })
        {
            await ProblemAssertions.AssertStatusAsync(status, await client.PostJsonAsync($"/api/trials/{trialId}/reports", new { kind, freezeId = freeze.Id }));
        }

        var requested = await Dsmb.PostJsonAsync($"/api/trials/{trialId}/reports", new { kind = "dsmbClosed", freezeId = freeze.Id });
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Accepted, requested);
        var report = await WaitForReportAsync(Dsmb, requested.Headers.Location!, TimeSpan.FromSeconds(60));
        Assert.Equal("ready", report.GetProperty("status").GetString());
        Assert.Equal(freeze.Id, report.GetProperty("freezeId").GetString());
        foreach (var other in new[] { server.Ethics, server.Admin })
        {
            await ProblemAssertions.AssertStatusAsync(HttpStatusCode.NotFound, await other.GetAsync(requested.Headers.Location!));
        }

        // The freeze export is the zip alone, entry for entry the live export's files; the response names only the zip.
        var zip = new ExportZip(await server.Statistician.GetByteArrayAsync($"/api/freezes/{freeze.Id}/export"));
        var live = new ExportZip(await server.Statistician.GetByteArrayAsync($"/api/trials/{trialId}/export"));
        Assert.Equal(live.Entries.Keys.Order(StringComparer.Ordinal), zip.Entries.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["frozenAt", "id", "sha256"], freeze.Body.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));

        // The trail carries the ethics figures' hash and conceals the closed ones' (its readers are admins).
        var freezeId = Guid.Parse(freeze.Id);
        var stored = await server.WithDbAsync(db => db.Freezes.AsNoTracking().SingleAsync(f => f.Id == freezeId));
        Assert.Matches("^[0-9a-f]{64}$", stored.DsmbReportSha256!);
        var trail = await (await server.Admin.GetAsync($"/api/audit?trialId={trialId}&limit=1000")).JsonAsync();
        var frozeEvent = Assert.Single(trail.EnumerateArray(), e => e.GetProperty("action").GetString() == "FreezeTrial");
        var values = JsonDocument.Parse(frozeEvent.GetProperty("changes").GetString()!).RootElement.EnumerateArray()
            .Single(c => c.GetProperty("record").GetString() == "DataFreeze").GetProperty("values");
        Assert.Equal("[concealed]", values.GetProperty("DsmbReportSha256").GetString());
        Assert.Equal(stored.EthicsReportSha256, values.GetProperty("EthicsReportSha256").GetString());
        Assert.DoesNotContain(stored.DsmbReportSha256!, frozeEvent.GetRawText(), StringComparison.Ordinal);
    }

    [ServerFact]
    public async Task ReportPages_OfferTheFreezesThatKeptFigures_AndRequestTheReportOfTheChosenOne()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        await RandomizedParticipantAsync(server, trialId);
        var old = await FreezeAsync(trialId);
        var oldId = Guid.Parse(old.Id);
        await server.WithDbAsync(db => db.Freezes.Where(f => f.Id == oldId)
            .ExecuteUpdateAsync(s => s.SetProperty(f => f.EthicsReportSha256, (string?)null).SetProperty(f => f.DsmbReportSha256, (string?)null)));
        var freeze = await FreezeAsync(trialId);

        foreach (var (key, page, kind) in new[] { ("dev-ethics", "ethics", "ethicsProgress"), ("dev-dsmb", "dsmb", "dsmbClosed") })
        {
            var pages = await PageSignIn.SignedInClientAsync(server, key);
            var html = await pages.GetStringAsync(new Uri($"/trials/{trialId}/{page}", UriKind.Relative));
            Assert.Contains($"<option value=\"{freeze.Id}\">", html, StringComparison.Ordinal);
            Assert.DoesNotContain(old.Id, html, StringComparison.Ordinal);

            // Not a freeze id: refused on the field, and no report of the data now instead.
            var refused = await PostReportAsync(pages, trialId, page, html, kind, "not-a-freeze");
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("must be one of the freezes offered", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            var client = key == "dev-dsmb" ? Dsmb : server.Ethics;
            Assert.DoesNotContain((await (await client.GetAsync($"/api/trials/{trialId}/reports")).JsonAsync()).EnumerateArray(),
                r => r.GetProperty("kind").GetString() == kind);

            Assert.Equal(HttpStatusCode.Redirect, (await PostReportAsync(pages, trialId, page, html, kind, freeze.Id)).StatusCode);
            var made = Assert.Single((await (await client.GetAsync($"/api/trials/{trialId}/reports")).JsonAsync()).EnumerateArray(),
                r => r.GetProperty("kind").GetString() == kind);
            Assert.Equal(freeze.Id, made.GetProperty("freezeId").GetString());
        }
    }

    private static async Task<HttpResponseMessage> PostReportAsync(HttpClient pages, string trialId, string page, string html, string kind, string freezeId)
    {
        using var body = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(TokenField().Match(html).Groups[1].Value), ["kind"] = kind, ["freezeId"] = freezeId,
        });
        return await pages.PostAsync(new Uri($"/trials/{trialId}/{page}?handler=Report", UriKind.Relative), body);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();

    private sealed record Freeze(string Id, DateTimeOffset FrozenAt, JsonElement Body);

    /// <summary>The API's own numbers: the CONSORT flow, and each participant's events from their record.</summary>
    private sealed record Figures(JsonElement Consort, IReadOnlyList<(string Arm, int Events)> Harms, int Corrections);

    private async Task<Figures> FiguresAsync(string trialId, List<(string Id, string Arm)> people)
    {
        var consort = await (await server.Ethics.GetAsync($"/api/trials/{trialId}/consort")).JsonAsync();
        var harms = new List<(string, int)>();
        var corrections = 0;
        foreach (var (id, arm) in people)
        {
            var record = await (await server.Coordinator.GetAsync($"/api/participants/{id}")).JsonAsync();
            harms.Add((arm, record.GetProperty("events").EnumerateArray().Count(e => e.GetProperty("type").GetString() == "adverseEvent")));
            corrections += record.GetProperty("corrections").GetArrayLength();
        }

        return new Figures(consort, harms, corrections);
    }

    private static List<string> EthicsTexts(Figures figures)
    {
        var notes = figures.Consort.GetProperty("notes");
        var withEvent = figures.Harms.Count(h => h.Events > 0);
        return
        [
            .. EthicsReportTests.ExpectedConsortTexts(figures.Consort),
            $"Adverse event participants {withEvent} 0 events {figures.Harms.Sum(h => h.Events)} 0",
            $"Mis-stratified (allocation and stratum stand) {notes.GetProperty("misStratified").GetInt32()}",
            $"Corrections recorded (each with its reason) {figures.Corrections}",
        ];
    }

    private static List<string> DsmbTexts(Figures figures)
    {
        int Arm(string group, string arm) => figures.Consort.GetProperty(group).GetProperty(arm).GetInt32();
        string Row(string label, Func<string, int> count) => $"{label} {string.Join(" ", Arms.Select(count))} {Arms.Sum(count)}";
        int WithEvent(string arm) => figures.Harms.Count(h => h.Arm == arm && h.Events > 0);
        int Events(string arm) => figures.Harms.Where(h => h.Arm == arm).Sum(h => h.Events);
        return
        [
            Row("Allocated", a => Arm("allocated", a)),
            Row("Analysed (intention to treat)", a => Arm("analysed", a)),
            $"Assessed for eligibility {figures.Consort.GetProperty("assessed").GetInt32()}",
            // Only the first participant's site is corrected: the API's total is in that participant's arm.
            Row("Mis-stratified", a => a == figures.Harms[0].Arm ? figures.Consort.GetProperty("notes").GetProperty("misStratified").GetInt32() : 0),
            $"{Row("Adverse event participants", WithEvent)} events {string.Join(" ", Arms.Select(Events))} {Arms.Sum(Events)}",
        ];
    }

    private async Task<Freeze> FreezeAsync(string trialId)
    {
        var frozen = await server.Statistician.PostJsonAsync($"/api/trials/{trialId}/freezes", null);
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, frozen);
        var body = await frozen.JsonAsync();
        return new Freeze(body.GetProperty("id").GetString()!, body.GetProperty("frozenAt").GetDateTimeOffset(), body);
    }

    private async Task EventAsync(string participantId) => await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created,
        await server.Coordinator.PostJsonAsync($"/api/participants/{participantId}/events", TestEvents.Body("adverseEvent", Today, "Headache")));

    private static async Task<PdfText> ReportTextAsync(HttpClient client, string trialId, string kind, string? freezeId)
    {
        var requested = await client.PostJsonAsync($"/api/trials/{trialId}/reports", new { kind, freezeId });
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Accepted, requested);
        var report = await WaitForReportAsync(client, requested.Headers.Location!, TimeSpan.FromSeconds(60));
        Assert.Equal("ready", report.GetProperty("status").GetString());
        Assert.Equal(freezeId, report.GetProperty("freezeId").GetString());
        var pdf = await client.GetByteArrayAsync(new Uri($"/api/reports/{report.GetProperty("id").GetString()}/pdf", UriKind.Relative));
        Assert.Equal(Sha256(pdf), report.GetProperty("sha256").GetString());
        return new PdfText(pdf);
    }

    private static void AssertAll(PdfText text, IEnumerable<string> expected, string what)
    {
        var missing = expected.Where(t => !text.Contains(t)).ToList();
        Assert.True(missing.Count == 0, $"Missing from the {what}: " + string.Join(" | ", missing) + "\n" + text.All);
    }

    private static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}

[Collection(SqliteServerCollection.Name)]
public sealed class FreezeReportTests_Sqlite(SqliteTrialServer server) : FreezeReportTests(server);

[Collection(PostgresServerCollection.Name)]
public sealed class FreezeReportTests_Postgres(PostgresTrialServer server) : FreezeReportTests(server), IRunsOnPostgres;
