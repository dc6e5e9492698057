using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using TrialManager.Integration.Tests.Api;
using TrialManager.Integration.Tests.Harness;

namespace TrialManager.Integration.Tests.Corrections;

/// <summary>
/// Corrections, ineligibility after consent and data queries on the pages: each through the API's command, bad input
/// shown again with the API's message and nothing saved.
/// </summary>
public abstract partial class CorrectionPageTests(TrialServer server)
{
    private static async Task<HttpResponseMessage> PostFormAsync(HttpClient pages, string html, string path, Dictionary<string, string> fields)
    {
        fields["__RequestVerificationToken"] = WebUtility.HtmlDecode(TokenField().Match(html).Groups[1].Value);
        using var body = new FormUrlEncodedContent(fields);
        return await pages.PostAsync(new Uri(path, UriKind.Relative), body);
    }

    private async Task<JsonElement> ParticipantAsync(string id) => await (await server.Coordinator.GetAsync($"/api/participants/{id}")).JsonAsync();

    [ServerFact]
    public async Task Coordinator_CorrectsAScreeningAnswer_WithAReason_SeesOldAndNew_AndDeclaresIneligibleBeforeRandomization()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        var id = await TestTrials.FormulatedParticipantAsync(server, trialId);
        var pages = await PageSignIn.SignedInClientAsync(server, "dev-coordinator");
        var path = $"/participants/{id}";
        var page = await pages.GetStringAsync(new Uri(path, UriKind.Relative));
        Assert.Contains("No value of this record has been corrected.", page, StringComparison.Ordinal);
        Assert.Contains("handler=Ineligible", page, StringComparison.Ordinal);

