using System.Net;
using System.Text.Json;
using TrialManager.Integration.Tests.Harness;

namespace TrialManager.Integration.Tests.Api;

/// <summary>POST /api/trials, GET /api/trials[/{id}], POST /api/trials/{id}/status.</summary>
public abstract class TrialApiTests(TrialServer server)
{
    private const string Secret = "5ec7e75ec7e75ec7e75ec7e75ec7e75e";

    [ServerFact]
    public async Task CreateTrial_WithEveryFieldWrong_NamesEachBadField()
    {
        var definition = TestTrials.Definition(id: "Bad Id!");
        definition["title"] = "";
        definition["targetEnrollment"] = 0;
        definition["sites"] = new[] { "AAA", "AAA" };
        definition["formulations"] = new[] { "cognitive", "astrological" };
        definition["arms"] = new object[] { new { code = "mediator", ratio = 1 }, new { code = "placebo", ratio = 1 } };
        definition["randomization"] = new { method = "coinToss", seed = (string?)null };
        definition["eligibility"] = new { minAge = 40, maxAge = 30, minSeverity = 20, maxSeverity = 10, exclusions = new[] { "psychosis" } };
        definition["formulationRule"] = new { minMargin = 9 };

        var errors = await ProblemAssertions.Assert400Async(await server.Admin.PostJsonAsync("/api/trials", definition));

        foreach (var field in new[]
                 {
                     "id", "title", "targetEnrollment", "sites", "formulations", "arms", "randomization.method",
                     "eligibility.maxAge", "eligibility.maxSeverity", "formulationRule.minMargin",
                 })
        {
            errors.AssertNames(field);
        }
    }

    [ServerFact]
    public async Task CreateTrial_EachInvalidRule_IsA400NamingItsField()
    {
        var cases = new (string Field, Action<Dictionary<string, object?>> Break)[]
        {
            ("randomization.blockSizes", d => d["randomization"] = new { method = "permutedBlocks", blockSizes = new[] { 4, 5 }, stratifyBy = new[] { "formulation" } }),
            ("randomization.blockSizes", d =>
            {
                d["arms"] = new object[] { new { code = "mediator", ratio = 2 }, new { code = "moderator", ratio = 1 } };
                d["randomization"] = new { method = "permutedBlocks", blockSizes = new[] { 3, 4 }, stratifyBy = new[] { "formulation" } };
            }),
            ("randomization.stratifyBy", d => d["randomization"] = new { method = "permutedBlocks", blockSizes = new[] { 4 }, stratifyBy = new[] { "site" } }),
            ("formulations", d => d["formulations"] = new[] { "psychodynamic" }),
            ("formulations", d => d["formulations"] = Array.Empty<string>()),
            ("sites", d => d["sites"] = new[] { "NYC", "BOS", "NYC" }),
            ("sites", d => d["sites"] = new[] { "NYC", "nyc" }),
            ("eligibility.maxAge", d => d["eligibility"] = new { minAge = 66, maxAge = 65, minSeverity = 5, maxSeverity = 27 }),
            ("randomization.method", d => d["randomization"] = new { method = "urn" }),
            ("randomization.probability", d => d["randomization"] = new { method = "minimization", factors = new[] { "formulation" }, probability = 0.5 }),
            ("randomization.probability", d => d["randomization"] = new { method = "minimization", factors = new[] { "formulation" }, probability = 1.01 }),
            ("randomization.probability", d => d["randomization"] = new { method = "minimization", factors = new[] { "formulation" } }),
            ("randomization.severityCutoff", d => d["randomization"] = new { method = "minimization", factors = new[] { "severity" }, probability = 0.8 }),
            ("id", d => d["id"] = "ab"),
            ("id", d => d["id"] = new string('a', 41)),
            ("id", d => d["id"] = "UPPER-case"),
            ("arms", d => d["arms"] = new object[] { new { code = "mediator", ratio = 1 } }),
        };

        foreach (var (field, breakIt) in cases)
        {
            var definition = TestTrials.Definition();
            breakIt(definition);
            var response = await server.Admin.PostJsonAsync("/api/trials", definition);
            var errors = await ProblemAssertions.Assert400Async(response);
            Assert.True(errors.Names(field), $"{JsonSerializer.Serialize(definition)}: expected an error for {field}; got {string.Join(", ", errors.Keys)}");
        }
    }

