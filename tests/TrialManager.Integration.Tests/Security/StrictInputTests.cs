using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using TrialManager.Integration.Tests.Api;
using TrialManager.Integration.Tests.Harness;

namespace TrialManager.Integration.Tests.Security;

/// <summary>
/// What a client did not mean is refused, not guessed: unknown (misspelled) members, missing required answers and
/// design fields the chosen method does not use are 400s that name the field, and nothing is stored.
/// </summary>
public abstract class StrictInputTests(TrialServer server)
{
    private const string UnknownField = "is not a known field";

    [ServerFact]
    public async Task Screen_WithAMisspelledMember_IsA400NamingIt_AndScreensNobody()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);

        var response = await PostRawAsync(server.Coordinator, $"/api/trials/{trialId}/participants",
            """{"site": "AAA", "ageYears": 30, "severity": 15, "exclusion": ["psychosis"]}""");
        var errors = await ProblemAssertions.Assert400Async(response);

        Assert.Equal([UnknownField], errors["exclusion"]);
        Assert.Equal("Invalid request", (await response.JsonAsync()).GetProperty("title").GetString()); // valid JSON, not "Malformed JSON"
        Assert.Equal(0, await ParticipantsAsync(trialId));
    }

    [ServerFact]
    public async Task Screen_WithoutExclusionsOrWithNull_IsA400_WhileAnEmptyListMeansNoneApply()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);

        foreach (var body in new[]
                 {
                     """{"site": "AAA", "ageYears": 30, "severity": 15}""",
                     """{"site": "AAA", "ageYears": 30, "severity": 15, "exclusions": null}""",
                     """{"site": "AAA", "ageYears": 30, "severity": 15, "motivation": 6, "expectancy": 7}""",
                 })
        {
            var errors = await ProblemAssertions.Assert400Async(await PostRawAsync(server.Coordinator, $"/api/trials/{trialId}/participants", body));
            errors.AssertNames("exclusions");
        }

        Assert.Equal(0, await ParticipantsAsync(trialId));
        var screened = await PostRawAsync(server.Coordinator, $"/api/trials/{trialId}/participants",
            """{"site": "AAA", "ageYears": 30, "severity": 15, "exclusions": []}""");
        Assert.Equal(HttpStatusCode.Created, screened.StatusCode);
        Assert.Equal("eligible", (await screened.JsonAsync()).GetProperty("status").GetString());
    }

    [ServerFact]
    public async Task RateFormulation_WithAMisspelledMember_IsA400NamingIt_AndRecordsNoRating()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        var screened = await server.Coordinator.PostJsonAsync($"/api/trials/{trialId}/participants",
            new { site = "AAA", ageYears = 30, severity = 15, exclusions = Array.Empty<string>() });
        var id = (await screened.JsonAsync()).GetProperty("id").GetString()!;
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await server.Coordinator.PostJsonAsync($"/api/participants/{id}/consent",
            new { consentVersion = "1.0", consentedOn = "2026-11-20" }));

        var misspelled = await ProblemAssertions.Assert400Async(await PostRawAsync(server.Coordinator, $"/api/participants/{id}/formulations",
            """{"rater": "R01", "scores": {"cognitive": 1, "interpersonal": 3, "behavioral": 0, "environmental": 0}, "concensus": true}"""));
        var unknownFactor = await ProblemAssertions.Assert400Async(await PostRawAsync(server.Coordinator, $"/api/participants/{id}/formulations",
            """{"rater": "R01", "scores": {"cognitive": 1, "interpersonal": 3, "behavioral": 0, "environmental": 0, "psychodynamic": 4}}"""));

        Assert.Equal([UnknownField], misspelled["concensus"]);
        Assert.Equal([UnknownField], unknownFactor["scores.psychodynamic"]);
        var record = await (await server.Coordinator.GetAsync($"/api/participants/{id}")).JsonAsync();
        Assert.Equal("consented", record.GetProperty("status").GetString());
    }

    [ServerFact]
    public async Task CreateTrial_WithAMisspelledNestedMember_IsA400NamingItsPath_AndCreatesNothing()
    {
        var definition = TestTrials.Definition();
        definition["eligibility"] = new { minAge = 18, maxAge = 70, minSeverity = 5, maxSeverity = 27, exclusion = new[] { "psychosis" } };

        var errors = await ProblemAssertions.Assert400Async(await server.Admin.PostJsonAsync("/api/trials", definition));

        Assert.Equal([UnknownField], errors["eligibility.exclusion"]);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Admin.GetAsync($"/api/trials/{definition["id"]}")).StatusCode);
    }

    [ServerFact]
    public async Task CreateTrial_WithFieldsTheMethodDoesNotUse_IsA400NamingEach_AndCreatesNothing()
    {
        var cases = new (string Field, object Randomization)[]
        {
            ("randomization.probability", new { method = "permutedBlocks", blockSizes = new[] { 2, 4 }, stratifyBy = new[] { "formulation" }, probability = 0.8 }),
            ("randomization.factors", new { method = "permutedBlocks", blockSizes = new[] { 2, 4 }, stratifyBy = new[] { "formulation" }, factors = new[] { "site" } }),
            ("randomization.imbalance", new { method = "permutedBlocks", blockSizes = new[] { 2, 4 }, stratifyBy = new[] { "formulation" }, imbalance = "variance" }),
            ("randomization.severityCutoff", new { method = "permutedBlocks", blockSizes = new[] { 2, 4 }, stratifyBy = new[] { "formulation" }, severityCutoff = 15 }),
            ("randomization.blockSizes", new { method = "minimization", factors = new[] { "formulation" }, probability = 0.8, blockSizes = new[] { 2, 4 } }),
            ("randomization.stratifyBy", new { method = "minimization", factors = new[] { "formulation" }, probability = 0.8, stratifyBy = new[] { "site" } }),
            ("randomization.severityCutoff", new { method = "minimization", factors = new[] { "formulation" }, probability = 0.8, severityCutoff = 15 }),
            ("randomization.blockSizes", new { method = "simple", blockSizes = new[] { 2 } }),
            ("randomization.probability", new { method = "simple", probability = 0.8 }),
        };

        foreach (var (field, randomization) in cases)
        {
            var definition = TestTrials.Definition(randomization: randomization);
            var errors = await ProblemAssertions.Assert400Async(await server.Admin.PostJsonAsync("/api/trials", definition));
            Assert.True(errors.Names(field), $"{System.Text.Json.JsonSerializer.Serialize(randomization)}: expected {field}; got {string.Join(", ", errors.Keys)}");
            Assert.Contains("does not apply", string.Join(" ", errors[field]), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.NotFound, (await server.Admin.GetAsync($"/api/trials/{definition["id"]}")).StatusCode);
        }
    }

    [ServerFact]
    public async Task CreateTrial_WithSettingsThatDefeatConcealment_IsA400ThatExplains()
    {
        var cases = new (string Field, string Why, Action<Dictionary<string, object?>> Set)[]
        {
            ("randomization.probability", "predict", d => d["randomization"] = new { method = "minimization", factors = new[] { "formulation" }, probability = 1.0 }),
            ("randomization.blockSizes", "predict", d => d["randomization"] = new { method = "permutedBlocks", blockSizes = new[] { 2 }, stratifyBy = new[] { "formulation" } }),
            ("randomization.blockSizes", "predict", d =>
            {
                d["arms"] = new object[] { new { code = "mediator", ratio = 2 }, new { code = "moderator", ratio = 1 } };
                d["randomization"] = new { method = "permutedBlocks", blockSizes = new[] { 3 }, stratifyBy = new[] { "formulation" } };
            }),
            ("randomization.severityCutoff", "same level", d => d["randomization"] = new
            {
                method = "minimization", factors = new[] { "formulation", "severity" }, probability = 0.8, severityCutoff = 30,
            }),
            ("randomization.severityCutoff", "same level", d => d["randomization"] = new
            {
                method = "permutedBlocks", blockSizes = new[] { 2, 4 }, stratifyBy = new[] { "formulation", "severity" }, severityCutoff = 5,
            }),
        };

        foreach (var (field, why, set) in cases)
        {
            var definition = TestTrials.Definition();
            set(definition);
            var errors = await ProblemAssertions.Assert400Async(await server.Admin.PostJsonAsync("/api/trials", definition));
            Assert.True(errors.Names(field), $"{System.Text.Json.JsonSerializer.Serialize(definition)}: expected {field}; got {string.Join(", ", errors.Keys)}");
            Assert.Contains(why, string.Join(" ", errors[field]), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.NotFound, (await server.Admin.GetAsync($"/api/trials/{definition["id"]}")).StatusCode);
        }

        // Just inside: a cutoff that splits the eligible range, several block sizes, or one larger than the ratio sum.
        foreach (var randomization in new object[]
                 {
                     new { method = "minimization", factors = new[] { "formulation", "severity" }, probability = 0.95, severityCutoff = 27 },
                     new { method = "permutedBlocks", blockSizes = new[] { 2, 4 }, stratifyBy = new[] { "formulation", "severity" }, severityCutoff = 6 },
                     new { method = "permutedBlocks", blockSizes = new[] { 4 }, stratifyBy = new[] { "formulation" } },
                 })
        {
            await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Admin.PostJsonAsync("/api/trials", TestTrials.Definition(randomization: randomization)));
        }
    }

    private Task<int> ParticipantsAsync(string trialId) => server.WithDbAsync(db => db.Participants.CountAsync(p => p.TrialId == trialId));

    private static Task<HttpResponseMessage> PostRawAsync(HttpClient client, string path, string json) =>
        client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
}

[Collection(SqliteServerCollection.Name)]
public sealed class StrictInputTests_Sqlite(SqliteTrialServer server) : StrictInputTests(server);

[Collection(PostgresServerCollection.Name)]
public sealed class StrictInputTests_Postgres(PostgresTrialServer server) : StrictInputTests(server), IRunsOnPostgres;