        // No reason: the API's message on the reason field, the typed value kept, nothing corrected.
        var noReason = await PostFormAsync(pages, page, $"{path}?handler=Correct", new() { ["CorrectionField"] = "severity", ["CorrectionValue"] = "22" });
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        var refused = await noReason.Content.ReadAsStringAsync();
        Assert.Contains("id=\"err-correction-reason\"", refused, StringComparison.Ordinal);
        Assert.Contains("is required: why the value is corrected", refused, StringComparison.Ordinal);
        Assert.Contains("value=\"22\"", refused, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"err-reason\"", refused, StringComparison.Ordinal); // the withdrawal form stays closed
        // A value the Corrector refuses as at entry.
        var badValue = await PostFormAsync(pages, page, $"{path}?handler=Correct",
            new() { ["CorrectionField"] = "severity", ["CorrectionValue"] = "high", ["CorrectionReason"] = "typo" });
        Assert.Equal(HttpStatusCode.BadRequest, badValue.StatusCode);
        Assert.Contains("id=\"err-correction-value\"", await badValue.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var unchanged = await ParticipantAsync(id);
        Assert.Equal(15, unchanged.GetProperty("severity").GetInt32());
        Assert.Empty(unchanged.GetProperty("corrections").EnumerateArray());

        var corrected = await PostFormAsync(pages, page, $"{path}?handler=Correct",
            new() { ["CorrectionField"] = "severity", ["CorrectionValue"] = "22", ["CorrectionReason"] = "transcribed from the wrong form" });
        Assert.Equal(HttpStatusCode.Redirect, corrected.StatusCode);
        var record = await ParticipantAsync(id);
        Assert.Equal(22, record.GetProperty("severity").GetInt32());
        var correction = Assert.Single(record.GetProperty("corrections").EnumerateArray());
        var by = correction.GetProperty("correctedBy").GetString()!;
        page = await pages.GetStringAsync(new Uri(path, UriKind.Relative));
        Assert.Matches($"<tr><td>severity</td><td>15</td><td>22</td><td>{Regex.Escape(by)}</td><td>[0-9-]+ [0-9:]+ UTC</td><td>transcribed from the wrong form</td></tr>", page);

        // Ineligible after consent: the criterion is required; then the status and the criterion, and no form any more.
        var noCriterion = await PostFormAsync(pages, page, $"{path}?handler=Ineligible", new() { ["IneligibilityNote"] = "seen at the second interview" });
        Assert.Equal(HttpStatusCode.BadRequest, noCriterion.StatusCode);
        var noCriterionPage = await noCriterion.Content.ReadAsStringAsync();
        Assert.Contains("id=\"err-criterion\"", noCriterionPage, StringComparison.Ordinal);
        Assert.Contains("seen at the second interview", noCriterionPage, StringComparison.Ordinal);
        Assert.Equal("formulated", (await ParticipantAsync(id)).GetProperty("status").GetString());

        var declared = await PostFormAsync(pages, page, $"{path}?handler=Ineligible",
            new() { ["Criterion"] = "current psychosis", ["IneligibilityNote"] = "seen at the second interview" });
        Assert.Equal(HttpStatusCode.Redirect, declared.StatusCode);
        var ineligible = await ParticipantAsync(id);
        Assert.Equal(("ineligible", "current psychosis"),
            (ineligible.GetProperty("status").GetString(), ineligible.GetProperty("ineligibility").GetProperty("criterion").GetString()));
        page = await pages.GetStringAsync(new Uri(path, UriKind.Relative));
        Assert.Contains("Ineligible after consent on", page, StringComparison.Ordinal);
        Assert.DoesNotContain("handler=Ineligible", page, StringComparison.Ordinal);

        // A randomized participant has no such form: ineligibility found then is a correction, not this step.
        var randomized = await TestTrials.FormulatedParticipantAsync(server, trialId);
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Coordinator.PostJsonAsync($"/api/participants/{randomized}/randomization", null));
        Assert.DoesNotContain("handler=Ineligible", await pages.GetStringAsync(new Uri($"/participants/{randomized}", UriKind.Relative)), StringComparison.Ordinal);
    }

    private async Task<List<JsonElement>> QueriesAsync(string trialId, string status) =>
        [.. (await (await server.Statistician.GetAsync($"/api/trials/{trialId}/queries?status={status}")).JsonAsync()).EnumerateArray()];

    [ServerFact]
    public async Task Statistician_RaisesAQueryOnThePage_TheSitesCoordinatorSeesAndAnswersIt_EachOnlyWithTheirRole()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        var id = await TestTrials.FormulatedParticipantAsync(server, trialId);
        var elsewhere = await TestTrials.FormulatedParticipantAsync(server, trialId, site: "BBB");
        var path = $"/trials/{trialId}/queries";
        var statistician = await PageSignIn.SignedInClientAsync(server, "dev-statistician");
        var page = await statistician.GetStringAsync(new Uri(path, UriKind.Relative));
        Assert.Contains("Raise a query", page, StringComparison.Ordinal);
        Assert.DoesNotContain("handler=Answer", page, StringComparison.Ordinal);

        // Missing question, unknown participant: the messages on their fields, nothing raised.
        var noQuestion = await PostFormAsync(statistician, page, $"{path}?handler=Raise", new() { ["ParticipantId"] = id, ["Target"] = "participant", ["Field"] = "severity" });
        Assert.Equal(HttpStatusCode.BadRequest, noQuestion.StatusCode);
        Assert.Contains("is required: what the site should check", await noQuestion.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var unknown = await PostFormAsync(statistician, page, $"{path}?handler=Raise",
            new() { ["ParticipantId"] = "NOPE-999", ["Target"] = "participant", ["Field"] = "severity", ["Question"] = "?" });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("id=\"err-participantId\"", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var badField = await PostFormAsync(statistician, page, $"{path}?handler=Raise",
            new() { ["ParticipantId"] = id, ["Target"] = "participant", ["Field"] = "severty", ["Question"] = "?" });
        Assert.Equal(HttpStatusCode.BadRequest, badField.StatusCode);
        Assert.Contains("id=\"err-field\"", await badField.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(await QueriesAsync(trialId, "all"));

        foreach (var (participant, question) in new[] { (id, "Severity 15 is unusual: please check the source form."), (elsewhere, "Site BBB: please confirm.") })
        {
            var raised = await PostFormAsync(statistician, page, $"{path}?handler=Raise",
                new() { ["ParticipantId"] = participant, ["Target"] = "participant", ["Field"] = "severity", ["Question"] = question });
            Assert.Equal(HttpStatusCode.Redirect, raised.StatusCode);
        }

        var query = (await QueriesAsync(trialId, "open")).Single(q => q.GetProperty("participantId").GetString() == id);
        Assert.Equal(("severity", "dev-statistician"), (query.GetProperty("field").GetString(), query.GetProperty("raisedBy").GetString()));
        var queryId = query.GetProperty("id").GetString()!;

        // The coordinator limited to site AAA sees AAA's query only, and answers it; an empty answer is refused.
        var coordinator = await PageSignIn.SignedInClientAsync(server, SecurityTestSettings.SiteLimitedCoordinatorKey);
        var coordinatorPage = WebUtility.HtmlDecode(await coordinator.GetStringAsync(new Uri(path, UriKind.Relative)));
        Assert.Contains("Severity 15 is unusual: please check the source form.", coordinatorPage, StringComparison.Ordinal);
        Assert.DoesNotContain("Site BBB: please confirm.", coordinatorPage, StringComparison.Ordinal);
        Assert.DoesNotContain("Raise a query", coordinatorPage, StringComparison.Ordinal);
        var raisedByCoordinator = await PostFormAsync(coordinator, coordinatorPage, $"{path}?handler=Raise",
            new() { ["ParticipantId"] = id, ["Target"] = "participant", ["Field"] = "ageYears", ["Question"] = "?" });
        Assert.Equal(HttpStatusCode.Forbidden, raisedByCoordinator.StatusCode);
        var answeredByStatistician = await PostFormAsync(statistician, page, $"{path}?handler=Answer", new() { ["QueryId"] = queryId, ["Answer"] = "x" });
        Assert.Equal(HttpStatusCode.Forbidden, answeredByStatistician.StatusCode);

        var empty = await PostFormAsync(coordinator, coordinatorPage, $"{path}?handler=Answer", new() { ["QueryId"] = queryId, ["Answer"] = " " });
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Contains("is required: the site&#x27;s answer", await empty.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(2, (await QueriesAsync(trialId, "open")).Count);

        var answered = await PostFormAsync(coordinator, coordinatorPage, $"{path}?handler=Answer",
            new() { ["QueryId"] = queryId, ["Answer"] = "Checked against the source form: 15 is right." });
        Assert.Equal(HttpStatusCode.Redirect, answered.StatusCode);
        var closed = Assert.Single(await QueriesAsync(trialId, "answered"));
        Assert.Equal(("Checked against the source form: 15 is right.", "coordinator-aaa"),
            (closed.GetProperty("answer").GetString(), closed.GetProperty("answeredBy").GetString()));
        Assert.DoesNotContain("please check the source form", await coordinator.GetStringAsync(new Uri(path, UriKind.Relative)), StringComparison.Ordinal);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}

[Collection(SqliteServerCollection.Name)]
public sealed class CorrectionPageTests_Sqlite(SqliteTrialServer server) : CorrectionPageTests(server);

[Collection(PostgresServerCollection.Name)]
public sealed class CorrectionPageTests_Postgres(PostgresTrialServer server) : CorrectionPageTests(server), IRunsOnPostgres;
