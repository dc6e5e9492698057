using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using TrialManager.Integration.Tests.Api;
using TrialManager.Integration.Tests.Documents;
using TrialManager.Integration.Tests.Harness;

namespace TrialManager.Integration.Tests.Safety;

/// <summary>
/// Issue 17 on the pages: amendments (admin), the re-consent list (coordinator) and the medical review of serious events
/// (admin, dsmb), each through the API's command and query, refused roles sent to the Denied page.
/// </summary>
public abstract partial class GcpPageTests(TrialServer server)
{
    private static readonly string Today = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static async Task<HttpResponseMessage> PostFormAsync(HttpClient pages, string html, string path, Dictionary<string, string> fields)
    {
        fields["__RequestVerificationToken"] = WebUtility.HtmlDecode(TokenField().Match(html).Groups[1].Value);
        using var body = new FormUrlEncodedContent(fields);
        return await pages.PostAsync(new Uri(path, UriKind.Relative), body);
    }

    private static async Task<string> TextAsync(HttpResponseMessage response) => WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());

    /// <summary>A table row's cells in order, whatever the white space between them.</summary>
    private static void AssertRow(string html, params string[] cells) =>
        Assert.Matches(string.Join("\\s*", cells.Select(c => $"<td>{Regex.Escape(c)}</td>")), html);

    /// <summary>
    /// Every page of the trial list, following its rel="next" links: the shared test servers hold hundreds of trials,
    /// so a new trial's links are on whichever page its id sorts into.
    /// </summary>
    private static async Task<string> AllTrialPagesAsync(HttpClient pages)
    {
        var html = new System.Text.StringBuilder();
        string? next = "/trials";
        for (var page = 0; next is not null && page < 1_000; page++)
        {
            var text = await pages.GetStringAsync(new Uri(next, UriKind.RelativeOrAbsolute));
            html.Append(text);
            var link = Regex.Match(text, "rel=\"next\" href=\"([^\"]+)\"");
            next = link.Success ? WebUtility.HtmlDecode(link.Groups[1].Value) : null;
        }

        return html.ToString();
    }

    /// <summary>A refused role: redirected to the Denied page, for the page and for a post carrying a valid token of its session.</summary>
    private static async Task AssertDeniedAsync(TrialServer server, string key, string path, Dictionary<string, string> post)
    {
        var pages = await PageSignIn.SignedInClientAsync(server, key);
        var trials = await pages.GetStringAsync(new Uri("/trials", UriKind.Relative));
        Assert.DoesNotContain($"href=\"{path}\"", await AllTrialPagesAsync(pages), StringComparison.Ordinal);
        foreach (var response in new[] { await pages.GetAsync(new Uri(path, UriKind.Relative)), await PostFormAsync(pages, trials, path, post) })
        {
            Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"{key} {path}: {response.StatusCode}");
            var location = response.Headers.Location!;
            Assert.StartsWith("/denied", location.IsAbsoluteUri ? location.AbsolutePath : location.OriginalString, StringComparison.Ordinal);
        }
    }

    private async Task<List<JsonElement>> AmendmentsAsync(string trialId) =>
        [.. (await (await server.Admin.GetAsync($"/api/trials/{trialId}/amendments")).JsonAsync()).EnumerateArray()];

    [ServerFact]
    public async Task Admin_AmendsOnThePage_SeesTheVersions_AndADesignChangeIsRefusedWithTheReason()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        var path = $"/trials/{trialId}/amendments";
        var admin = await PageSignIn.SignedInClientAsync(server, "dev-admin");
        Assert.Contains($"href=\"{path}\"", await AllTrialPagesAsync(admin), StringComparison.Ordinal);
        var page = await admin.GetStringAsync(new Uri(path, UriKind.Relative));
        Assert.Contains("Current definition version 1.0", page, StringComparison.Ordinal);
        Assert.Contains("Record an amendment", page, StringComparison.Ordinal);

        Dictionary<string, string> Form(params (string Key, string Value)[] extra)
        {
            var form = new Dictionary<string, string>
            {
                ["Version"] = "1.1", ["EffectiveOn"] = Today, ["EthicsReference"] = "IRB-2026-201", ["EthicsDate"] = Today, ["AddSites"] = "SEA",
                ["ConsentVersion"] = "2.0",
            };
            foreach (var (key, value) in extra)
            {
                form[key] = value;
            }

            return form;
        }

        // The design: the command's 409 and its reason above the form, what was typed kept, nothing recorded.
        var design = await PostFormAsync(admin, page, path, Form(("DesignMember", "randomization"), ("DesignValue", "{\"method\": \"simple\"}")));
        Assert.Equal(HttpStatusCode.Conflict, design.StatusCode); // as the API answers it
        var designPage = await TextAsync(design);
        Assert.Contains("id=\"err-amend\"", designPage, StringComparison.Ordinal);
        Assert.Contains("randomization cannot change once the trial has left draft", designPage, StringComparison.Ordinal);
        Assert.Contains("value=\"IRB-2026-201\"", designPage, StringComparison.Ordinal);
        // 400s on their fields: a target that is not a number, a missing approval reference, a version not greater.
        var target = await PostFormAsync(admin, page, path, Form(("TargetEnrollment", "lots")));
        Assert.Equal(HttpStatusCode.BadRequest, target.StatusCode);
        Assert.Contains("id=\"err-changes-targetEnrollment\"", await TextAsync(target), StringComparison.Ordinal);
        var noReference = await PostFormAsync(admin, page, path, Form(("EthicsReference", "")));
        Assert.Equal(HttpStatusCode.BadRequest, noReference.StatusCode);
        Assert.Contains("id=\"err-ethicsApproval-reference\"", await TextAsync(noReference), StringComparison.Ordinal);
        var oldVersion = await PostFormAsync(admin, page, path, Form(("Version", "1.0")));
        Assert.Equal(HttpStatusCode.BadRequest, oldVersion.StatusCode);
        Assert.Contains("must be a version greater than the current definition version 1.0", await TextAsync(oldVersion), StringComparison.Ordinal);
        Assert.Empty(await AmendmentsAsync(trialId));

        var amended = await PostFormAsync(admin, page, path, Form(("TargetEnrollment", "250"), ("ProtocolVersions", "")));
        Assert.Equal(HttpStatusCode.Redirect, amended.StatusCode);
        var amendment = Assert.Single(await AmendmentsAsync(trialId));
        Assert.Equal(("1.1", "IRB-2026-201", "2.0", 250),
            (amendment.GetProperty("version").GetString(), amendment.GetProperty("ethicsApproval").GetProperty("reference").GetString(),
                amendment.GetProperty("changes").GetProperty("consentVersion").GetString(), amendment.GetProperty("changes").GetProperty("targetEnrollment").GetInt32()));
        var listed = WebUtility.HtmlDecode(await admin.GetStringAsync(new Uri(path, UriKind.Relative)));
        Assert.Contains("Current definition version 1.1; consent version 2.0", listed, StringComparison.Ordinal);
        AssertRow(listed, "1.1", Today, $"IRB-2026-201, {Today}", "sites added: SEA; target 250; consent version 2.0");

        foreach (var key in new[] { "dev-coordinator", "dev-dsmb" })
        {
            await AssertDeniedAsync(server, key, path, Form(("Version", "1.2")));
        }

        Assert.Single(await AmendmentsAsync(trialId));
    }

    [ServerFact]
    public async Task Admin_TargetBelowTheNumberRandomized_OnThePage_IsTheApis409WithHowMany()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        for (var i = 0; i < 2; i++)
        {
            await DocumentSupport.RandomizedParticipantAsync(server, trialId);
        }

        var path = $"/trials/{trialId}/amendments";
        var admin = await PageSignIn.SignedInClientAsync(server, "dev-admin");
        var page = await admin.GetStringAsync(new Uri(path, UriKind.Relative));
        var below = await PostFormAsync(admin, page, path, new()
        {
            ["Version"] = "1.1", ["EffectiveOn"] = Today, ["EthicsReference"] = "IRB-2026-202", ["EthicsDate"] = Today, ["TargetEnrollment"] = "1",
        });

        Assert.Equal(HttpStatusCode.Conflict, below.StatusCode);
        var text = await TextAsync(below);
        Assert.Contains("id=\"err-amend\"", text, StringComparison.Ordinal);
        Assert.Contains("2 participants are already randomized", text, StringComparison.Ordinal);
        Assert.Contains("value=\"IRB-2026-202\"", text, StringComparison.Ordinal);
        Assert.Empty(await AmendmentsAsync(trialId));
    }

    private async Task<List<string>> ReconsentListAsync(string trialId) =>
        [.. (await (await server.Coordinator.GetAsync($"/api/trials/{trialId}/reconsent")).JsonAsync()).EnumerateArray()
            .Select(r => r.GetProperty("participantId").GetString()!)];

    [ServerFact]
    public async Task Coordinator_SeesTheirSitesReconsentList_AndRecordsAReconsent_WithTheDateRequired()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        var id = await TestTrials.FormulatedParticipantAsync(server, trialId);
        var elsewhere = await TestTrials.FormulatedParticipantAsync(server, trialId, site: "BBB");
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Admin.PostJsonAsync($"/api/trials/{trialId}/amendments", new
        {
            version = "1.1", effectiveOn = Today, ethicsApproval = new { reference = "IRB-2026-202", date = Today }, changes = new { consentVersion = "2.0" },
        }));
        Assert.Equal([id, elsewhere], await ReconsentListAsync(trialId));

        var path = $"/trials/{trialId}/reconsent";
        var coordinator = await PageSignIn.SignedInClientAsync(server, SecurityTestSettings.SiteLimitedCoordinatorKey);
        Assert.Contains($"href=\"{path}\"", await AllTrialPagesAsync(coordinator), StringComparison.Ordinal);
        var page = WebUtility.HtmlDecode(await coordinator.GetStringAsync(new Uri(path, UriKind.Relative)));
        Assert.Contains("The current consent version is 2.0", page, StringComparison.Ordinal);
        Assert.Contains($"<a href=\"/participants/{id}\">{id}</a>", page, StringComparison.Ordinal);
        Assert.DoesNotContain(elsewhere, page, StringComparison.Ordinal);

        var noDate = await PostFormAsync(coordinator, page, path, new() { ["ParticipantId"] = id, ["ConsentVersion"] = "2.0" });
        Assert.Equal(HttpStatusCode.BadRequest, noDate.StatusCode);
        Assert.Contains("id=\"err-consentedOn\"", await TextAsync(noDate), StringComparison.Ordinal);
        var oldVersion = await PostFormAsync(coordinator, page, path, new() { ["ParticipantId"] = id, ["ConsentVersion"] = "1.0", ["ConsentedOn"] = Today });
        Assert.Equal(HttpStatusCode.BadRequest, oldVersion.StatusCode);
        Assert.Contains("2.0", await TextAsync(oldVersion), StringComparison.Ordinal);
        Assert.Equal([id, elsewhere], await ReconsentListAsync(trialId));

        var reconsented = await PostFormAsync(coordinator, page, path, new() { ["ParticipantId"] = id, ["ConsentVersion"] = "2.0", ["ConsentedOn"] = Today });
        Assert.Equal(HttpStatusCode.Redirect, reconsented.StatusCode);
        Assert.Equal([elsewhere], await ReconsentListAsync(trialId));
        var record = await (await server.Coordinator.GetAsync($"/api/participants/{id}")).JsonAsync();
        Assert.Equal(("formulated", "2.0"), (record.GetProperty("status").GetString(), record.GetProperty("consent").GetProperty("version").GetString()));
        Assert.DoesNotContain($"/participants/{id}\"", await coordinator.GetStringAsync(new Uri(path, UriKind.Relative)), StringComparison.Ordinal);

        foreach (var key in new[] { "dev-admin", "dev-statistician" })
        {
            await AssertDeniedAsync(server, key, path, new() { ["ParticipantId"] = elsewhere, ["ConsentVersion"] = "2.0", ["ConsentedOn"] = Today });
        }

        Assert.Equal([elsewhere], await ReconsentListAsync(trialId));
    }

    private async Task<List<JsonElement>> PendingAsync(string trialId) =>
        [.. (await (await server.Admin.GetAsync($"/api/trials/{trialId}/events")).JsonAsync()).EnumerateArray()];

    [ServerFact]
    public async Task SeriousEvents_AreReviewedOnThePage_ByTheDsmbOrAnAdmin_NamingNoArm_AndACorrectionBringsOneBack()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        var allocation = await DocumentSupport.RandomizedParticipantAsync(server, trialId);
        var id = allocation.GetProperty("participantId").GetString()!;
        var recorded = await server.Coordinator.PostJsonAsync($"/api/participants/{id}/events", TestEvents.Body("seriousAdverseEvent", Today, "admitted overnight"));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, recorded);
        var eventId = (await recorded.JsonAsync()).GetProperty("id").GetString()!;

        var path = $"/trials/{trialId}/serious-events";
        var dsmb = await PageSignIn.SignedInClientAsync(server, "dev-dsmb");
        var admin = await PageSignIn.SignedInClientAsync(server, "dev-admin");
        foreach (var pages in new[] { dsmb, admin })
        {
            Assert.Contains($"href=\"{path}\"", await AllTrialPagesAsync(pages), StringComparison.Ordinal);
            var shown = WebUtility.HtmlDecode(await pages.GetStringAsync(new Uri(path, UriKind.Relative)));
            AssertRow(shown, id, "AAA", Today, "admitted overnight", "hospitalisation", "severe", "unlikely", "no", "recovering");
            // Neither role's page names an arm (the trial's arms are mediator and moderator).
            Assert.DoesNotContain("mediator", shown, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("moderator", shown, StringComparison.OrdinalIgnoreCase);
        }

        var page = await dsmb.GetStringAsync(new Uri(path, UriKind.Relative));
        var noComment = await PostFormAsync(dsmb, page, path, new() { ["EventId"] = eventId, ["Comment"] = " " });
        Assert.Equal(HttpStatusCode.BadRequest, noComment.StatusCode);
        Assert.Contains("id=\"err-comment\"", await TextAsync(noComment), StringComparison.Ordinal);
        Assert.Single(await PendingAsync(trialId));

        var reviewed = await PostFormAsync(dsmb, page, path, new() { ["EventId"] = eventId, ["Comment"] = "expected course; no action" });
        Assert.Equal(HttpStatusCode.Redirect, reviewed.StatusCode);
        Assert.Empty(await PendingAsync(trialId));
        Assert.Contains("0 awaiting review", await dsmb.GetStringAsync(new Uri(path, UriKind.Relative)), StringComparison.Ordinal);
        var adminPage = await admin.GetStringAsync(new Uri(path, UriKind.Relative));
        var again = await PostFormAsync(admin, adminPage, path, new() { ["EventId"] = eventId, ["Comment"] = "again" });
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Contains("was already reviewed by dev-dsmb", await TextAsync(again), StringComparison.Ordinal);

        // Corrected since: back on the page as changed, the earlier review shown, and reviewed again by the admin.
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Coordinator.PostJsonAsync($"/api/participants/{id}/corrections",
            new { target = $"event:{eventId}", field = "outcome", value = "recovered", reason = "discharged", }));
        var changed = WebUtility.HtmlDecode(await admin.GetStringAsync(new Uri(path, UriKind.Relative)));
        Assert.Contains("Changed since review", changed, StringComparison.Ordinal);
        Assert.Matches("Earlier review by dev-dsmb, [0-9-]+ [0-9:]+ UTC: expected course; no action", changed);
        Assert.Equal(HttpStatusCode.Redirect, (await PostFormAsync(admin, changed, path, new() { ["EventId"] = eventId, ["Comment"] = "recovered; no action" })).StatusCode);
        Assert.Empty(await PendingAsync(trialId));
        Assert.Contains("Reviewed by dev-admin", WebUtility.HtmlDecode(await admin.GetStringAsync(new Uri(path + "?review=all", UriKind.Relative))), StringComparison.Ordinal);

        foreach (var key in new[] { "dev-coordinator", "dev-ethics" })
        {
            await AssertDeniedAsync(server, key, path, new() { ["EventId"] = eventId, ["Comment"] = "x" });
        }
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}

[Collection(SqliteServerCollection.Name)]
public sealed class GcpPageTests_Sqlite(SqliteTrialServer server) : GcpPageTests(server);

[Collection(PostgresServerCollection.Name)]
public sealed class GcpPageTests_Postgres(PostgresTrialServer server) : GcpPageTests(server), IRunsOnPostgres;
