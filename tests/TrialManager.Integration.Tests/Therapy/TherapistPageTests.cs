using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using TrialManager.Integration.Tests.Api;
using TrialManager.Integration.Tests.Documents;
using TrialManager.Integration.Tests.Harness;

namespace TrialManager.Integration.Tests.Therapy;

/// <summary>
/// The therapist's pages: their own participants only, sessions, post-session logs and questionnaire links through the
/// API's commands (bad input shown again, nothing saved), and their cell's protocol document.
/// </summary>
public abstract partial class TherapistPageTests(TrialServer server)
{
    private static readonly string Today = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private async Task<string> RandomizedAsync(string trialId, string therapist)
    {
        var id = (await DocumentSupport.RandomizedParticipantAsync(server, trialId, "AAA")).GetProperty("participantId").GetString()!;
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await server.Coordinator.PostJsonAsync($"/api/participants/{id}/therapist", new { therapist }));
        return id;
    }

    private async Task<List<JsonElement>> MeasuresAsync(string id) =>
        [.. (await (await server.Coordinator.GetAsync($"/api/participants/{id}/measures")).JsonAsync()).EnumerateArray()];

    private async Task<List<JsonElement>> SessionsAsync(string id) =>
        [.. (await (await server.Coordinator.GetAsync($"/api/participants/{id}")).JsonAsync()).GetProperty("sessions").EnumerateArray()];

    private static async Task<HttpResponseMessage> PostAsync(HttpClient pages, string participantId, string handler, Dictionary<string, string> fields)
    {
        // The token from the list (its sign-out form), so a post to another therapist's participant gets as far as the handler.
        var html = await pages.GetStringAsync(new Uri("/therapists/me/participants", UriKind.Relative));
        fields["__RequestVerificationToken"] = WebUtility.HtmlDecode(TokenField().Match(html).Groups[1].Value);
        using var body = new FormUrlEncodedContent(fields);
        return await pages.PostAsync(new Uri($"/therapists/me/participants/{participantId}?handler={handler}", UriKind.Relative), body);
    }

    [ServerFact]
    public async Task Therapist_LandsOnTheirParticipants_RecordsASessionItsLogsAndALink_BadInputSavesNothing_AndOthersParticipantsAreNotFound()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        foreach (var code in new[] { "dev-therapist", "T-colleague" })
        {
            await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created,
                await server.Admin.PostJsonAsync($"/api/trials/{trialId}/therapists", new { code, site = "AAA", arms = new[] { "mediator", "moderator" } }));
        }

        var mine = await RandomizedAsync(trialId, "dev-therapist");
        var theirs = await RandomizedAsync(trialId, "T-colleague");

        // Signing in lands on their own participants.
        var signIn = await PageSignIn.PostAsync(PageSignIn.Client(server), "dev-therapist");
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Equal("/therapists/me/participants", signIn.Headers.Location?.OriginalString);
        var pages = await PageSignIn.SignedInClientAsync(server, "dev-therapist");
        var list = await pages.GetStringAsync(new Uri("/therapists/me/participants?limit=1000", UriKind.Relative));
        Assert.Contains($"/therapists/me/participants/{mine}", list, StringComparison.Ordinal);
        Assert.DoesNotContain(theirs, list, StringComparison.Ordinal);

        // Another therapist's participant is the API's 404, on every page and handler.
        Assert.Equal(HttpStatusCode.NotFound, (await pages.GetAsync(new Uri($"/therapists/me/participants/{theirs}", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await pages.GetAsync(new Uri($"/therapists/me/participants/{theirs}?handler=Protocol", UriKind.Relative))).StatusCode);

        // The logs carry the instrument's own labels and anchors.
        var page = await pages.GetStringAsync(new Uri($"/therapists/me/participants/{mine}", UriKind.Relative));
        Assert.Contains("Rupture in the alliance this session", page, StringComparison.Ordinal);
        Assert.Contains("Withdrawal (moving away, going quiet, deferring)", page, StringComparison.Ordinal);
        Assert.Contains("Homework tasks set this session", page, StringComparison.Ordinal);
        Assert.Contains("20 or more", page, StringComparison.Ordinal);
        Assert.Contains("<option value=\"alliance12\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("value=\"fidelity-", page, StringComparison.Ordinal); // rated blind by raters, not the therapist

        // A session without attendance: the form again with the message, nothing recorded.
        var noAttendance = await PostAsync(pages, mine, "Session", new() { ["Number"] = "1", ["Date"] = Today });
        Assert.Equal(HttpStatusCode.BadRequest, noAttendance.StatusCode);
        Assert.Contains("id=\"err-attendance\"", await noAttendance.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(await SessionsAsync(mine));

        var session = await PostAsync(pages, mine, "Session", new() { ["Number"] = "1", ["Date"] = Today, ["Attendance"] = "attended" });
        Assert.Equal(HttpStatusCode.Redirect, session.StatusCode);
        var recorded = Assert.Single(await SessionsAsync(mine));
        Assert.Equal((1, "attended", "dev-therapist"), (recorded.GetProperty("number").GetInt32(), recorded.GetProperty("attendance").GetString(), recorded.GetProperty("recordedBy").GetString()));
        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync(pages, theirs, "Session", new() { ["Number"] = "1", ["Date"] = Today, ["Attendance"] = "attended" })).StatusCode);
        Assert.Empty(await SessionsAsync(theirs));

        // The rupture log refuses a missing item that applies (a rupture, no type): shown beside the item, nothing saved.
        var incomplete = await PostAsync(pages, mine, "Log", new()
        {
            ["Instrument"] = "ruptureLog", ["Session"] = "1", ["CompletedOn"] = Today, ["item-1"] = "1", ["item-3"] = "0", ["item-5"] = "2",
        });
        Assert.Equal(HttpStatusCode.BadRequest, incomplete.StatusCode);
        Assert.Contains("id=\"err-items-2\"", await incomplete.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var unreadable = await PostAsync(pages, mine, "Log", new()
        {
            ["Instrument"] = "techniqueDose", ["Session"] = "1", ["CompletedOn"] = Today, ["item-1"] = "two", ["item-2"] = "0", ["item-3"] = "0", ["item-4"] = "0",
        });
        Assert.Equal(HttpStatusCode.BadRequest, unreadable.StatusCode);
        Assert.Contains("id=\"err-items-1\"", await unreadable.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(await MeasuresAsync(mine));

        var log = await PostAsync(pages, mine, "Log", new()
        {
            ["Instrument"] = "ruptureLog", ["Session"] = "1", ["CompletedOn"] = Today, ["item-1"] = "1", ["item-2"] = "0", ["item-3"] = "1", ["item-4"] = "0", ["item-5"] = "2",
        });
        Assert.Equal(HttpStatusCode.Redirect, log.StatusCode);
        var measure = Assert.Single(await MeasuresAsync(mine));
        Assert.Equal(("ruptureLog", 1, "dev-therapist"), (measure.GetProperty("instrument").GetString(), measure.GetProperty("session").GetInt32(), measure.GetProperty("recordedBy").GetString()));
        Assert.Equal(1, measure.GetProperty("items").GetProperty("3").GetInt32());

        // A questionnaire link: without a session it is refused; with one, the whole address to hand over, which opens the questionnaire.
        var noSession = await PostAsync(pages, mine, "Link", new() { ["Instrument"] = "alliance12" });
        Assert.Equal(HttpStatusCode.BadRequest, noSession.StatusCode);
        Assert.Contains("id=\"err-session\"", await noSession.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var linked = await PostAsync(pages, mine, "Link", new() { ["Instrument"] = "alliance12", ["Session"] = "1" });
        Assert.Equal(HttpStatusCode.OK, linked.StatusCode);
        var url = LinkOutput().Match(await linked.Content.ReadAsStringAsync());
        Assert.True(url.Success, "The page shows no questionnaire link.");
        var questionnaire = await PageSignIn.Client(server).GetAsync(new Uri(url.Groups[1].Value).PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, questionnaire.StatusCode);

        // The cell's protocol document, once made.
        await DocumentSupport.WaitForProtocolDocumentAsync(server.Client("dev-therapist"), mine, TimeSpan.FromSeconds(60));
        var pdf = await pages.GetAsync(new Uri($"/therapists/me/participants/{mine}?handler=Protocol", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, pdf.StatusCode);
        Assert.Equal("application/pdf", pdf.Content.Headers.ContentType?.MediaType);

        // Other roles do not get the therapist's pages.
        var coordinatorPages = await PageSignIn.SignedInClientAsync(server, "dev-coordinator");
        var refused = await coordinatorPages.GetAsync(new Uri($"/therapists/me/participants/{mine}", UriKind.Relative));
        Assert.True(refused.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Redirect, $"A coordinator got {refused.StatusCode}.");
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();

    [GeneratedRegex("<output id=\"questionnaire-link\"[^>]*>([^<]+)</output>")]
    private static partial Regex LinkOutput();
}

[Collection(SqliteServerCollection.Name)]
public sealed class TherapistPageTests_Sqlite(SqliteTrialServer server) : TherapistPageTests(server);

[Collection(PostgresServerCollection.Name)]
public sealed class TherapistPageTests_Postgres(PostgresTrialServer server) : TherapistPageTests(server), IRunsOnPostgres;
