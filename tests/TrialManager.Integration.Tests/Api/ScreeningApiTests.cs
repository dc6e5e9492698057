using System.Net;
using System.Text.Json;
using TrialManager.Integration.Tests.Harness;

namespace TrialManager.Integration.Tests.Api;

/// <summary>POST /api/trials/{id}/participants: eligibility, study ids, the trial's state, concurrency.</summary>
public abstract class ScreeningApiTests(TrialServer server)
{
    [ServerFact]
    public async Task Screen_Eligible_Is201WithLocationAndNoReasons()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);

        var response = await Screen(trialId, new { site = "AAA", ageYears = 34, severity = 18, exclusions = Array.Empty<string>(), motivation = 6, expectancy = 7 });

        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, response);
        var body = await response.JsonAsync();
        var id = body.GetProperty("id").GetString()!;
        Assert.Equal($"{trialId}-AAA-0001", id);
        Assert.Equal($"/api/participants/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal("eligible", body.GetProperty("status").GetString());
        Assert.Empty(body.GetProperty("reasons").EnumerateArray());
    }

    [ServerFact]
    public async Task Screen_FailingSeveralCriteria_ReturnsEveryReason()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);

        var response = await Screen(trialId, new { site = "AAA", ageYears = 75, severity = 3, exclusions = new[] { "psychosis", "bipolar" } });

        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, response);
        var body = await response.JsonAsync();
        Assert.Equal("screenFailed", body.GetProperty("status").GetString());
        var reasons = body.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()!).ToList();
        Assert.Equal(4, reasons.Count);
        Assert.Contains(reasons, r => r.Contains("age 75", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.Contains("severity 3", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.Contains("psychosis", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.Contains("bipolar", StringComparison.Ordinal));
    }

    [ServerFact]
    public async Task StudyIds_AreGapFreePerSite_EvenAroundRefusedRequests()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        var ids = new List<string>();
        async Task Ok(string site, int age = 30) => ids.Add((await (await Screen(trialId, new { site, ageYears = age, severity = 15, exclusions = Array.Empty<string>() })).JsonAsync()).GetProperty("id").GetString()!);

        await Ok("AAA");
        await Ok("AAA", age: 12); // a screen failure takes a number too: it is a screened person
        await ProblemAssertions.Assert400Async(await Screen(trialId, new { site = "AAA", ageYears = 300, severity = 15, exclusions = Array.Empty<string>() }));
        await ProblemAssertions.Assert400Async(await Screen(trialId, new { site = "AAA", ageYears = 30, severity = 15, exclusions = new[] { "unknownCriterion" } }));
        await Ok("BBB");
        await Ok("aaa"); // site codes match case-insensitively and the id uses the trial's spelling
        await server.Admin.PostJsonAsync($"/api/trials/{trialId}/status", new { status = "paused" });
        Assert.Equal(HttpStatusCode.Conflict, (await Screen(trialId, new { site = "AAA", ageYears = 30, severity = 15, exclusions = Array.Empty<string>() })).StatusCode);
        await server.Admin.PostJsonAsync($"/api/trials/{trialId}/status", new { status = "recruiting" });
        await Ok("AAA");

        Assert.Equal(
            [$"{trialId}-AAA-0001", $"{trialId}-AAA-0002", $"{trialId}-BBB-0001", $"{trialId}-AAA-0003", $"{trialId}-AAA-0004"],
            ids);
    }

    [ServerFact]
    public async Task Screen_OneHundredAtOneSiteInParallel_GetsIds0001To0100WithoutGapsOrDuplicates()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        var clients = Enumerable.Range(0, 8).Select(_ => server.Coordinator).ToArray();

        var responses = await Task.WhenAll(Enumerable.Range(0, 100).Select(i =>
            clients[i % clients.Length].PostJsonAsync($"/api/trials/{trialId}/participants", new { site = "AAA", ageYears = 30, severity = 15, exclusions = Array.Empty<string>() })));

        foreach (var response in responses)
        {
            await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, response);
        }

        var ids = new List<string>();
        foreach (var response in responses)
        {
            ids.Add((await response.JsonAsync()).GetProperty("id").GetString()!);
        }

        Assert.Equal(Enumerable.Range(1, 100).Select(n => $"{trialId}-AAA-{n:D4}"), ids.Order(StringComparer.Ordinal));
        var listed = await (await server.Coordinator.GetAsync($"/api/trials/{trialId}/participants")).JsonAsync();
        Assert.Equal(100, listed.GetArrayLength());
    }

    [ServerFact]
    public async Task Screen_WhenTheTrialIsNotRecruiting_Is409NamingTheTrialState()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: false);
        var person = new { site = "AAA", ageYears = 30, severity = 15, exclusions = Array.Empty<string>() };

        await ProblemAssertions.AssertConflictNamingAsync(await Screen(trialId, person), "draft");
        await server.Admin.PostJsonAsync($"/api/trials/{trialId}/status", new { status = "recruiting" });
        await server.Admin.PostJsonAsync($"/api/trials/{trialId}/status", new { status = "paused" });
        await ProblemAssertions.AssertConflictNamingAsync(await Screen(trialId, person), "paused");
        await server.Admin.PostJsonAsync($"/api/trials/{trialId}/status", new { status = "closed" });
        await ProblemAssertions.AssertConflictNamingAsync(await Screen(trialId, person), "closed");
        Assert.Equal(0, (await (await server.Coordinator.GetAsync($"/api/trials/{trialId}/participants")).JsonAsync()).GetArrayLength());
    }

    [ServerFact]
    public async Task Screen_InvalidFields_Are400NamingEachField()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);

        (await ProblemAssertions.Assert400Async(await Screen(trialId, new { site = "ZZZ", ageYears = 30, severity = 15, exclusions = Array.Empty<string>() }))).AssertNames("site");
        (await ProblemAssertions.Assert400Async(await Screen(trialId, new { site = "AAA", ageYears = 30, severity = 15, exclusions = new[] { "smoker" } }))).AssertNames("exclusions");
        var errors = await ProblemAssertions.Assert400Async(await Screen(trialId, new { ageYears = -1, severity = (int?)null, motivation = 11, expectancy = -2 }));
        foreach (var field in new[] { "site", "ageYears", "severity", "exclusions", "motivation", "expectancy" })
        {
            errors.AssertNames(field);
        }

        (await ProblemAssertions.Assert400Async(await server.Coordinator.PostAsync($"/api/trials/{trialId}/participants",
            new StringContent("{\"site\": \"AAA\", \"ageYears\": \"thirty\"}", System.Text.Encoding.UTF8, "application/json")))).AssertNames("ageYears");
    }

    [ServerFact]
    public async Task Screen_UnknownTrial_Is404_AndOnlyCoordinatorsMayScreen()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        var person = new { site = "AAA", ageYears = 30, severity = 15, exclusions = Array.Empty<string>() };

        Assert.Equal(HttpStatusCode.NotFound, (await Screen("no-such-trial", person)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Client(null).PostJsonAsync($"/api/trials/{trialId}/participants", person)).StatusCode);
        foreach (var client in new[] { server.Statistician, server.Ethics, server.Admin })
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await client.PostJsonAsync($"/api/trials/{trialId}/participants", person)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync($"/api/trials/{trialId}/participants")).StatusCode);
        }
    }

    [ServerFact]
    public async Task Screen_WithIdentifiersInTheBody_IsRefused_AndStoresNone()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);

        var response = await server.Coordinator.PostAsync($"/api/trials/{trialId}/participants", new StringContent(
            "{\"site\":\"AAA\",\"ageYears\":30,\"severity\":15,\"exclusions\":[],\"name\":\"Jane Roe\",\"birthDate\":\"1990-01-01\"}",
            System.Text.Encoding.UTF8, "application/json"));

        (await ProblemAssertions.Assert400Async(response)).AssertNames("name");
        var list = await (await server.Coordinator.GetAsync($"/api/trials/{trialId}/participants")).Content.ReadAsStringAsync();
        Assert.Equal("[]", list);
        var audit = await (await server.Admin.GetAsync($"/api/audit?trialId={trialId}")).Content.ReadAsStringAsync();
        Assert.DoesNotContain("Jane", audit, StringComparison.Ordinal);
    }

    private Task<HttpResponseMessage> Screen(string trialId, object body) =>
        server.Coordinator.PostJsonAsync($"/api/trials/{trialId}/participants", body);
}

[Collection(SqliteServerCollection.Name)]
public sealed class ScreeningApiTests_Sqlite(SqliteTrialServer server) : ScreeningApiTests(server);

[Collection(PostgresServerCollection.Name)]
public sealed class ScreeningApiTests_Postgres(PostgresTrialServer server) : ScreeningApiTests(server), IRunsOnPostgres;