    [ServerFact]
    public async Task CreateTrial_ValidEdgeValues_AreAccepted()
    {
        var minimization = TestTrials.Definition();
        minimization["randomization"] = new { method = "minimization", factors = new[] { "formulation", "site", "severity" }, probability = 0.99, severityCutoff = 15 };
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Admin.PostJsonAsync("/api/trials", minimization));

        var unequal = TestTrials.Definition();
        unequal["arms"] = new object[] { new { code = "mediator", ratio = 2 }, new { code = "moderator", ratio = 1 } };
        unequal["randomization"] = new { method = "permutedBlocks", blockSizes = new[] { 3, 6 }, stratifyBy = new[] { "formulation", "site" }, seed = "0f1e2d3c4b5a69788796a5b4c3d2e1f0" };
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Admin.PostJsonAsync("/api/trials", unequal));

        var simple = TestTrials.Definition();
        simple["randomization"] = new { method = "simple" };
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Admin.PostJsonAsync("/api/trials", simple));
    }

    [ServerFact]
    public async Task CreateTrial_SafetyContacts_AreCheckedByPath_AndShownToAdminsOnly()
    {
        var cases = new (string Field, object Contacts)[]
        {
            ("safetyContacts[1]", new[] { "pi@example.org", "not an address" }),
            ("safetyContacts[0]", new[] { "Principal Investigator <pi@example.org>" }),
            ("safetyContacts[0]", new[] { "pi@example.org, other@example.org" }),
            ("safetyContacts[0]", new string?[] { null }),
            ("safetyContacts", new[] { "pi@example.org", "PI@example.org" }),
        };
        foreach (var (field, contacts) in cases)
        {
            var bad = TestTrials.Definition();
            bad["safetyContacts"] = contacts;
            var errors = await ProblemAssertions.Assert400Async(await server.Admin.PostJsonAsync("/api/trials", bad));
            Assert.True(errors.Names(field), $"{JsonSerializer.Serialize(contacts)}: expected an error for {field}; got {string.Join(", ", errors.Keys)}");
            Assert.Equal(HttpStatusCode.NotFound, (await server.Admin.GetAsync($"/api/trials/{bad["id"]}")).StatusCode);
        }

        var definition = TestTrials.Definition();
        definition["safetyContacts"] = new[] { "pi@example.org", "safety@example.org" };
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Admin.PostJsonAsync("/api/trials", definition));
        var path = $"/api/trials/{definition["id"]}";
        var shown = (await (await server.Admin.GetAsync(path)).JsonAsync()).GetProperty("safetyContacts");
        Assert.Equal(["pi@example.org", "safety@example.org"], shown.EnumerateArray().Select(c => c.GetString()));
        foreach (var other in new[] { server.Coordinator, server.Statistician, server.Ethics })
        {
            Assert.Equal(JsonValueKind.Null, (await (await other.GetAsync(path)).JsonAsync()).GetProperty("safetyContacts").ValueKind);
        }

        // Absent: none, shown to the admin as an empty list.
        var without = TestTrials.Definition();
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Admin.PostJsonAsync("/api/trials", without));
        Assert.Empty((await (await server.Admin.GetAsync($"/api/trials/{without["id"]}")).JsonAsync()).GetProperty("safetyContacts").EnumerateArray());
    }

    [ServerFact]
    public async Task CreateTrial_WithASeedOfLessThan128Bits_IsA400ThatSaysWhy_AndCreatesNothing()
    {
        var seeds = new object?[]
        {
            12345, 0, 1.5, true, new[] { "0123456789abcdef0123456789abcdef" }, "", "my-seed", "s3cret",
            "0123456789abcdef0123456789abcde", // 31 hex characters
            "0123456789abcdef0123456789abcdeg", // 32 characters, one not hexadecimal
            "0123456789abcdef 0123456789abcdef", "0x0123456789abcdef0123456789abcdef", new string('a', 201),
        };

        foreach (var seed in seeds)
        {
            var definition = TestTrials.Definition();
            definition["randomization"] = new { method = "permutedBlocks", blockSizes = new[] { 2, 4 }, stratifyBy = new[] { "formulation" }, seed };
            var errors = await ProblemAssertions.Assert400Async(await server.Admin.PostJsonAsync("/api/trials", definition));
            errors.AssertNames("randomization.seed");
            Assert.Contains("128 bits", string.Join(" ", errors["randomization.seed"]), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.NotFound, (await server.Admin.GetAsync($"/api/trials/{definition["id"]}")).StatusCode);
        }
    }

    [ServerFact]
    public async Task CreateTrial_WithAnExplicitSeedOf32HexCharacters_KeepsIt_AndKeysItsSequenceByTheTrial()
    {
        foreach (var seed in new[] { "0123456789abcdef0123456789ABCDEF", new string('f', 64) })
        {
            var definition = TestTrials.Definition();
            definition["randomization"] = new { method = "permutedBlocks", blockSizes = new[] { 2, 4 }, stratifyBy = new[] { "formulation" }, seed };
            await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Admin.PostJsonAsync("/api/trials", definition));

            var plan = await (await server.Statistician.GetAsync($"/api/trials/{definition["id"]}/randomization-plan")).JsonAsync();
            Assert.Equal(seed, plan.GetProperty("seed").GetString());
            Assert.Equal(2, plan.GetProperty("derivation").GetInt32());
            Assert.Contains($"'{definition["id"]}'", plan.GetProperty("regenerate").GetString(), StringComparison.Ordinal);
            Assert.Contains("\"trialmanager/v2/\" + trialId", plan.GetProperty("algorithm").GetString(), StringComparison.Ordinal);
        }
    }

    [ServerFact]
    public async Task CreateTrial_WithAnExistingId_IsAConflict()
    {
        var definition = TestTrials.Definition();
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Admin.PostJsonAsync("/api/trials", definition));

        await ProblemAssertions.AssertConflictNamingAsync(await server.Admin.PostJsonAsync("/api/trials", definition), (string)definition["id"]!);
    }

    [ServerFact]
    public async Task CreateTrial_NeedsTheAdminRole()
    {
        var definition = TestTrials.Definition();
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Client(null).PostJsonAsync("/api/trials", definition)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Client("not-a-key").PostJsonAsync("/api/trials", definition)).StatusCode);
        foreach (var client in new[] { server.Coordinator, server.Statistician, server.Ethics })
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await client.PostJsonAsync("/api/trials", definition)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await server.Admin.GetAsync($"/api/trials/{definition["id"]}")).StatusCode);
    }

    [ServerFact]
    public async Task GetTrial_ShowsSeedAndRestrictionsToStatisticiansOnly()
    {
        var definition = TestTrials.Definition();
        definition["randomization"] = new { method = "permutedBlocks", blockSizes = new[] { 2, 4 }, stratifyBy = new[] { "formulation", "site" }, seed = Secret };
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Admin.PostJsonAsync("/api/trials", definition));
        var minimization = TestTrials.Definition();
        minimization["randomization"] = new { method = "minimization", factors = new[] { "formulation", "site" }, probability = 0.8 };
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Admin.PostJsonAsync("/api/trials", minimization));

        var forStatistician = (await (await server.Statistician.GetAsync($"/api/trials/{definition["id"]}")).JsonAsync()).GetProperty("randomization");
        Assert.Equal(Secret, forStatistician.GetProperty("seed").GetString());
        Assert.Equal([2, 4], forStatistician.GetProperty("blockSizes").EnumerateArray().Select(e => e.GetInt32()));
        var minForStatistician = (await (await server.Statistician.GetAsync($"/api/trials/{minimization["id"]}")).JsonAsync()).GetProperty("randomization");
        Assert.Equal(0.8, minForStatistician.GetProperty("probability").GetDouble());

        foreach (var client in new[] { server.Coordinator, server.Ethics, server.Admin })
        {
            foreach (var id in new[] { definition["id"], minimization["id"] })
            {
                var response = await client.GetAsync($"/api/trials/{id}");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                var text = await response.Content.ReadAsStringAsync();
                Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
                var randomization = JsonDocument.Parse(text).RootElement.GetProperty("randomization");
                Assert.True(IsAbsent(randomization, "seed") && IsAbsent(randomization, "blockSizes") && IsAbsent(randomization, "probability"), text);
            }

            var listResponse = await client.GetAsync("/api/trials?limit=1000");
            var list = await listResponse.Content.ReadAsStringAsync();
            Assert.True(listResponse.StatusCode == HttpStatusCode.OK, list);
            Assert.DoesNotContain(Secret, list, StringComparison.Ordinal);
            var listed = JsonDocument.Parse(list).RootElement.EnumerateArray().Single(t => t.GetProperty("id").GetString() == (string)definition["id"]!);
            Assert.True(IsAbsent(listed.GetProperty("randomization"), "blockSizes"));
        }

        var statisticianList = (await (await server.Statistician.GetAsync("/api/trials?limit=1000")).JsonAsync()).EnumerateArray()
            .Single(t => t.GetProperty("id").GetString() == (string)definition["id"]!);
        Assert.Equal(Secret, statisticianList.GetProperty("randomization").GetProperty("seed").GetString());
    }

    [ServerFact]
    public async Task GetTrial_UnknownOrMalformedId_Is404_AndNeedsAKey()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await server.Coordinator.GetAsync("/api/trials/no-such-trial")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Coordinator.GetAsync("/api/trials/NOT%20valid%20%25")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Client(null).GetAsync("/api/trials")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Client(null).GetAsync("/api/trials/no-such-trial")).StatusCode);
    }

    [ServerFact]
    public async Task GetTrial_CountsParticipantsByStatus()
    {
        var id = await TestTrials.CreateAsync(server, recruiting: true);
        await TestTrials.FormulatedParticipantAsync(server, id);
        await server.Coordinator.PostJsonAsync($"/api/trials/{id}/participants", new { site = "AAA", ageYears = 10, severity = 15, exclusions = Array.Empty<string>() });

        var counts = (await (await server.Coordinator.GetAsync($"/api/trials/{id}")).JsonAsync()).GetProperty("counts");

        Assert.Equal(2, counts.GetProperty("screened").GetInt32());
        Assert.Equal(0, counts.GetProperty("randomized").GetInt32());
        Assert.Equal(1, counts.GetProperty("byStatus").GetProperty("formulated").GetInt32());
        Assert.Equal(1, counts.GetProperty("byStatus").GetProperty("screenFailed").GetInt32());
    }

    [ServerFact]
    public async Task ChangeStatus_WalksEveryMove_LegalOnesSucceedAndIllegalOnesAre409NamingTheState()
    {
        var id = await TestTrials.CreateAsync(server, recruiting: false);
        async Task<HttpResponseMessage> Move(string status) => await server.Admin.PostJsonAsync($"/api/trials/{id}/status", new { status });

        await ProblemAssertions.AssertConflictNamingAsync(await Move("paused"), "draft");
        await ProblemAssertions.AssertConflictNamingAsync(await Move("closed"), "draft");
        Assert.Equal("recruiting", (await (await Move("recruiting")).JsonAsync()).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, (await Move("recruiting")).StatusCode); // already there: idempotent
        Assert.Equal("paused", (await (await Move("paused")).JsonAsync()).GetProperty("status").GetString());
        Assert.Equal("recruiting", (await (await Move("recruiting")).JsonAsync()).GetProperty("status").GetString());
        Assert.Equal("paused", (await (await Move("paused")).JsonAsync()).GetProperty("status").GetString());
        Assert.Equal("closed", (await (await Move("closed")).JsonAsync()).GetProperty("status").GetString());
        await ProblemAssertions.AssertConflictNamingAsync(await Move("recruiting"), "closed");
        await ProblemAssertions.AssertConflictNamingAsync(await Move("paused"), "closed");

        (await ProblemAssertions.Assert400Async(await Move("draft"))).AssertNames("status");
        (await ProblemAssertions.Assert400Async(await Move("open"))).AssertNames("status");
        Assert.Equal("closed", (await (await server.Coordinator.GetAsync($"/api/trials/{id}")).JsonAsync()).GetProperty("status").GetString());
    }

    [ServerFact]
    public async Task ChangeStatus_NeedsAdmin_AndAKnownTrial()
    {
        var id = await TestTrials.CreateAsync(server, recruiting: false);

        Assert.Equal(HttpStatusCode.Forbidden, (await server.Coordinator.PostJsonAsync($"/api/trials/{id}/status", new { status = "recruiting" })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Client(null).PostJsonAsync($"/api/trials/{id}/status", new { status = "recruiting" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Admin.PostJsonAsync("/api/trials/no-such-trial/status", new { status = "recruiting" })).StatusCode);
    }

    private static bool IsAbsent(JsonElement obj, string property) =>
        !obj.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null;
}

[Collection(SqliteServerCollection.Name)]
public sealed class TrialApiTests_Sqlite(SqliteTrialServer server) : TrialApiTests(server);

[Collection(PostgresServerCollection.Name)]
public sealed class TrialApiTests_Postgres(PostgresTrialServer server) : TrialApiTests(server), IRunsOnPostgres;
