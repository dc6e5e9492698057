using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;

namespace TrialManager.Web.Tests;

public sealed partial class WebPagesTests
{
    [Fact]
    public async Task Participant_AnswersTheirQuestionnaireOnAPhone_ThroughTheLinkTheTherapistSent()
    {
        // Arranged over the API: a treated participant whose first session was held, and the therapist's link.
        var trialId = await server.CreateRecruitingTrialAsync("web-q");
        using (var admin = server.Api("dev-admin"))
        {
            var registered = await admin.PostAsJsonAsync($"/api/trials/{trialId}/therapists", new { code = "dev-therapist", site = "NYC", arms = new[] { "mediator", "moderator" } });
            Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        }

        var participantId = await server.RandomizeParticipantAsync(trialId, "NYC", "cognitive");
        using var coordinator = server.Api("dev-coordinator");
        (await coordinator.PostAsJsonAsync($"/api/participants/{participantId}/therapist", new { therapist = "dev-therapist" })).EnsureSuccessStatusCode();
        using var therapist = server.Api("dev-therapist");
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        (await therapist.PostAsJsonAsync($"/api/participants/{participantId}/sessions", new { number = 1, date = today, attendance = "attended" })).EnsureSuccessStatusCode();
        var created = await therapist.PostAsJsonAsync($"/api/participants/{participantId}/questionnaire-links", new { instrument = "alliance12", session = 1 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var url = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("url").GetString()!;

        // The participant's phone: a narrow touch screen, no account.
        var context = await server.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = server.BaseUrl,
            ViewportSize = new ViewportSize { Width = 390, Height = 844 },
            DeviceScaleFactor = 3,
            IsMobile = true,
            HasTouch = true,
        });
        context.SetDefaultTimeout(60_000);
        var phone = await context.NewPageAsync();
        // The page works under the strict content security policy: nothing it uses is refused.
        var refused = new List<string>();
        phone.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
            {
                refused.Add(message.Text);
            }
        };

        await phone.GotoAsync(url);
        await Expect(phone.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("alliance", new() { IgnoreCase = true });
        await Expect(phone.Locator("fieldset.q-item")).ToHaveCountAsync(12);
        Assert.Equal("rgb(31, 95, 158)", await phone.Locator("button.q-send").EvaluateAsync<string>("b => getComputedStyle(b).backgroundColor"));
        var text = await phone.Locator("main").InnerTextAsync();
        foreach (var secret in new[] { participantId, trialId, "NYC", "mediator", "moderator", "dev-therapist", "cognitive" })
        {
            Assert.DoesNotContain(secret, text, StringComparison.OrdinalIgnoreCase);
        }

        // Fits the screen, and every answer is a large touch target.
        Assert.True(await phone.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), "The questionnaire scrolls sideways on a phone.");
        var option = await phone.Locator("#q-1 .q-option").First.BoundingBoxAsync();
        Assert.True(option is { Height: >= 44, Width: >= 300 }, $"An answer is {option?.Width} x {option?.Height} px.");
        await server.ScreenshotAsync(phone, "participant-questionnaire-phone");

        // Item 5 left out: asked for again, the other answers kept, nothing saved.
        for (var item = 1; item <= 12; item++)
        {
            if (item != 5)
            {
                await phone.Locator($"#q-{item}").GetByText("Often", new() { Exact = true }).TapAsync();
            }
        }

        await phone.GetByRole(AriaRole.Button, new() { Name = "Send my answers" }).TapAsync();
        await Expect(phone.Locator("#err-item-5")).ToContainTextAsync("Please choose an answer.");
        await Expect(phone.Locator("#q-1").GetByLabel("Often", new() { Exact = true })).ToBeCheckedAsync();
        await server.ScreenshotAsync(phone, "participant-questionnaire-missing-answer");
        Assert.Empty((await therapist.GetFromJsonAsync<JsonElement>($"/api/participants/{participantId}/measures")).EnumerateArray());

        await phone.Locator("#q-5").GetByText("Sometimes", new() { Exact = true }).TapAsync();
        await phone.GetByRole(AriaRole.Button, new() { Name = "Send my answers" }).TapAsync();
        await Expect(phone.GetByRole(AriaRole.Heading, new() { Name = "Thank you" })).ToBeVisibleAsync();
        await server.ScreenshotAsync(phone, "participant-questionnaire-thanks");

        // Recorded once, scored by the server; the link is spent.
        var measure = Assert.Single((await therapist.GetFromJsonAsync<JsonElement>($"/api/participants/{participantId}/measures")).EnumerateArray());
        Assert.Equal("alliance12", measure.GetProperty("instrument").GetString());
        Assert.Equal(3.92, measure.GetProperty("scores").GetProperty("total").GetDouble(), 2);
        await phone.GotoAsync(url);
        await Expect(phone.GetByRole(AriaRole.Heading, new() { Name = "This link cannot be used" })).ToBeVisibleAsync();
        Assert.Empty(refused);
        await context.CloseAsync();
    }
}
