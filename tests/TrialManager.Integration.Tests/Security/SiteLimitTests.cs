using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TrialManager.Integration.Tests.Api;
using TrialManager.Integration.Tests.Harness;

namespace TrialManager.Integration.Tests.Security;

/// <summary>A coordinator key limited to site AAA, and the ethics role, against participant-level data.</summary>
public abstract class SiteLimitTests(TrialServer server)
{
    private HttpClient SiteAaa => server.Client(SecurityTestSettings.SiteLimitedCoordinatorKey);

    [ServerFact]
    public async Task SiteLimitedCoordinator_CannotScreenAtAnotherSite_ButCanAtItsOwn()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);

        var elsewhere = await SiteAaa.PostJsonAsync($"/api/trials/{trialId}/participants", new { site = "BBB", ageYears = 30, severity = 15, exclusions = Array.Empty<string>() });
        var own = await SiteAaa.PostJsonAsync($"/api/trials/{trialId}/participants", new { site = "AAA", ageYears = 30, severity = 15, exclusions = Array.Empty<string>() });

        Assert.Equal(HttpStatusCode.Forbidden, elsewhere.StatusCode);
        Assert.Equal("application/problem+json", elsewhere.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Created, own.StatusCode);
    }

    [ServerFact]
    public async Task SiteLimitedCoordinator_AnotherSitesParticipant_IsNotFound_ExactlyLikeAnUnknownId()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        var other = await TestTrials.FormulatedParticipantAsync(server, trialId, site: "BBB");
        var unknown = $"{trialId}-BBB-9999";
        HttpRequestMessage[] Attempts(string id) =>
        [
            new(HttpMethod.Get, $"/api/participants/{id}"),
            new(HttpMethod.Post, $"/api/participants/{id}/randomization"),
            new(HttpMethod.Post, $"/api/participants/{id}/withdrawal") { Content = JsonContent.Create(new { category = "other", reason = "test" }) },
            new(HttpMethod.Post, $"/api/participants/{id}/events")
            {
                Content = JsonContent.Create(TestEvents.Body("adverseEvent", "2026-11-21", "x")),
            },
            new(HttpMethod.Get, $"/api/participants/{id}/protocol-document"),
        ];

        foreach (var (ofOther, ofUnknown) in Attempts(other).Zip(Attempts(unknown)))
        {
            var answer = await SiteAaa.SendAsync(ofOther);
            var unknownAnswer = await SiteAaa.SendAsync(ofUnknown);

            // Same status, same body (with the id swapped): nothing says that the id exists at another site.
            Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
            Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
            Assert.Equal((await unknownAnswer.Content.ReadAsStringAsync()).Replace(unknown, "{id}", StringComparison.Ordinal),
                (await answer.Content.ReadAsStringAsync()).Replace(other, "{id}", StringComparison.Ordinal));
            Assert.Equal(unknownAnswer.StatusCode, answer.StatusCode);
        }

        var record = await (await server.Coordinator.GetAsync($"/api/participants/{other}")).JsonAsync();
        Assert.Equal("formulated", record.GetProperty("status").GetString());
        Assert.Empty(record.GetProperty("events").EnumerateArray());
    }

    [ServerFact]
    public async Task SiteLimitedCoordinator_TrialCounts_CoverOnlyItsSites()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        await TestTrials.FormulatedParticipantAsync(server, trialId, site: "AAA");
        await TestTrials.FormulatedParticipantAsync(server, trialId, site: "BBB");
        var otherRandomized = await TestTrials.FormulatedParticipantAsync(server, trialId, site: "BBB");
        Assert.Equal(HttpStatusCode.Created, (await server.Coordinator.PostJsonAsync($"/api/participants/{otherRandomized}/randomization", null)).StatusCode);

        var one = (await (await SiteAaa.GetAsync($"/api/trials/{trialId}")).JsonAsync()).GetProperty("counts");
        var listed = (await (await SiteAaa.GetAsync("/api/trials?limit=1000")).JsonAsync()).EnumerateArray()
            .Single(t => t.GetProperty("id").GetString() == trialId).GetProperty("counts");
        var everySite = (await (await server.Coordinator.GetAsync($"/api/trials/{trialId}")).JsonAsync()).GetProperty("counts");

        foreach (var counts in new[] { one, listed })
        {
            Assert.Equal(1, counts.GetProperty("screened").GetInt32());
            Assert.Equal(0, counts.GetProperty("randomized").GetInt32());
            Assert.Equal("""{"formulated":1}""", counts.GetProperty("byStatus").GetRawText());
        }

        Assert.Equal(3, everySite.GetProperty("screened").GetInt32());
        Assert.Equal(1, everySite.GetProperty("randomized").GetInt32());
    }

    [ServerFact]
    public async Task SiteLimitedCoordinator_SeesOnlyItsSitesInLists()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        var own = await TestTrials.FormulatedParticipantAsync(server, trialId, site: "AAA");
        await TestTrials.FormulatedParticipantAsync(server, trialId, site: "BBB");

        var listed = await SiteAaa.GetAsync($"/api/trials/{trialId}/participants");
        Assert.True(listed.IsSuccessStatusCode, $"{listed.StatusCode} {await listed.Content.ReadAsStringAsync()} {string.Join("\n", server.Logs.Errors.TakeLast(2))}");
        var all = await listed.JsonAsync();
        var askedForOther = await (await SiteAaa.GetAsync($"/api/trials/{trialId}/participants?site=BBB")).JsonAsync();

        Assert.Equal([own], all.EnumerateArray().Select(p => p.GetProperty("id").GetString()));
        Assert.Empty(askedForOther.EnumerateArray());
        Assert.Equal(2, (await (await server.Coordinator.GetAsync($"/api/trials/{trialId}/participants")).JsonAsync()).GetArrayLength());
    }

    [ServerFact]
    public async Task Ethics_ConsortAndReportBodies_CarryNoStudyIds()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var id = await TestTrials.FormulatedParticipantAsync(server, trialId, site: i % 2 == 0 ? "AAA" : "BBB");
            Assert.Equal(HttpStatusCode.Created, (await server.Coordinator.PostJsonAsync($"/api/participants/{id}/randomization", null)).StatusCode);
            ids.Add(id);
        }

        var consort = await server.Ethics.GetAsync($"/api/trials/{trialId}/consort");
        var requested = await server.Ethics.PostJsonAsync($"/api/trials/{trialId}/reports", new { kind = "ethicsProgress" });
        Assert.Equal(HttpStatusCode.OK, consort.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, requested.StatusCode);
        var reportId = (await requested.JsonAsync()).GetProperty("id").GetString();
        var bodies = new List<string> { await consort.Content.ReadAsStringAsync(), await requested.Content.ReadAsStringAsync() };

        // The report itself: wait (bounded) for the PDF and read its text.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        string status;
        do
        {
            var report = await (await server.Ethics.GetAsync($"/api/reports/{reportId}")).JsonAsync();
            bodies.Add(report.GetRawText());
            status = report.GetProperty("status").GetString()!;
            if (status is "ready" or "failed")
            {
                break;
            }

            await Task.Delay(200);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Equal("ready", status);
        var pdf = await server.Ethics.GetByteArrayAsync($"/api/reports/{reportId}/pdf");
        bodies.Add(string.Join("\n", new PdfText(pdf).RawPages));

        bodies.Add(await (await server.Ethics.GetAsync($"/api/trials/{trialId}/reports")).Content.ReadAsStringAsync());
        foreach (var body in bodies)
        {
            Assert.DoesNotContain(ids, id => body.Contains(id, StringComparison.OrdinalIgnoreCase));
        }

        Assert.DoesNotContain("participantId", bodies[0], StringComparison.OrdinalIgnoreCase);
        _ = JsonDocument.Parse(bodies[0]);
    }
}

[Collection(SqliteServerCollection.Name)]
public sealed class SiteLimitTests_Sqlite(SqliteTrialServer server) : SiteLimitTests(server);

[Collection(PostgresServerCollection.Name)]
public sealed class SiteLimitTests_Postgres(PostgresTrialServer server) : SiteLimitTests(server), IRunsOnPostgres;
