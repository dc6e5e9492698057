using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace TrialManager.Web.Tests;

/// <summary>
/// Issue 16's walk, on the pages: the coordinator screens, consents, rates, randomizes and assigns the therapist; the
/// therapist records two sessions with their post-session logs and hands the participant a questionnaire link; the
/// participant answers on their phone with thoughts of self-harm; the alert reaches the safety contacts by e-mail and by
/// a signed webhook (neither naming the arm) and tops the coordinator's pages until acknowledged there; the blind
/// assessor records the follow-up visit without any page naming the arm or the stratum.
/// </summary>
public sealed class ClinicalWalkTests(NotifyingWebServer server, ITestOutputHelper output) : IClassFixture<NotifyingWebServer>
{
    private static readonly string[] Contacts = ["pi@example.org", "safety@example.org"];

    // Notifications leave through Hangfire after the commit (retried on failure): on a loaded machine that can take a
    // while, so the walk polls with a wide bound rather than sleeping.
    private static readonly TimeSpan NotificationWait = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task Therapist_Coordinator_Assessor_AndThePhone_WalkTwoSessionsAFollowUpAndAnAcknowledgedAlert()
    {
        var watch = Stopwatch.StartNew();
        var trialId = WebServer.NewTrialId("walk");

        // The admin creates the trial on the admin page: the demo definition with a follow-up visit whose window is open
        // from randomization (day 14, 14 days either side), so the walk can record it today.
        var definition = JsonNode.Parse(server.TrialDefinition(trialId))!.AsObject();
        definition["schedule"]!["visits"] = new JsonArray(new JsonObject { ["code"] = "followUp", ["day"] = 14, ["window"] = 14 });
        Assert.Equal(Contacts, definition["safetyContacts"]!.AsArray().Select(c => (string)c!));
        var admin = await server.SignInAsync("dev-admin");
        await admin.GetByLabel("Trial definition (JSON)").FillAsync(definition.ToJsonString());
        await admin.GetByRole(AriaRole.Button, new() { Name = "Create trial" }).ClickAsync();
        await Expect(admin.Locator(".notice")).ToContainTextAsync($"Trial {trialId} created as a draft");
        await admin.GetByLabel($"New status for {trialId}").SelectOptionAsync("recruiting");
        await admin.Locator("tr", new() { HasText = trialId }).GetByRole(AriaRole.Button, new() { Name = "Set" }).ClickAsync();
        await Expect(admin.Locator(".notice")).ToContainTextAsync($"Trial {trialId} is now recruiting");
        await admin.Context.CloseAsync();

        // Registering a therapist is the admin's, over the API: no page does it (and it is not part of this walk).
        using (var adminApi = server.Api("dev-admin"))
        {
            var registered = await adminApi.PostAsJsonAsync($"/api/trials/{trialId}/therapists", new { code = "dev-therapist", site = "NYC", arms = new[] { "mediator", "moderator" } });
            Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        }

        // The coordinator: screening, consent, the formulation rating (a paper rating entered with its rater's code, on
        // the record page: the demo trial does not require certified raters), randomization, the therapist.
        var coordinator = await server.SignInAsync("dev-coordinator");
        await coordinator.Locator("li.trial", new() { HasText = trialId }).GetByRole(AriaRole.Link, new() { Name = "Screen a participant" }).ClickAsync();
        await coordinator.GetByLabel("Site").SelectOptionAsync("NYC");
        await coordinator.GetByLabel("Age (years)").FillAsync("41");
        await coordinator.GetByLabel("Severity score").FillAsync("19");
        await coordinator.GetByLabel("Motivation for change (0–10, optional)").FillAsync("6");
        await coordinator.GetByRole(AriaRole.Button, new() { Name = "Screen" }).ClickAsync();
        await coordinator.WaitForURLAsync(new Regex("/participants/" + trialId + "-NYC-0001$"));
        var participantId = $"{trialId}-NYC-0001";
        await Expect(coordinator.Locator(".notice")).ToContainTextAsync("is eligible");
        await coordinator.GetByRole(AriaRole.Button, new() { Name = "Record consent" }).ClickAsync();
        await Expect(coordinator.Locator(".notice")).ToContainTextAsync("Consent recorded");
        await coordinator.GetByLabel("Rater code").FillAsync("R01");
        await coordinator.GetByLabel("Cognitive").FillAsync("4");
        await coordinator.GetByLabel("Interpersonal").FillAsync("1");
        await coordinator.GetByLabel("Behavioral").FillAsync("0");
        await coordinator.GetByLabel("Environmental").FillAsync("0");
        await coordinator.GetByRole(AriaRole.Button, new() { Name = "Save rating" }).ClickAsync();
        await Expect(coordinator.Locator(".notice")).ToContainTextAsync("Primary formulation: cognitive");
        await coordinator.GetByRole(AriaRole.Link, new() { Name = "Randomize…" }).ClickAsync();
        await coordinator.GetByRole(AriaRole.Button, new() { Name = "Yes, randomize" }).ClickAsync();
        await Expect(coordinator.Locator(".notice")).ToContainTextAsync("Randomized to");

        // An unknown therapist is refused beside the field, nothing assigned; then the registered one.
        await Expect(coordinator.Locator("#therapist-assigned")).ToHaveTextAsync("not assigned yet");
        await coordinator.GetByLabel("Therapist code").FillAsync("nobody");
        await coordinator.GetByRole(AriaRole.Button, new() { Name = "Assign", Exact = true }).ClickAsync();
        await Expect(coordinator.Locator("#err-therapist")).ToContainTextAsync("No therapist nobody is registered");
        await coordinator.GetByLabel("Therapist code").FillAsync("dev-therapist");
        await coordinator.GetByRole(AriaRole.Button, new() { Name = "Assign", Exact = true }).ClickAsync();
        await Expect(coordinator.Locator(".notice")).ToContainTextAsync("Therapist dev-therapist assigned.");
        await Expect(coordinator.Locator("#therapist-assigned")).ToHaveTextAsync("dev-therapist");
        await Expect(coordinator.Locator(".alerts-open")).ToHaveCountAsync(0);
        await server.ScreenshotAsync(coordinator, "walk-coordinator-therapist-assigned");

        // What must never leave the allocation's holders: read once, as the coordinator may.
        using var coordinatorApi = server.Api("dev-coordinator");
        var allocation = (await coordinatorApi.GetFromJsonAsync<JsonElement>($"/api/participants/{participantId}")).GetProperty("allocation");
        var arm = allocation.GetProperty("arm").GetString()!;
        var stratum = allocation.GetProperty("stratum").GetString()!;
        string[] secrets = ["mediator", "moderator", arm, stratum];

        // The therapist: sessions 1 and 2, each with the rupture log and the technique dose, then the participant's link.
        var therapist = await server.SignInAsync("dev-therapist");
        await therapist.GetByRole(AriaRole.Link, new() { Name = participantId }).ClickAsync();
        await RecordSessionAsync(therapist, 1);
        await AnswerLogAsync(therapist, "ruptureLog", new() { ["1"] = "0 No" });
        await RecordDoseAsync(therapist, [2, 0, 1, 3]);
        await RecordSessionAsync(therapist, 2);
        await AnswerLogAsync(therapist, "ruptureLog", new()
        {
            ["1"] = "1 Yes", ["2"] = "0 Withdrawal", ["3"] = "1 Yes", ["4"] = "0 Explored", ["5"] = "1 Partly",
        });
        await RecordDoseAsync(therapist, [1, 2, 0, 2]);
        await therapist.Locator("#link-instrument").SelectOptionAsync("phq9");
        await Expect(therapist.Locator("#link-session")).ToHaveValueAsync("2");
        await therapist.GetByRole(AriaRole.Button, new() { Name = "Create link" }).ClickAsync();
        var link = (await therapist.Locator("#questionnaire-link").InnerTextAsync()).Trim();
        Assert.Matches("^http://127\\.0\\.0\\.1:\\d+/q/[A-Za-z0-9_-]+$", link);
        await server.ScreenshotAsync(therapist, "walk-therapist-link");

        // The participant's phone: the PHQ-9 of session 2, with thoughts of self-harm on some days.
        var phoneContext = await server.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 390, Height = 844 },
            DeviceScaleFactor = 3,
            IsMobile = true,
            HasTouch = true,
        });
        phoneContext.SetDefaultTimeout(60_000);
        var phone = await phoneContext.NewPageAsync();
        await phone.GotoAsync(link);
        await Expect(phone.Locator("fieldset.q-item")).ToHaveCountAsync(9);
        Assert.True(await phone.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), "The questionnaire scrolls sideways on a phone.");
        AssertNamesNone(await phone.ContentAsync(), [.. secrets, participantId, trialId, "dev-therapist"], "the participant's questionnaire");
        for (var item = 1; item <= 9; item++)
        {
            await phone.Locator($"#q-{item}").GetByText(item == 9 ? "Some days" : "Most days", new() { Exact = true }).TapAsync();
        }

        await phone.GetByRole(AriaRole.Button, new() { Name = "Send my answers" }).TapAsync();
        await Expect(phone.GetByRole(AriaRole.Heading, new() { Name = "Thank you" })).ToBeVisibleAsync();
        await server.ScreenshotAsync(phone, "walk-phone-thanks");
        await phoneContext.CloseAsync();

        // The therapist sees the answers as session 2's measure, scored by the server.
        await therapist.ReloadAsync();
        await Expect(therapist.Locator("tr", new() { HasText = "phq9" })).ToContainTextAsync("total 17");

        // The safety contacts are told: by e-mail through the SMTP server, and by a signed webhook; neither names the arm.
        var email = await WithinAsync(NotificationWait, () => server.Smtp.Received.FirstOrDefault(e => (e.Message.Subject ?? string.Empty).Contains(participantId, StringComparison.Ordinal)),
            "No e-mail of the self-harm alert reached the SMTP server.");
        Assert.Equal(Contacts, email.EnvelopeTo.Order(StringComparer.Ordinal));
        Assert.Equal($"[TrialManager] Safety alert in {trialId}, site NYC, participant {participantId}", email.Message.Subject);
        Assert.Contains("selfHarm", email.Message.TextBody, StringComparison.Ordinal);
        Assert.Contains("phq9", email.Message.TextBody, StringComparison.Ordinal);
        Assert.Contains($"{NotifyingWebServer.PublicBaseUrl}/participants/{participantId}", email.Message.TextBody, StringComparison.Ordinal);
        AssertNamesNone(email.Message.Subject + "\n" + email.Message.TextBody + "\n" + email.Message.HtmlBody, [.. secrets, "cognitive"], "the e-mail");

        var hook = await WithinAsync(NotificationWait, () => server.Webhooks.Received.FirstOrDefault(h => Encoding.UTF8.GetString(h.Body).Contains(participantId, StringComparison.Ordinal)),
            "No webhook of the self-harm alert reached the listener.");
        Assert.Equal("/hooks/safety", hook.Path);
        Assert.True(hook.SignatureVerifies(NotifyingWebServer.WebhookSecret), "The webhook's HMAC-SHA256 signature does not verify with the shared secret.");
        Assert.False(hook.SignatureVerifies(NotifyingWebServer.WebhookSecret + "x"), "The webhook's signature verifies with a wrong secret.");
        var body = JsonDocument.Parse(hook.Body).RootElement;
        Assert.Equal(("safetyAlert", trialId, "NYC", participantId, "phq9", "selfHarm"),
            (body.GetProperty("kind").GetString(), body.GetProperty("trialId").GetString(), body.GetProperty("site").GetString(),
                body.GetProperty("studyId").GetString(), body.GetProperty("instrument").GetString(), body.GetProperty("rule").GetString()));
        AssertNamesNone(Encoding.UTF8.GetString(hook.Body), [.. secrets, "cognitive", "\"arm\"", "stratum"], "the webhook");
        var alertId = body.GetProperty("subjectId").GetString()!;

        // The coordinator: the alert tops every page until acknowledged with the action taken.
        await coordinator.GotoAsync("/trials");
        await Expect(coordinator.Locator(".alerts-open")).ToContainTextAsync($"1 open safety alert in {trialId}");
        await coordinator.GotoAsync($"/participants/{participantId}");
        await Expect(coordinator.Locator(".alerts-open")).ToContainTextAsync($"1 open safety alert in {trialId}");
        await server.ScreenshotAsync(coordinator, "walk-coordinator-alert-banner");
        // Only coordinators are shown it: the therapist's pages have no such notice, and the alerts page is the 403 page.
        await therapist.GotoAsync("/therapists/me/participants");
        await Expect(therapist.GetByRole(AriaRole.Link, new() { Name = participantId })).ToBeVisibleAsync();
        await Expect(therapist.Locator(".alerts-open")).ToHaveCountAsync(0);
        await therapist.GotoAsync($"/trials/{trialId}/alerts");
        await Expect(therapist.GetByRole(AriaRole.Heading, new() { Name = "Not allowed" })).ToBeVisibleAsync();

        await coordinator.Locator(".alerts-open").GetByRole(AriaRole.Link).ClickAsync();
        var row = coordinator.Locator($"#alert-{alertId}");
        await Expect(row).ToContainTextAsync(participantId);
        await Expect(row).ToContainTextAsync("selfHarm");
        await row.GetByRole(AriaRole.Button, new() { Name = "Acknowledge" }).ClickAsync();
        await Expect(coordinator.Locator($"#err-action-{alertId}")).ToContainTextAsync("is required");
        await Expect(coordinator.Locator(".alerts-open")).ToContainTextAsync($"1 open safety alert in {trialId}");
        const string action = "Called the participant the same day; safety plan reviewed, GP informed.";
        await coordinator.GetByLabel($"Action taken for {participantId}").FillAsync(action);
        await coordinator.GetByRole(AriaRole.Button, new() { Name = "Acknowledge" }).ClickAsync();
        await Expect(coordinator.Locator(".notice")).ToContainTextAsync($"The selfHarm alert of {participantId} is acknowledged");
        await Expect(coordinator.Locator(".alerts-open")).ToHaveCountAsync(0);
        await coordinator.GetByRole(AriaRole.Link, new() { Name = "Show acknowledged alerts too" }).ClickAsync();
        await Expect(coordinator.Locator($"#alert-{alertId}")).ToContainTextAsync($"dev-coordinator, ");
        await Expect(coordinator.Locator($"#alert-{alertId}")).ToContainTextAsync(action);
        await server.ScreenshotAsync(coordinator, "walk-coordinator-alert-acknowledged");

        // The assessor: the follow-up visit's PHQ-9 and GAD-7 on the due list's page; nothing seen names the arm.
        var assessor = await server.SignInAsync("dev-assessor");
        var seen = new List<(string Url, string Html)> { (assessor.Url, await assessor.ContentAsync()) };
        await assessor.Locator("li.trial", new() { HasText = trialId }).GetByRole(AriaRole.Link, new() { Name = "Sessions and visits due" }).ClickAsync();
        seen.Add((assessor.Url, await assessor.ContentAsync()));
        await assessor.GetByRole(AriaRole.Link, new() { Name = $"Record visit followUp of {participantId}" }).ClickAsync();
        await Expect(assessor.GetByRole(AriaRole.Heading, new() { Name = $"Visit followUp of {participantId}" })).ToBeVisibleAsync();
        seen.Add((assessor.Url, await assessor.ContentAsync()));
        await AnswerVisitAsync(assessor, "phq9", 9, i => i == 9 ? "0 Never" : "1 Some days");
        await Expect(assessor.Locator(".notice")).ToContainTextAsync($"at visit followUp recorded for {participantId}");
        await Expect(assessor.Locator("#visit-phq9-done")).ToContainTextAsync("total 8");
        seen.Add((assessor.Url, await assessor.ContentAsync()));
        await AnswerVisitAsync(assessor, "gad7", 7, _ => "1 Some days");
        await Expect(assessor.Locator("#visit-gad7-done")).ToContainTextAsync("total 7");
        seen.Add((assessor.Url, await assessor.ContentAsync()));
        await server.ScreenshotAsync(assessor, "walk-assessor-follow-up");
        await assessor.GotoAsync($"/trials/{trialId}/visits");
        await Expect(assessor.Locator("tr", new() { HasText = participantId }).Filter(new() { HasText = "visit followUp" })).ToHaveCountAsync(0);
        seen.Add((assessor.Url, await assessor.ContentAsync()));

        // The alerts page is the coordinator's: the assessor gets the 403 page.
        await assessor.GotoAsync($"/trials/{trialId}/alerts");
        await Expect(assessor.GetByRole(AriaRole.Heading, new() { Name = "Not allowed" })).ToBeVisibleAsync();
        seen.Add((assessor.Url, await assessor.ContentAsync()));
        foreach (var (url, html) in seen)
        {
            AssertNamesNone(html, secrets, "the assessor's page " + url);
        }

        // Recorded as the API has it: the visit's measures by the assessor, the alert acknowledged with the action.
        var measures = await coordinatorApi.GetFromJsonAsync<JsonElement>($"/api/participants/{participantId}/measures");
        var recorded = measures.EnumerateArray().Select(m => (
            m.GetProperty("instrument").GetString(), m.GetProperty("session").ValueKind == JsonValueKind.Null ? null : (int?)m.GetProperty("session").GetInt32(),
            m.GetProperty("visit").GetString(), m.GetProperty("recordedBy").GetString())).ToList();
        Assert.Contains(("ruptureLog", 1, null, "dev-therapist"), recorded);
        Assert.Contains(("techniqueDose", 2, null, "dev-therapist"), recorded);
        Assert.Contains(("phq9", (int?)null, "followUp", "dev-assessor"), recorded);
        Assert.Contains(("gad7", (int?)null, "followUp", "dev-assessor"), recorded);
        Assert.Equal(5, recorded.Count(r => r.Item2 is not null)); // two logs per session, and the participant's PHQ-9 at session 2
        var alerts = await coordinatorApi.GetFromJsonAsync<JsonElement>($"/api/trials/{trialId}/alerts?status=all");
        var acknowledged = Assert.Single(alerts.EnumerateArray());
        Assert.Equal(("dev-coordinator", action), (acknowledged.GetProperty("acknowledgedBy").GetString(), acknowledged.GetProperty("action").GetString()));
        Assert.Single(server.Smtp.Received, e => (e.Message.Subject ?? string.Empty).Contains(trialId, StringComparison.Ordinal));
        Assert.Single(server.Webhooks.Received, h => Encoding.UTF8.GetString(h.Body).Contains(trialId, StringComparison.Ordinal));

        output.WriteLine($"The walk took {watch.Elapsed.TotalSeconds:0.0} s.");
    }

    private static async Task RecordSessionAsync(IPage therapist, int number)
    {
        await Expect(therapist.GetByLabel("Number")).ToHaveValueAsync(number.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await therapist.GetByLabel("Attended", new() { Exact = true }).CheckAsync();
        await therapist.GetByRole(AriaRole.Button, new() { Name = "Save session" }).ClickAsync();
        await Expect(therapist.Locator(".notice")).ToContainTextAsync($"Session {number} recorded.");
    }

    /// <summary>Ticks one answer per item (by its value and anchor) in the therapist's log form; the session is the one just held.</summary>
    private static async Task AnswerLogAsync(IPage therapist, string instrument, Dictionary<string, string> answers)
    {
        foreach (var (item, answer) in answers)
        {
            await therapist.Locator($"#log-{instrument}-{item}").GetByLabel(answer).CheckAsync();
        }

        await therapist.GetByRole(AriaRole.Button, new() { Name = $"Save {instrument}" }).ClickAsync();
        await Expect(therapist.Locator(".notice")).ToContainTextAsync("recorded.");
    }

    private static async Task RecordDoseAsync(IPage therapist, int[] counts)
    {
        for (var i = 0; i < counts.Length; i++)
        {
            await therapist.Locator($"#log-techniqueDose-{i + 1}").FillAsync(counts[i].ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        await therapist.GetByRole(AriaRole.Button, new() { Name = "Save techniqueDose" }).ClickAsync();
        await Expect(therapist.Locator(".notice")).ToContainTextAsync("recorded.");
    }

    private static async Task AnswerVisitAsync(IPage assessor, string instrument, int items, Func<int, string> answer)
    {
        for (var item = 1; item <= items; item++)
        {
            await assessor.Locator($"#visit-{instrument}-{item}").GetByLabel(answer(item)).CheckAsync();
        }

        await assessor.GetByRole(AriaRole.Button, new() { Name = $"Save {instrument}" }).ClickAsync();
    }

    private static void AssertNamesNone(string text, IEnumerable<string> secrets, string where)
    {
        foreach (var secret in secrets)
        {
            Assert.False(text.Contains(secret, StringComparison.OrdinalIgnoreCase), $"{where} contains '{secret}'.");
        }
    }

    /// <summary>Polls (never a fixed sleep) until the probe finds something, failing with the server's output when the time runs out.</summary>
    private async Task<T> WithinAsync<T>(TimeSpan timeout, Func<T?> probe, string failure)
        where T : class
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (probe() is { } found)
            {
                return found;
            }

            Assert.True(deadline.Elapsed < timeout, $"{failure} (waited {timeout.TotalSeconds:0} s)\n{server.ServerLog}");
            await Task.Delay(200);
        }
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
}
