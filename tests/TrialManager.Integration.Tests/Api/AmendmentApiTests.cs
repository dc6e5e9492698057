using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using TrialManager.Integration.Tests.Harness;

namespace TrialManager.Integration.Tests.Api;

/// <summary>POST and GET /api/trials/{id}/amendments (issue 17, Amendments) and the re-consent list they lead to.</summary>
public abstract class AmendmentApiTests(TrialServer server)
{
    private static readonly string Today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private static object Body(string version = "1.1", object? changes = null) => new
    {
        version,
        effectiveOn = "2026-12-05",
        ethicsApproval = new { reference = "IRB-2026-114", date = "2026-12-04" },
        changes = changes ?? new { addSites = new[] { "SEA" }, targetEnrollment = 300 },
    };

    [ServerFact]
    public async Task Amend_AddsASite_ThatScreensAndRandomizes_WhileThePlanHashAndTheBaseDefinitionStay()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        var first = await TestTrials.FormulatedParticipantAsync(server, trialId);
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Coordinator.PostJsonAsync($"/api/participants/{first}/randomization", null));
        var planBefore = await PlanHashAsync(trialId);
        Assert.Equal(HttpStatusCode.BadRequest,
            (await server.Coordinator.PostJsonAsync($"/api/trials/{trialId}/participants", new { site = "SEA", ageYears = 30, severity = 15, exclusions = Array.Empty<string>() })).StatusCode);

        var amended = await server.Admin.PostJsonAsync($"/api/trials/{trialId}/amendments", Body());

        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, amended);
        var amendment = await amended.JsonAsync();
        Assert.Equal("1.1", amendment.GetProperty("version").GetString());
        Assert.Equal("IRB-2026-114", amendment.GetProperty("ethicsApproval").GetProperty("reference").GetString());
        var trial = await (await server.Admin.GetAsync($"/api/trials/{trialId}")).JsonAsync();
        Assert.Equal(["AAA", "BBB", "SEA"], trial.GetProperty("sites").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(300, trial.GetProperty("targetEnrollment").GetInt32());
        Assert.Equal("1.1", trial.GetProperty("definitionVersion").GetString());

        // The new site screens and randomizes in a stratum of its own; the plan and every allocation still verify.
        var atSea = await TestTrials.FormulatedParticipantAsync(server, trialId, site: "SEA");
        var randomized = await server.Coordinator.PostJsonAsync($"/api/participants/{atSea}/randomization", null);
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, randomized);
        Assert.Contains("SEA", (await randomized.JsonAsync()).GetProperty("stratum").GetString(), StringComparison.Ordinal);
        Assert.Equal(planBefore, await PlanHashAsync(trialId));
        var verified = await (await server.Statistician.PostJsonAsync($"/api/trials/{trialId}/randomization-plan/verify", null)).JsonAsync();
        Assert.True(verified.GetProperty("matches").GetBoolean(), verified.GetRawText());
        Assert.Equal(2, verified.GetProperty("checked").GetInt32());

        // The registered definition is kept as it was created, in its own column.
        var stored = await server.WithDbAsync(db => db.Trials.AsNoTracking().SingleAsync(t => t.Id == trialId));
        Assert.Equal(["AAA", "BBB"], stored.BaseDefinition.Sites);
        Assert.Equal(100, stored.BaseDefinition.TargetEnrollment);

        var list = await (await server.Admin.GetAsync($"/api/trials/{trialId}/amendments")).JsonAsync();
        Assert.Equal(["1.1"], list.EnumerateArray().Select(a => a.GetProperty("version").GetString()));
    }

    [ServerFact]
    public async Task Amend_NamingTheDesign_IsA409ThatSaysWhy_AndChangesNothing()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        var design = new Dictionary<string, object>
        {
            ["randomization"] = new { method = "simple" },
            ["hypothesis"] = new { cognitive = "mediator" },
            ["arms"] = new[] { new { code = "mediator", ratio = 2 }, new { code = "moderator", ratio = 1 } },
            ["formulations"] = new[] { "cognitive" },
        };

        foreach (var (member, value) in design)
        {
            var response = await server.Admin.PostJsonAsync($"/api/trials/{trialId}/amendments",
                Body(changes: new Dictionary<string, object> { ["targetEnrollment"] = 300, [member] = value }));
            await ProblemAssertions.AssertConflictNamingAsync(response, member);
            await ProblemAssertions.AssertConflictNamingAsync(
                await server.Admin.PostJsonAsync($"/api/trials/{trialId}/amendments", Body(changes: new Dictionary<string, object> { [member] = value })), "left draft");
        }

        Assert.Equal(0, (await (await server.Admin.GetAsync($"/api/trials/{trialId}/amendments")).JsonAsync()).GetArrayLength());
        Assert.Equal(100, (await (await server.Admin.GetAsync($"/api/trials/{trialId}")).JsonAsync()).GetProperty("targetEnrollment").GetInt32());
    }

    [ServerFact]
    public async Task Amend_TargetBelowTheNumberRandomized_IsA409ThatSaysHowMany_AndChangesNothing()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        for (var i = 0; i < 2; i++)
        {
            var participant = await TestTrials.FormulatedParticipantAsync(server, trialId);
            await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Coordinator.PostJsonAsync($"/api/participants/{participant}/randomization", null));
        }

        // Screened but not randomized: not counted.
        await TestTrials.FormulatedParticipantAsync(server, trialId);

        await ProblemAssertions.AssertConflictNamingAsync(
            await server.Admin.PostJsonAsync($"/api/trials/{trialId}/amendments", Body(changes: new { targetEnrollment = 1 })), "2 participants are already randomized");
        Assert.Equal(0, (await (await server.Admin.GetAsync($"/api/trials/{trialId}/amendments")).JsonAsync()).GetArrayLength());
        Assert.Equal(100, (await (await server.Admin.GetAsync($"/api/trials/{trialId}")).JsonAsync()).GetProperty("targetEnrollment").GetInt32());

        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Admin.PostJsonAsync($"/api/trials/{trialId}/amendments", Body(changes: new { targetEnrollment = 2 })));
        Assert.Equal(2, (await (await server.Admin.GetAsync($"/api/trials/{trialId}")).JsonAsync()).GetProperty("targetEnrollment").GetInt32());
    }

    [ServerFact]
    public async Task Amend_BadInput_IsA400NamingTheField_AndVersionsMustIncrease()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        var cases = new (string Field, object Body)[]
        {
            ("changes.addSite", Body(changes: new { addSite = new[] { "SEA" } })),
            ("changes.addSites", Body(changes: new { addSites = new[] { "aaa" } })),
            ("changes.addSites", Body(changes: new { addSites = new[] { "S E A" } })),
            ("changes.protocolVersions.cognitive-mediator", Body(changes: new { protocolVersions = new Dictionary<string, string> { ["cognitive-mediator"] = "9.9" } })),
            ("changes.protocolVersions.astrology", Body(changes: new { protocolVersions = new Dictionary<string, string> { ["astrology"] = "1.1" } })),
            ("changes.consentVersion", Body(changes: new { consentVersion = "two" })),
            ("changes", Body(changes: new { })),
            ("version", Body(version: "1.0")),
            ("version", Body(version: "next")),
            ("ethicsApproval", new { version = "1.1", effectiveOn = "2026-12-05", changes = new { targetEnrollment = 300 } }),
            ("effectiveOn", new { version = "1.1", effectiveOn = "2026-12-01", ethicsApproval = new { reference = "IRB-2026-114", date = "2026-12-04" }, changes = new { targetEnrollment = 300 } }),
        };

        foreach (var (field, body) in cases)
        {
            var errors = await ProblemAssertions.Assert400Async(await server.Admin.PostJsonAsync($"/api/trials/{trialId}/amendments", body));
            Assert.True(errors.Names(field), $"{JsonSerializer.Serialize(body)}: expected an error for {field}; got {string.Join(", ", errors.Keys)}");
        }

        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Admin.PostJsonAsync($"/api/trials/{trialId}/amendments", Body("1.2")));
        (await ProblemAssertions.Assert400Async(await server.Admin.PostJsonAsync($"/api/trials/{trialId}/amendments", Body("1.1", new { targetEnrollment = 50 }))))
            .AssertNames("version");
        Assert.Equal(HttpStatusCode.NotFound, (await server.Admin.PostJsonAsync("/api/trials/no-such-trial/amendments", Body())).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await server.Coordinator.PostJsonAsync($"/api/trials/{trialId}/amendments", Body("1.3"))).StatusCode);
        Assert.Single((await (await server.Admin.GetAsync($"/api/trials/{trialId}/amendments")).JsonAsync()).EnumerateArray());
    }

    [ServerFact]
    public async Task NewConsentVersion_ListsOlderConsents_UntilReconsented_WithoutChangingTheStatus()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        var formulated = await TestTrials.FormulatedParticipantAsync(server, trialId);
        var randomized = await TestTrials.FormulatedParticipantAsync(server, trialId, site: "BBB");
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Coordinator.PostJsonAsync($"/api/participants/{randomized}/randomization", null));
        var reconsent = $"/api/trials/{trialId}/reconsent";
        Assert.Equal(0, (await (await server.Coordinator.GetAsync(reconsent)).JsonAsync()).GetArrayLength());
        // Without a newer version a second consent stays refused.
        await ProblemAssertions.AssertConflictNamingAsync(await server.Coordinator.PostJsonAsync($"/api/participants/{formulated}/consent",
            new { consentVersion = "2.0", consentedOn = Today }), "formulated");

        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created,
            await server.Admin.PostJsonAsync($"/api/trials/{trialId}/amendments", Body(changes: new { consentVersion = "2.0" })));

        var listed = await (await server.Coordinator.GetAsync(reconsent)).JsonAsync();
        Assert.Equal(new[] { formulated, randomized }.Order(StringComparer.Ordinal), listed.EnumerateArray().Select(p => p.GetProperty("participantId").GetString()!).Order(StringComparer.Ordinal));
        Assert.All(listed.EnumerateArray(), p => Assert.Equal(("1.0", "2.0"), (p.GetProperty("consentVersion").GetString(), p.GetProperty("currentVersion").GetString())));

        await ProblemAssertions.AssertConflictNamingAsync(await server.Coordinator.PostJsonAsync($"/api/participants/{randomized}/consent",
            new { consentVersion = "1.0", consentedOn = Today }), "2.0");
        var again = await server.Coordinator.PostJsonAsync($"/api/participants/{randomized}/consent", new { consentVersion = "2.0", consentedOn = Today });
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, again);
        var record = await again.JsonAsync();
        Assert.Equal("randomized", record.GetProperty("status").GetString());
        Assert.Equal("2.0", record.GetProperty("consent").GetProperty("version").GetString());
        Assert.Equal("2026-11-20", record.GetProperty("consent").GetProperty("consentedOn").GetString());
        Assert.Equal(Today, record.GetProperty("consent").GetProperty("reconsentedOn").GetString());

        var left = await (await server.Coordinator.GetAsync(reconsent)).JsonAsync();
        Assert.Equal([formulated], left.EnumerateArray().Select(p => p.GetProperty("participantId").GetString()));
        Assert.Equal(HttpStatusCode.Forbidden, (await server.Statistician.GetAsync(reconsent)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Coordinator.GetAsync("/api/trials/no-such-trial/reconsent")).StatusCode);
    }

    [ServerFact]
    public async Task EthicsAndDsmbReports_NameTheDefinitionVersionTheyWereMadeUnder()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Admin.PostJsonAsync($"/api/trials/{trialId}/amendments", Body("1.4")));

        var requested = await server.Ethics.PostJsonAsync($"/api/trials/{trialId}/reports", new { kind = "ethicsProgress" });
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Accepted, requested);
        await Documents.DocumentSupport.WaitForReportAsync(server.Ethics, requested.Headers.Location!, TimeSpan.FromSeconds(60));
        var pdf = await server.Ethics.GetByteArrayAsync(new Uri(requested.Headers.Location!.OriginalString + "/pdf", UriKind.Relative));

        Assert.True(new TrialManager.Testing.PdfText(pdf).Contains("Definition version 1.4"));

        // The closed report names it too: every report says which definition it was made under.
        var dsmb = server.Client("dev-dsmb");
        var closed = await dsmb.PostJsonAsync($"/api/trials/{trialId}/reports", new { kind = "dsmbClosed" });
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Accepted, closed);
        await Documents.DocumentSupport.WaitForReportAsync(dsmb, closed.Headers.Location!, TimeSpan.FromSeconds(60));
        var closedPdf = await dsmb.GetByteArrayAsync(new Uri(closed.Headers.Location!.OriginalString + "/pdf", UriKind.Relative));
        Assert.True(new TrialManager.Testing.PdfText(closedPdf).Contains("Definition version 1.4"));
    }

    [ServerFact]
    public async Task TrialList_ShowsEachAmendmentAndStatusChange_AtOnce()
    {
        // Trial reads share parsed definitions between requests: the list must still show the trial as it is now.
        var trialId = await TestTrials.CreateAsync(server, recruiting: false);
        async Task<JsonElement> ListedAsync(HttpClient client)
        {
            for (Uri? next = new("/api/trials?limit=1000", UriKind.Relative); next is not null;)
            {
                var response = await client.GetAsync(next);
                await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, response);
                if ((await response.JsonAsync()).EnumerateArray().FirstOrDefault(t => t.GetProperty("id").GetString() == trialId) is
                    { ValueKind: JsonValueKind.Object } found)
                {
                    Assert.Equal(found.GetRawText(), (await (await client.GetAsync($"/api/trials/{trialId}")).JsonAsync()).GetRawText());
                    return found;
                }

                next = response.Headers.TryGetValues("Link", out var link) && link.Single() is var l ? new Uri(l[1..l.IndexOf('>', StringComparison.Ordinal)]) : null;
            }

            throw new Xunit.Sdk.XunitException($"{trialId} is not listed");
        }

        void AssertShows(JsonElement trial, string status, string version, int target, string[] sites)
        {
            Assert.Equal(status, trial.GetProperty("status").GetString());
            Assert.Equal(version, trial.GetProperty("definitionVersion").GetString());
            Assert.Equal(target, trial.GetProperty("targetEnrollment").GetInt32());
            Assert.Equal(sites, trial.GetProperty("sites").EnumerateArray().Select(s => s.GetString()));
        }

        AssertShows(await ListedAsync(server.Admin), "draft", "1.0", 100, ["AAA", "BBB"]);
        AssertShows(await ListedAsync(server.Coordinator), "draft", "1.0", 100, ["AAA", "BBB"]);

        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Admin.PostJsonAsync($"/api/trials/{trialId}/amendments", Body()));
        AssertShows(await ListedAsync(server.Admin), "draft", "1.1", 300, ["AAA", "BBB", "SEA"]);
        AssertShows(await ListedAsync(server.Coordinator), "draft", "1.1", 300, ["AAA", "BBB", "SEA"]);

        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await server.Admin.PostJsonAsync($"/api/trials/{trialId}/status", new { status = "recruiting" }));
        AssertShows(await ListedAsync(server.Coordinator), "recruiting", "1.1", 300, ["AAA", "BBB", "SEA"]);

        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Admin.PostJsonAsync($"/api/trials/{trialId}/amendments",
            Body("1.2", new { addSites = new[] { "TOK" }, targetEnrollment = 400 })));
        AssertShows(await ListedAsync(server.Coordinator), "recruiting", "1.2", 400, ["AAA", "BBB", "SEA", "TOK"]);
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await server.Admin.PostJsonAsync($"/api/trials/{trialId}/status", new { status = "paused" }));
        AssertShows(await ListedAsync(server.Admin), "paused", "1.2", 400, ["AAA", "BBB", "SEA", "TOK"]);
    }

    private async Task<string> PlanHashAsync(string trialId) =>
        (await (await server.Statistician.GetAsync($"/api/trials/{trialId}/randomization-plan")).JsonAsync()).GetProperty("planSha256").GetString()!;
}

[Collection(SqliteServerCollection.Name)]
public sealed class AmendmentApiTests_Sqlite(SqliteTrialServer server) : AmendmentApiTests(server);

[Collection(PostgresServerCollection.Name)]
public sealed class AmendmentApiTests_Postgres(PostgresTrialServer server) : AmendmentApiTests(server), IRunsOnPostgres;
