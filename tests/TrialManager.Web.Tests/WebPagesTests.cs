using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace TrialManager.Web.Tests;

/// <summary>The people who use the pages, walked through them in a real browser against a real server.</summary>
public sealed partial class WebPagesTests(WebServer server) : IClassFixture<WebServer>
{
    [Fact]
    public async Task Coordinator_WalksFromScreeningToTheProtocolPdf()
    {
        // The admin creates the trial from its JSON definition and opens it, on the admin page.
        var trialId = WebServer.NewTrialId("web-coord");
        var admin = await server.SignInAsync("dev-admin");
        Assert.EndsWith("/admin/trials", admin.Url);
        await admin.GetByLabel("Trial definition (JSON)").FillAsync(server.TrialDefinition(trialId));
        await admin.GetByRole(AriaRole.Button, new() { Name = "Create trial" }).ClickAsync();
        await Expect(admin.Locator(".notice")).ToContainTextAsync($"Trial {trialId} created as a draft");
        await admin.GetByLabel($"New status for {trialId}").SelectOptionAsync("recruiting");
        await admin.Locator("tr", new() { HasText = trialId }).GetByRole(AriaRole.Button, new() { Name = "Set" }).ClickAsync();
        await Expect(admin.Locator(".notice")).ToContainTextAsync($"Trial {trialId} is now recruiting");
        await server.ScreenshotAsync(admin, "admin-trials");

        var page = await server.SignInAsync("dev-coordinator");
        Assert.EndsWith("/trials", page.Url);
        await page.Locator("li.trial", new() { HasText = trialId }).GetByRole(AriaRole.Link, new() { Name = "Screen a participant" }).ClickAsync();

        // Someone too young, not severe enough and with an exclusion: every failed criterion is shown by its field.
        await page.GetByLabel("Site").SelectOptionAsync("BOS");
        await page.GetByLabel("Age (years)").FillAsync("16");
        await page.GetByLabel("Severity score").FillAsync("5");
        await page.GetByLabel("psychosis").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Screen" }).ClickAsync();
        await Expect(page.Locator("#err-ageYears")).ToContainTextAsync("age 16 is below the minimum age 18");
        await Expect(page.Locator("#err-severity")).ToContainTextAsync("severity 5 is below the minimum severity 10");
        await Expect(page.Locator("#err-exclusions")).ToContainTextAsync("exclusion criterion present: psychosis");
        await Expect(page.GetByLabel("Age (years)")).ToHaveValueAsync("16");
        await Expect(page.GetByLabel("Site")).ToHaveValueAsync("BOS");
        await server.ScreenshotAsync(page, "coordinator-screening-failed");

        // An invalid value comes back from the command's validator, next to its field, with the typed values kept.
        await page.GetByLabel("psychosis").UncheckAsync();
        await page.GetByLabel("Age (years)").FillAsync("34");
        await page.GetByLabel("Severity score").FillAsync("18");
        await page.GetByLabel("Motivation for change (0–10, optional)").FillAsync("11");
        await page.GetByRole(AriaRole.Button, new() { Name = "Screen" }).ClickAsync();
        await Expect(page.Locator("#err-motivation")).ToContainTextAsync("must be between 0 and 10");
        await Expect(page.GetByLabel("Age (years)")).ToHaveValueAsync("34");

        await page.GetByLabel("Motivation for change (0–10, optional)").FillAsync("6");
        await page.GetByRole(AriaRole.Button, new() { Name = "Screen" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/participants/" + trialId + "-BOS-0002$"));
        var participantId = page.Url[(page.Url.LastIndexOf('/') + 1)..];
        await Expect(page.Locator(".notice")).ToContainTextAsync("is eligible");

        // Consent, keyboard only: the version is filled in, the date defaults to today.
        await Expect(page.GetByLabel("Consent form version")).ToHaveValueAsync("1.0");
        await page.GetByRole(AriaRole.Button, new() { Name = "Record consent" }).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator(".notice")).ToContainTextAsync("Consent recorded");

        // A tie: the preview says indeterminate before saving, then the consensus step decides.
        await page.GetByLabel("Rater code").FillAsync("R01");
        await page.GetByLabel("Cognitive").FillAsync("3");
        await page.GetByLabel("Interpersonal").FillAsync("3");
        await page.GetByLabel("Behavioral").FillAsync("1");
        await page.GetByLabel("Environmental").FillAsync("0");
        await Expect(page.Locator("#primary-preview")).ToHaveTextAsync("indeterminate (needs a consensus rating)");
        await server.ScreenshotAsync(page, "coordinator-formulation");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save rating" }).ClickAsync();
        await Expect(page.Locator(".notice")).ToContainTextAsync("consensus rating decides");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Consensus formulation" })).ToBeVisibleAsync();

        // A score out of range is refused by the validator, next to that score.
        await page.GetByLabel("Rater code").FillAsync("R01");
        await page.GetByLabel("Cognitive").FillAsync("3");
        await page.GetByLabel("Interpersonal").FillAsync("7");
        await page.GetByLabel("Behavioral").FillAsync("0");
        await page.GetByLabel("Environmental").FillAsync("0");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save consensus rating" }).ClickAsync();
        await Expect(page.Locator("#err-scores-interpersonal")).ToContainTextAsync("must be between 0 and 4");
        await Expect(page.GetByLabel("Cognitive")).ToHaveValueAsync("3");

        await page.GetByLabel("Interpersonal").FillAsync("1");
        await Expect(page.Locator("#primary-preview")).ToHaveTextAsync("cognitive");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save consensus rating" }).ClickAsync();
        await Expect(page.Locator(".notice")).ToContainTextAsync("Primary formulation: cognitive");

        // Randomize asks first; then the allocation and the protocol document appear.
        await page.GetByRole(AriaRole.Link, new() { Name = "Randomize…" }).ClickAsync();
        await Expect(page.GetByText("The allocation is final")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, randomize" }).ClickAsync();
        await Expect(page.Locator(".notice")).ToContainTextAsync("Randomized to");
        await Expect(page.Locator(".allocation")).ToContainTextAsync("cognitive/BOS");

        var download = page.GetByRole(AriaRole.Link, new() { Name = "Download the protocol (PDF)" });
        for (var i = 0; i < 60 && !await download.IsVisibleAsync(); i++)
        {
            await Task.Delay(500);
            await page.ReloadAsync();
        }

        await server.ScreenshotAsync(page, "coordinator-allocation");
        var file = await page.RunAndWaitForDownloadAsync(() => download.ClickAsync());
        var path = await file.PathAsync();
        var bytes = await File.ReadAllBytesAsync(path);
        Assert.Equal("%PDF-", System.Text.Encoding.ASCII.GetString(bytes, 0, 5));
        Assert.Contains(participantId, string.Join(" ", new PdfText(bytes).RawPages), StringComparison.Ordinal);

        // The list filters by status and searches by study id.
        await page.GotoAsync($"/trials/{trialId}/participants?status=randomized");
        await Expect(page.Locator("tbody tr")).ToHaveCountAsync(1);
        await page.GotoAsync($"/trials/{trialId}/participants?search=0001");
        await Expect(page.Locator("tbody tr")).ToHaveCountAsync(1);
        await Expect(page.Locator("tbody")).ToContainTextAsync("screenFailed");
        await page.GotoAsync($"/trials/{trialId}/participants");
        await server.ScreenshotAsync(page, "coordinator-participants");

        // Narrow screen: the record still fits without horizontal scrolling of the page.
        var phone = await server.SignInAsync("dev-coordinator", width: 375);
        await phone.GotoAsync($"/participants/{participantId}");
        var overflow = await phone.EvaluateAsync<bool>("document.documentElement.scrollWidth > document.documentElement.clientWidth + 1");
        Assert.False(overflow, "the participant page scrolls sideways at 375 px");
        await server.ScreenshotAsync(phone, "coordinator-allocation-narrow");

        await admin.GotoAsync($"/admin/audit?trialId={trialId}");
        await admin.GetByRole(AriaRole.Link, new() { Name = "Verify the hash chain" }).ClickAsync();
        await Expect(admin.GetByRole(AriaRole.Status).First).ToContainTextAsync("intact");
        await Expect(admin.Locator("tbody")).ToContainTextAsync("dev-coordinator");
        await server.ScreenshotAsync(admin, "admin-audit");
    }

    [Fact]
    public async Task TwoRaters_DisagreeOnTheirQueues_AndReachAConsensus_NeitherSeeingTheOthersScoresNorAnArm()
    {
        // Every participant is drawn for a second rating; one is formulated by both raters and randomized (its arm must
        // never reach a rater's page), the other is the case the raters take to a consensus on their pages.
        var trialId = WebServer.NewTrialId("web-raters");
        var definition = JsonNode.Parse(server.TrialDefinition(trialId))!;
        definition["formulationRule"] = JsonNode.Parse("""{ "minMargin": 1, "doubleRating": { "share": 1.0 } }""");
        using var admin = server.Api("dev-admin");
        using var coordinator = server.Api("dev-coordinator");
        using var rater1Api = server.Api("dev-rater");
        using var rater2Api = server.Api("dev-rater-2");
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsync("/api/trials", new StringContent(definition.ToJsonString(), Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync($"/api/trials/{trialId}/status", new { status = "recruiting" })).StatusCode);
        var randomized = await ConsentedAsync("NYC");
        foreach (var rater in new[] { rater1Api, rater2Api })
        {
            (await rater.PostAsJsonAsync($"/api/participants/{randomized}/formulations",
                new { scores = new { cognitive = 0, interpersonal = 4, behavioral = 1, environmental = 0 } })).EnsureSuccessStatusCode();
        }

        var allocation = await coordinator.PostAsync($"/api/participants/{randomized}/randomization", null);
        Assert.Equal(HttpStatusCode.Created, allocation.StatusCode);
        var arm = JsonDocument.Parse(await allocation.Content.ReadAsStringAsync()).RootElement.GetProperty("arm").GetString()!;
        var id = await ConsentedAsync("CHI");
        using var statistician = server.Api("dev-statistician");
        Assert.Contains(id, await statistician.GetStringAsync($"/api/trials/{trialId}/double-ratings?limit=1000"), StringComparison.Ordinal);

        // The first rater rates on the queue page: cognitive leads.
        var first = await server.SignInAsync("dev-rater");
        Assert.EndsWith("/raters/queue", first.Url);
        var firstCase = first.Locator("section.card", new() { HasText = id });
        await Expect(firstCase).ToContainTextAsync("0 absent, 1 minor, 2 moderate, 3 major, 4 central");
        await AssertBlindAsync(first, "cognitive 1 (minor), interpersonal 4 (central)");
        await RateAsync(firstCase, [4, 1, 0, 0]);
        await Expect(first.Locator(".notice")).ToContainTextAsync($"Rating of {id} recorded.");
        await Expect(first.Locator("section.card", new() { HasText = id })).ToHaveCountAsync(0);
        Assert.Equal(("formulationPending", "secondRating"), await FormulationAsync());
        var ethics = await server.SignInAsync("dev-ethics");
        await ethics.GotoAsync($"/trials/{trialId}/ethics");
        await Expect(ethics.Locator("#consort svg")).ToContainTextAsync("of them waiting for a second rating: 1");

        // The second rater sees the case, without the first rater's scores, and disagrees: interpersonal leads.
        var second = await server.SignInAsync("dev-rater-2");
        var secondCase = second.Locator("section.card", new() { HasText = id });
        await Expect(secondCase.GetByRole(AriaRole.Button, new() { Name = "Save rating" })).ToBeVisibleAsync();
        await AssertBlindAsync(second, "cognitive 4 (central), interpersonal 1 (minor)");
        await RateAsync(secondCase, [1, 4, 0, 0]);
        await Expect(second.Locator(".notice")).ToContainTextAsync($"Rating of {id} recorded.");

        // Awaiting a consensus: so the API says, and so both raters' queues and the coordinator's page show it.
        Assert.Equal(("formulationPending", "consensus"), await FormulationAsync());
        secondCase = second.Locator("section.card", new() { HasText = id });
        await Expect(secondCase.Locator("h2")).ToHaveTextAsync($"{id} (consensus)");
        await Expect(secondCase).ToContainTextAsync("cognitive 1 (minor), interpersonal 4 (central), behavioral 0 (absent), environmental 0 (absent)");
        await AssertBlindAsync(second, "cognitive 4 (central), interpersonal 1 (minor)");
        await ethics.ReloadAsync();
        await Expect(ethics.Locator("#consort svg")).ToContainTextAsync("of them waiting for a consensus rating: 1");
        await Expect(ethics.Locator("#consort svg")).Not.ToContainTextAsync("second rating");
        var desk = await server.SignInAsync("dev-coordinator");
        await desk.GotoAsync($"/participants/{id}");
        await Expect(desk.GetByRole(AriaRole.Heading, new() { Name = "Consensus formulation" })).ToBeVisibleAsync();
        await Expect(desk.Locator(".warn", new() { HasText = "The two independent ratings disagree on the primary formulation" })).ToBeVisibleAsync();

        // The raters agree it between them; the first records it from their queue, and it decides.
        await first.ReloadAsync();
        firstCase = first.Locator("section.card", new() { HasText = id });
        await Expect(firstCase.Locator("h2")).ToHaveTextAsync($"{id} (consensus)");
        await Expect(firstCase).ToContainTextAsync("cognitive 4 (central), interpersonal 1 (minor), behavioral 0 (absent), environmental 0 (absent)");
        await AssertBlindAsync(first, "cognitive 1 (minor), interpersonal 4 (central)");
        await server.ScreenshotAsync(first, "rater-consensus");
        await RateAsync(firstCase, [3, 4, 0, 0], "Save consensus rating");
        await Expect(first.Locator(".notice")).ToContainTextAsync($"Consensus rating of {id} recorded.");
        await Expect(first.Locator("section.card", new() { HasText = id })).ToHaveCountAsync(0);
        await second.ReloadAsync();
        await Expect(second.Locator("section.card", new() { HasText = id })).ToHaveCountAsync(0);

        await ethics.ReloadAsync();
        await Expect(ethics.Locator("#consort svg")).Not.ToContainTextAsync("waiting for a");
        var record = JsonDocument.Parse(await coordinator.GetStringAsync($"/api/participants/{id}")).RootElement;
        Assert.Equal(("formulated", "interpersonal", 3), (record.GetProperty("status").GetString(), record.GetProperty("primaryFormulation").GetString(), record.GetProperty("decidingRating").GetInt32()));
        Assert.Equal(
            ["dev-rater False", "dev-rater-2 False", "dev-rater True"],
            record.GetProperty("ratings").EnumerateArray().Select(r => $"{r.GetProperty("rater").GetString()} {r.GetProperty("consensus").GetBoolean()}"));

        // The first rater's own ratings page: their three ratings in this trial by time, never a study id or a rating's
        // number; the consensus rating's rationale, left blank, corrected with a reason through the shared form.
        await first.GetByRole(AriaRole.Link, new() { Name = "My ratings" }).ClickAsync();
        var mine = first.Locator("section.card", new() { HasText = trialId });
        await Expect(mine).ToHaveCountAsync(3);
        await AssertBlindAsync(first, "cognitive 1 (minor), interpersonal 4 (central)");
        Assert.DoesNotContain(id, await first.ContentAsync(), StringComparison.Ordinal);
        await mine.Filter(new() { HasText = "Your consensus rating" }).GetByRole(AriaRole.Link, new() { Name = "Correct this rating" }).ClickAsync();
        var correction = first.Locator("#correction");
        await correction.GetByLabel("Value to correct").SelectOptionAsync("rating/rationale");
        await correction.GetByLabel("Corrected value").FillAsync("agreed with the second rater: interpersonal leads");
        await correction.GetByLabel("Reason").FillAsync("left blank by mistake");
        await correction.GetByRole(AriaRole.Button, new() { Name = "Correct", Exact = true }).ClickAsync();
        await Expect(first.Locator(".notice")).ToContainTextAsync("rationale corrected");
        await Expect(first.Locator("#correction")).ToContainTextAsync("left blank by mistake");
        await AssertBlindAsync(first, "cognitive 1 (minor), interpersonal 4 (central)");
        Assert.DoesNotContain(id, await first.ContentAsync(), StringComparison.Ordinal);
        await server.ScreenshotAsync(first, "rater-ratings");
        Assert.Equal("agreed with the second rater: interpersonal leads",
            JsonDocument.Parse(await coordinator.GetStringAsync($"/api/participants/{id}")).RootElement.GetProperty("ratings")[2].GetProperty("rationale").GetString());

        async Task<string> ConsentedAsync(string site)
        {
            var screened = await coordinator.PostAsJsonAsync($"/api/trials/{trialId}/participants",
                new { site, ageYears = 40, severity = 18, exclusions = Array.Empty<string>(), motivation = 6, expectancy = 7 });
            Assert.Equal(HttpStatusCode.Created, screened.StatusCode);
            var participant = JsonDocument.Parse(await screened.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
            (await coordinator.PostAsJsonAsync($"/api/participants/{participant}/consent", new { consentVersion = "1.0", consentedOn = "2026-11-20" })).EnsureSuccessStatusCode();
            return participant;
        }

        async Task<(string?, string?)> FormulationAsync()
        {
            var p = JsonDocument.Parse(await coordinator.GetStringAsync($"/api/participants/{id}")).RootElement;
            return (p.GetProperty("status").GetString(), p.GetProperty("awaitingFormulation").GetString());
        }

        // A rater's page: never the other rater's scores or name, the randomized participant, its arm or any arm's name.
        async Task AssertBlindAsync(IPage page, string othersScores)
        {
            var html = WebUtility.HtmlDecode(await page.ContentAsync());
            foreach (var secret in new[] { othersScores, randomized, arm, "mediator", "moderator", "stratum", "randomized" })
            {
                Assert.False(html.Contains(secret, StringComparison.OrdinalIgnoreCase), $"The rater's page carries {secret}");
            }

            // The other rater's name (the second rater's own name, dev-rater-2, contains the first's).
            Assert.DoesNotMatch(page == first ? "dev-rater-2" : "dev-rater(?!-2)", html);
        }
    }

    private static async Task RateAsync(ILocator form, int[] scores, string button = "Save rating")
    {
        foreach (var (factor, score) in new[] { "Cognitive", "Interpersonal", "Behavioral", "Environmental" }.Zip(scores))
        {
            await form.GetByLabel(factor, new() { Exact = true }).FillAsync(score.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        await form.GetByRole(AriaRole.Button, new() { Name = button }).ClickAsync();
    }

    [Fact]
    public async Task Statistician_SeesBalanceAndDownloadsTheAllocationCsv()
    {
        var trialId = await server.CreateRecruitingTrialAsync("web-stat");
        var first = await server.RandomizeParticipantAsync(trialId, "NYC", "cognitive");
        var second = await server.RandomizeParticipantAsync(trialId, "CHI", "interpersonal");

        var page = await server.SignInAsync("dev-statistician");
        await page.Locator("li.trial", new() { HasText = trialId }).GetByRole(AriaRole.Link, new() { Name = "Allocations and balance" }).ClickAsync();
        await Expect(page.Locator("#allocations tbody tr")).ToHaveCountAsync(2);
        await Expect(page.Locator("#balance svg.chart").First).ToBeVisibleAsync();
        await Expect(page.Locator("#balance")).ToContainTextAsync("cognitive/NYC");
        await page.GetByRole(AriaRole.Button, new() { Name = "Regenerate the sequence and compare" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("All 2 allocations match the plan.");
        await server.ScreenshotAsync(page, "statistician-statistics");

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Download CSV (2 rows)" }).ClickAsync());
        Assert.Equal($"{trialId}-allocations.csv", download.SuggestedFilename);
        var lines = await File.ReadAllLinesAsync(await download.PathAsync());
        Assert.Equal("participantId,site,formulation,stratum,sequence,block,blockSize,arm,randomizedAt,matched,misStratified,ineligibleAfterRandomization", lines[0]);
        Assert.Equal(3, lines.Length);
        Assert.Contains(lines, l => l.StartsWith(first + ",NYC,cognitive,cognitive/NYC,1,", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith(second + ",CHI,interpersonal,interpersonal/CHI,1,", StringComparison.Ordinal));

        // The design simulation: a refused value next to its field, then the results drawn.
        await page.GetByRole(AriaRole.Link, new() { Name = "Design simulation" }).ClickAsync();
        await page.GetByLabel("Simulated trials").FillAsync("0");
        await page.GetByRole(AriaRole.Button, new() { Name = "Run the simulation" }).ClickAsync();
        await Expect(page.Locator("#err-trials")).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Simulated trials")).ToHaveValueAsync("0");
        await page.GetByLabel("Simulated trials").FillAsync("300");
        await page.GetByLabel("Participants per trial").FillAsync("100");
        await page.GetByLabel("Simulation seed (optional, to reproduce a report)").FillAsync("page-test");
        await page.GetByRole(AriaRole.Button, new() { Name = "Run the simulation" }).ClickAsync();
        await Expect(page.Locator("#results h2")).ToContainTextAsync("300 trials of 100 participants");
        await Expect(page.Locator("#results svg.chart")).ToHaveCountAsync(3);
        await Expect(page.Locator("#results")).ToContainTextAsync("stratum cognitive/NYC");
        await server.ScreenshotAsync(page, "statistician-simulation");

        // Power for the interaction: the assumed cell means, then simulated and closed-form power side by side.
        await page.GetByLabel("mean outcome, cognitive, moderator").FillAsync("0.3");
        await page.GetByLabel("mean outcome, interpersonal, mediator").FillAsync("0.3");
        await page.GetByLabel("Dropout (share without the outcome, 0 to 0.9)").FillAsync("1.5");
        await page.GetByRole(AriaRole.Button, new() { Name = "Simulate the power" }).ClickAsync();
        await Expect(page.Locator("#err-power-dropout")).ToBeVisibleAsync();
        await page.GetByLabel("Dropout (share without the outcome, 0 to 0.9)").FillAsync("0.1");
        await page.GetByLabel("Trials to simulate for the power").FillAsync("500");
        await page.GetByRole(AriaRole.Button, new() { Name = "Simulate the power" }).ClickAsync();
        await Expect(page.Locator("#power h3")).ToContainTextAsync("500 trials of");
        await Expect(page.Locator("#power")).ToContainTextAsync("formulation x arm interaction");
        await Expect(page.Locator("#power")).ToContainTextAsync("Participants for 80% power");
        await server.ScreenshotAsync(page, "statistician-power");
    }

    [Fact]
    public async Task EthicsMember_SeesTheConsortFlowAndRequestsAndDownloadsAReport()
    {
        var trialId = await server.CreateRecruitingTrialAsync("web-eth");
        await server.RandomizeParticipantAsync(trialId, "NYC", "cognitive");
        await server.RandomizeParticipantAsync(trialId, "BOS", "interpersonal");

        var page = await server.SignInAsync("dev-ethics");
        await page.Locator("li.trial", new() { HasText = trialId }).GetByRole(AriaRole.Link, new() { Name = "CONSORT flow and reports" }).ClickAsync();
        var consort = page.Locator("#consort svg");
        await Expect(consort).ToBeVisibleAsync();
        await Expect(consort.Locator("rect.box")).ToHaveCountAsync(9);
        await Expect(consort).ToContainTextAsync("Assessed for eligibility");
        await Expect(consort).ToContainTextAsync("Allocated to mediator");
        await Expect(page.Locator("#recruitment svg").First).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Request a new progress report" }).ClickAsync();
        await Expect(page.Locator(".notice")).ToContainTextAsync("Report requested");
        var pdfLink = page.Locator("#reports").GetByRole(AriaRole.Link, new() { Name = "PDF" }).First;
        for (var i = 0; i < 60 && !await pdfLink.IsVisibleAsync(); i++)
        {
            await Task.Delay(500);
            await page.ReloadAsync();
        }

        await server.ScreenshotAsync(page, "ethics-consort-reports");
        var download = await page.RunAndWaitForDownloadAsync(() => pdfLink.ClickAsync());
        var bytes = await File.ReadAllBytesAsync(await download.PathAsync());
        Assert.Contains(trialId, string.Join(" ", new PdfText(bytes).RawPages), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DsmbMember_RequestsAndDownloadsTheClosedReport_WhichTheEthicsPageNeverLists()
    {
        var trialId = await server.CreateRecruitingTrialAsync("web-dsmb");
        await server.RandomizeParticipantAsync(trialId, "NYC", "cognitive");

        var page = await server.SignInAsync("dev-dsmb");
        await page.Locator("li.trial", new() { HasText = trialId }).GetByRole(AriaRole.Link, new() { Name = "DSMB reports" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Request a closed DSMB report" }).ClickAsync();
        await Expect(page.Locator(".notice")).ToContainTextAsync("dsmbClosed report requested");
        var pdfLink = page.Locator("#reports").GetByRole(AriaRole.Link, new() { Name = "PDF" }).First;
        for (var i = 0; i < 60 && !await pdfLink.IsVisibleAsync(); i++)
        {
            await Task.Delay(500);
            await page.ReloadAsync();
        }

        await Expect(page.Locator("#reports")).ToContainTextAsync("closed (by arm)");
        await server.ScreenshotAsync(page, "dsmb-reports");
        var download = await page.RunAndWaitForDownloadAsync(() => pdfLink.ClickAsync());
        var text = string.Join(" ", new PdfText(await File.ReadAllBytesAsync(await download.PathAsync())).RawPages);
        Assert.Contains("Closed DSMB report", text, StringComparison.Ordinal);

        var ethics = await server.SignInAsync("dev-ethics");
        await ethics.GotoAsync($"/trials/{trialId}/ethics");
        await Expect(ethics.Locator("#reports")).Not.ToContainTextAsync("dsmbClosed");
        var denied = await ethics.GotoAsync($"/trials/{trialId}/dsmb");
        Assert.Equal((int)HttpStatusCode.Forbidden, denied!.Status);
    }

    [Fact]
    public async Task Coordinator_IsRefusedAStatisticianPage_AndTheSessionOpensNoApi()
    {
        var trialId = await server.CreateRecruitingTrialAsync("web-deny");
        var page = await server.SignInAsync("dev-coordinator");

        var response = await page.GotoAsync($"/trials/{trialId}/statistics");
        Assert.Equal((int)HttpStatusCode.Forbidden, response!.Status);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Not allowed" })).ToBeVisibleAsync();
        await Expect(page.Locator("main")).Not.ToContainTextAsync("Allocation table");
        await server.ScreenshotAsync(page, "coordinator-denied");

        // The CSV handler is refused too, not just the link hidden.
        var csv = await page.APIRequest.GetAsync($"/trials/{trialId}/statistics?handler=Csv", new() { MaxRedirects = 0 });
        Assert.Equal(302, csv.Status);
        Assert.Contains("/denied", csv.Headers["location"], StringComparison.Ordinal);

        // The page session is a cookie; the API takes API keys only.
        var api = await page.APIRequest.GetAsync("/api/trials");
        Assert.Equal(401, api.Status);

        // Signed out, pages send you back to sign in.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await page.GotoAsync($"/trials/{trialId}/participants");
        Assert.Contains("/signin", page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignIn_WithAnUnknownKey_SaysSoByTheField_AndShowsTheDemoKeysInDevelopment()
    {
        var page = await server.NewPageAsync();
        await page.GotoAsync("/");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Development demo keys" })).ToBeVisibleAsync();
        await Expect(page.Locator(".keys")).ToContainTextAsync("dev-coordinator");
        await server.ScreenshotAsync(page, "sign-in");
        await page.GetByLabel("Key", new() { Exact = true }).FillAsync("not-a-key");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.Locator("#err-apiKey")).ToContainTextAsync("This key is not known");
        Assert.DoesNotContain("/trials", page.Url, StringComparison.Ordinal);
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
}
