using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Randomization;
using TrialManager.Domain.Trials;
using TrialManager.Integration.Tests.Harness;
using static TrialManager.Integration.Tests.Randomization.RandomizationHttp;

namespace TrialManager.Integration.Tests.Randomization;

/// <summary>The randomization route and the statistician's outputs over HTTP, on each database.</summary>
public abstract class RandomizationEndpointTests(TrialServer server)
{
    [ServerFact]
    public async Task Randomize_FirstTime_Is201_AndARepeatIs200WithTheSameBody()
    {
        var trial = await TrialAsync(server, Blocks);
        var id = (await FormulatedAsync(server, trial, 1))[0];

        var first = await RandomizeAsync(server.Coordinator, id);
        var repeat = await RandomizeAsync(server.Coordinator, id);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, repeat.StatusCode);
        var body = await first.Content.ReadAsStringAsync();
        Assert.Equal(body, await repeat.Content.ReadAsStringAsync());
        var allocation = JsonDocument.Parse(body).RootElement;
        Assert.Equal(id, allocation.GetProperty("participantId").GetString());
        Assert.Contains(allocation.GetProperty("arm").GetString(), new[] { "mediator", "moderator" });
        Assert.Equal("cognitive/AAA", allocation.GetProperty("stratum").GetString());
        Assert.Equal(1, allocation.GetProperty("sequence").GetInt32());
        Assert.True(allocation.TryGetProperty("randomizedAt", out _));
        // The coordinator learns the sequence (the contract has it), never block size, block number or minimization details.
        Assert.Equal(
            ["arm", "participantId", "randomizedAt", "sequence", "stratum"],
            allocation.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(1, await server.WithDbAsync(db => db.Allocations.CountAsync(a => a.TrialId == trial)));
        Assert.Equal(1, await server.WithDbAsync(db => db.ProtocolDocuments.CountAsync(d => d.ParticipantId == id)));
    }

    [ServerFact]
    public async Task Randomize_RepeatedAfterWithdrawalOrCompletion_Is200WithTheOriginalAllocation()
    {
        var trial = await TrialAsync(server, Blocks);
        var ids = await FormulatedAsync(server, trial, 3);
        var firsts = new List<string>();
        foreach (var id in ids)
        {
            using var first = await RandomizeAsync(server.Coordinator, id);
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
            firsts.Add(await first.Content.ReadAsStringAsync());
        }

        Assert.Equal(HttpStatusCode.OK, (await server.Coordinator.PostJsonAsync($"/api/participants/{ids[0]}/withdrawal", new { category = "movedAway", reason = "moved away" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Coordinator.PostAsync($"/api/participants/{ids[1]}/completion", null)).StatusCode);
        await StatusAsync(server, trial, "closed");

        for (var i = 0; i < ids.Count; i++)
        {
            using var repeat = await RandomizeAsync(server.Coordinator, ids[i]);
            Assert.Equal(HttpStatusCode.OK, repeat.StatusCode);
            Assert.Equal(firsts[i], await repeat.Content.ReadAsStringAsync());
        }

        Assert.Equal(3, await server.WithDbAsync(db => db.Allocations.CountAsync(a => a.TrialId == trial)));
    }

    [ServerFact]
    public async Task Randomize_AfterAWithdrawalBeforeAllocation_IsAConflictNamingTheStatus()
    {
        var trial = await TrialAsync(server, Blocks);
        var id = (await FormulatedAsync(server, trial, 1))[0];
        Assert.Equal(HttpStatusCode.OK, (await server.Coordinator.PostJsonAsync($"/api/participants/{id}/withdrawal", new { category = "movedAway", reason = "moved away" })).StatusCode);

        using var response = await RandomizeAsync(server.Coordinator, id);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("withdrawn", (await response.JsonAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await server.WithDbAsync(db => db.Allocations.CountAsync(a => a.TrialId == trial)));
    }

    [ServerFact]
    public async Task Randomize_BeforeFormulation_IsAConflictNamingTheStatus()
    {
        var trial = await TrialAsync(server, Blocks);
        var screened = await server.Coordinator.PostJsonAsync($"/api/trials/{trial}/participants",
            new { site = "AAA", ageYears = 30, severity = 15, exclusions = Array.Empty<string>() });
        var id = (await screened.JsonAsync()).GetProperty("id").GetString()!;

        var response = await RandomizeAsync(server.Coordinator, id);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("eligible", (await response.JsonAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await server.WithDbAsync(db => db.Allocations.CountAsync(a => a.TrialId == trial)));
    }

    [ServerFact]
    public async Task Randomize_WhilePaused_IsAConflict_ButARepeatStillReturnsTheAllocation()
    {
        var trial = await TrialAsync(server, Blocks);
        var ids = await FormulatedAsync(server, trial, 2);
        var first = await RandomizeAsync(server.Coordinator, ids[0]);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        await StatusAsync(server, trial, "paused");

        var newcomer = await RandomizeAsync(server.Coordinator, ids[1]);
        var repeat = await RandomizeAsync(server.Coordinator, ids[0]);

        Assert.Equal(HttpStatusCode.Conflict, newcomer.StatusCode);
        Assert.Contains("paused", (await newcomer.JsonAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, repeat.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await repeat.Content.ReadAsStringAsync());

        await StatusAsync(server, trial, "recruiting");
        Assert.Equal(HttpStatusCode.Created, (await RandomizeAsync(server.Coordinator, ids[1])).StatusCode);
    }

    [ServerFact]
    public async Task Randomize_InAClosedTrial_IsAConflict()
    {
        var trial = await TrialAsync(server, Blocks);
        var id = (await FormulatedAsync(server, trial, 1))[0];
        await StatusAsync(server, trial, "closed");

        var response = await RandomizeAsync(server.Coordinator, id);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("closed", (await response.JsonAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [ServerFact]
    public async Task Database_RefusesASecondAllocationOfAParticipantAndADuplicatedSequenceSlot()
    {
        var trial = await TrialAsync(server, Blocks);
        var ids = await FormulatedAsync(server, trial, 2);
        Assert.Equal(HttpStatusCode.Created, (await RandomizeAsync(server.Coordinator, ids[0])).StatusCode);

        // The same participant again, at a fresh slot: the primary key refuses it.
        var doubleAllocation = await server.WithDbAsync(db => Record.ExceptionAsync(() => InsertAllocationAsync(db, trial, ids[0], sequence: 99)));
        // Another participant in an occupied slot (trial, stratum, sequence 1): the unique index refuses it.
        var duplicatedSlot = await server.WithDbAsync(db => Record.ExceptionAsync(() => InsertAllocationAsync(db, trial, ids[1], sequence: 1)));

        Assert.IsType<DbUpdateException>(doubleAllocation);
        Assert.IsType<DbUpdateException>(duplicatedSlot);
        Assert.Equal(1, await server.WithDbAsync(db => db.Allocations.CountAsync(a => a.TrialId == trial)));
    }

    private static async Task<int> InsertAllocationAsync(TrialManager.Infrastructure.Persistence.TrialDbContext db, string trialId, string participantId, int sequence)
    {
        var trial = await db.Trials.SingleAsync(t => t.Id == trialId);
        var participant = await db.Participants.SingleAsync(p => p.Id == participantId);
        var levels = trial.Definition.FactorLevels(participant.Site, Formulation.Cognitive, participant.Severity);
        var allocation = new Allocation(0, "cognitive/AAA", sequence, 1, 2, null, null, null);
        db.Allocations.Add(new ParticipantAllocation(participant, trial, Formulation.Cognitive, levels, "cognitive/AAA", allocation, "test", DateTimeOffset.UtcNow));
        return await db.SaveChangesAsync();
    }

    [ServerFact]
    public async Task StatisticianOutputs_AreForbiddenToCoordinators()
    {
        var trial = await TrialAsync(server, Blocks);
        var coordinator = server.Coordinator;

        var responses = new[]
        {
            await coordinator.GetAsync($"/api/trials/{trial}/allocations"),
            await coordinator.GetAsync($"/api/trials/{trial}/balance"),
            await coordinator.GetAsync($"/api/trials/{trial}/randomization-plan"),
            await coordinator.PostAsync($"/api/trials/{trial}/randomization-plan/verify", null),
            await coordinator.PostJsonAsync($"/api/trials/{trial}/design-simulation", new { trials = 10 }),
            await server.Ethics.GetAsync($"/api/trials/{trial}/allocations"),
            await server.Admin.PostJsonAsync($"/api/trials/{trial}/design-simulation", new { trials = 10 }),
        };

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode));
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Client(null).GetAsync($"/api/trials/{trial}/allocations")).StatusCode);
    }

    [ServerFact]
    public async Task Trial_ShowsSeedAndRestrictionsToStatisticiansOnly()
    {
        var blocks = await TrialAsync(server, Blocks);
        var minimization = await TrialAsync(server, Minimization);

        foreach (var client in new[] { server.Coordinator, server.Ethics, server.Admin })
        {
            var r = (await (await client.GetAsync($"/api/trials/{blocks}")).JsonAsync()).GetProperty("randomization");
            Assert.True(IsAbsent(r, "seed") && IsAbsent(r, "blockSizes"));
            var m = (await (await client.GetAsync($"/api/trials/{minimization}")).JsonAsync()).GetProperty("randomization");
            Assert.True(IsAbsent(m, "seed") && IsAbsent(m, "probability"));
            Assert.Equal("minimization", m.GetProperty("method").GetString());
            var listed = await client.GetAsync("/api/trials?limit=1000");
            Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
            var list = await listed.Content.ReadAsStringAsync();
            Assert.Contains(blocks, list, StringComparison.Ordinal);
            Assert.DoesNotContain(await SeedAsync(blocks), list, StringComparison.Ordinal);
        }

        var s = (await (await server.Statistician.GetAsync($"/api/trials/{blocks}")).JsonAsync()).GetProperty("randomization");
        Assert.Equal(await SeedAsync(blocks), s.GetProperty("seed").GetString());
        Assert.Equal([2, 4, 6], s.GetProperty("blockSizes").EnumerateArray().Select(e => e.GetInt32()));
        var sm = (await (await server.Statistician.GetAsync($"/api/trials/{minimization}")).JsonAsync()).GetProperty("randomization");
        Assert.Equal(0.8, sm.GetProperty("probability").GetDouble());
    }

    [ServerFact]
    public async Task NewTrials_AreKeyedByTheirId_AndAVersion1Trial_StillAllocatesAndVerifiesWithoutIt()
    {
        var current = await TrialAsync(server, Blocks);
        var old = await TrialAsync(server, Blocks);
        // A trial created before the trial id entered the keys: its stored version says so.
        await server.WithDbAsync(db => db.Trials.Where(t => t.Id == old).ExecuteUpdateAsync(u => u.SetProperty(t => t.SeedDerivation, 1)));

        foreach (var (trial, derivation) in new[] { (current, KeyDerivation.Version2(current)), (old, KeyDerivation.Version1) })
        {
            foreach (var id in await FormulatedAsync(server, trial, 8))
            {
                Assert.Equal(HttpStatusCode.Created, (await RandomizeAsync(server.Coordinator, id)).StatusCode);
            }

            var stored = await server.WithDbAsync(db => db.Trials.AsNoTracking().SingleAsync(t => t.Id == trial));
            var recorded = await server.WithDbAsync(db => db.Allocations.Where(a => a.TrialId == trial).OrderBy(a => a.Sequence).Select(a => a.Arm).ToListAsync());
            var engine = new Randomizer(stored.Definition.ToDesign(), System.Text.Encoding.UTF8.GetBytes(stored.Seed), derivation);
            var levels = stored.Definition.FactorLevels("AAA", Formulation.Cognitive, 15);
            string? state = null;
            var expected = recorded.Select(_ => stored.Definition.Arms[engine.Allocate(state, levels, out state).Arm].Code).ToList();
            Assert.Equal(expected, recorded);

            var verify = await (await server.Statistician.PostAsync($"/api/trials/{trial}/randomization-plan/verify", null)).JsonAsync();
            Assert.True(verify.GetProperty("matches").GetBoolean(), verify.GetRawText());
            Assert.Equal(8, verify.GetProperty("checked").GetInt32());
            var plan = await (await server.Statistician.GetAsync($"/api/trials/{trial}/randomization-plan")).JsonAsync();
            Assert.Equal(derivation.Version, plan.GetProperty("derivation").GetInt32());
            Assert.Contains($"trialmanager/v{derivation.Version}/", plan.GetProperty("algorithm").GetString(), StringComparison.Ordinal);
        }
    }

    private static bool IsAbsent(JsonElement e, string name) => !e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null;

    private Task<string> SeedAsync(string trialId) => server.WithDbAsync(db => db.Trials.Where(t => t.Id == trialId).Select(t => t.Seed).SingleAsync());

    [ServerFact]
    public async Task ParticipantRecord_ShowsACoordinatorOnlyThatParticipantsAllocation()
    {
        var trial = await TrialAsync(server, Blocks);
        var ids = await FormulatedAsync(server, trial, 2);
        var allocation = await (await RandomizeAsync(server.Coordinator, ids[0])).JsonAsync();

        var randomized = await (await server.Coordinator.GetAsync($"/api/participants/{ids[0]}")).JsonAsync();
        var waiting = await (await server.Coordinator.GetAsync($"/api/participants/{ids[1]}")).JsonAsync();

        var shown = randomized.GetProperty("allocation");
        Assert.Equal(
            ["arm", "participantId", "randomizedAt", "sequence", "stratum"],
            shown.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(allocation.GetProperty("arm").GetString(), shown.GetProperty("arm").GetString());
        Assert.True(IsAbsent(waiting, "allocation"));
        var text = waiting.GetRawText();
        Assert.DoesNotContain("mediator", text, StringComparison.Ordinal);
        Assert.DoesNotContain("moderator", text, StringComparison.Ordinal);
    }

    [ServerFact]
    public async Task Allocations_AsCsvAndJson_ListEveryAllocationWithTheContractColumns()
    {
        var blocks = await TrialAsync(server, Blocks);
        var minimization = await TrialAsync(server, Minimization);
        foreach (var trial in new[] { blocks, minimization })
        {
            foreach (var id in await FormulatedAsync(server, trial, 6, i => (i % 2 == 0 ? "AAA" : "BBB", i % 3 == 0 ? "interpersonal" : "cognitive")))
            {
                Assert.Equal(HttpStatusCode.Created, (await RandomizeAsync(server.Coordinator, id)).StatusCode);
            }
        }

        var (header, rows) = await CsvAsync(server, blocks);
        var (minHeader, minRows) = await CsvAsync(server, minimization);
        var json = await (await server.Statistician.GetAsync($"/api/trials/{blocks}/allocations")).JsonAsync();

        const string Columns = "participantId,site,formulation,stratum,sequence,block,blockSize,arm,randomizedAt,matched,misStratified,ineligibleAfterRandomization";
        Assert.Equal(Columns, header);
        Assert.Equal(Columns, minHeader);
        Assert.Equal(6, rows.Count);
        Assert.All(rows, r => Assert.True(r.Block is not null && r.BlockSize is not null));
        Assert.Equal(6, minRows.Count);
        Assert.All(minRows, r => Assert.True(r.Block is null && r.BlockSize is null));
        Assert.Equal(Enumerable.Range(1, 6), minRows.Select(r => r.Sequence).Order());
        Assert.Equal(JsonValueKind.Array, json.ValueKind);
        var byId = rows.ToDictionary(r => r.ParticipantId);
        foreach (var row in json.EnumerateArray())
        {
            var csv = byId[row.GetProperty("participantId").GetString()!];
            Assert.Equal(csv.Arm, row.GetProperty("arm").GetString());
            Assert.Equal(csv.Stratum, row.GetProperty("stratum").GetString());
            Assert.Equal(csv.Formulation, row.GetProperty("formulation").GetString());
            Assert.Equal(csv.Block, row.GetProperty("block").GetInt32());
            Assert.Equal(csv.BlockSize, row.GetProperty("blockSize").GetInt32());
        }

        Assert.Equal(6, json.GetArrayLength());
        // No correction was made: no allocation is flagged.
        Assert.All(rows.Concat(minRows), r => Assert.Equal(("false", "false"), (r.MisStratified, r.IneligibleAfterRandomization)));
    }

    [ServerFact]
    public async Task Balance_CountsEveryAllocationOncePerStratumAndOncePerFactor()
    {
        var trial = await TrialAsync(server, Minimization);
        var ids = await FormulatedAsync(server, trial, 8, i => (i < 3 ? "AAA" : "BBB", i % 2 == 0 ? "cognitive" : "interpersonal"));
        foreach (var id in ids)
        {
            Assert.Equal(HttpStatusCode.Created, (await RandomizeAsync(server.Coordinator, id)).StatusCode);
        }

        var balance = await (await server.Statistician.GetAsync($"/api/trials/{trial}/balance")).JsonAsync();
        var (_, rows) = await CsvAsync(server, trial);

        static int Sum(JsonElement counts) => counts.EnumerateObject().Sum(p => p.Value.GetInt32());
        Assert.Equal(8, Sum(balance.GetProperty("total")));
        Assert.Equal(8, balance.GetProperty("strata").EnumerateArray().Sum(s => Sum(s.GetProperty("counts"))));
        foreach (var factor in balance.GetProperty("factors").EnumerateObject())
        {
            Assert.Equal(8, factor.Value.EnumerateObject().Sum(level => Sum(level.Value)));
        }

        var sites = balance.GetProperty("factors").GetProperty("site");
        Assert.Equal(3, Sum(sites.GetProperty("AAA")));
        Assert.Equal(5, Sum(sites.GetProperty("BBB")));
        Assert.Equal(rows.Count(r => r.Arm == "mediator"), balance.GetProperty("total").GetProperty("mediator").GetInt32());
        Assert.Equal(8, Sum(balance.GetProperty("factors").GetProperty("severity").GetProperty("high")));
    }

    [ServerFact]
    public async Task RandomizationPlan_GivesMethodParametersSeedAndTheAlgorithm()
    {
        var trial = await TrialAsync(server, Blocks);
        foreach (var id in await FormulatedAsync(server, trial, 3))
        {
            await RandomizeAsync(server.Coordinator, id);
        }

        var plan = await (await server.Statistician.GetAsync($"/api/trials/{trial}/randomization-plan")).JsonAsync();

        Assert.Equal("permutedBlocks", plan.GetProperty("method").GetString());
        Assert.Equal(await SeedAsync(trial), plan.GetProperty("seed").GetString());
        Assert.Equal([2, 4, 6], plan.GetProperty("blockSizes").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(["formulation", "site"], plan.GetProperty("stratifyBy").EnumerateArray().Select(e => e.GetString()));
        Assert.True(plan.GetProperty("algorithm").GetString()!.Length > 200);
        var stratum = Assert.Single(plan.GetProperty("strata").EnumerateArray());
        Assert.Equal(3, stratum.GetProperty("allocated").GetInt32());
    }

    [ServerFact]
    public async Task Verify_ReportsTheFirstMismatch_WhenARecordedArmWasFlipped()
    {
        var trial = await TrialAsync(server, Blocks);
        var ids = await FormulatedAsync(server, trial, 5);
        foreach (var id in ids)
        {
            await RandomizeAsync(server.Coordinator, id);
        }

        var before = await (await server.Statistician.PostAsync($"/api/trials/{trial}/randomization-plan/verify", null)).JsonAsync();
        Assert.True(before.GetProperty("matches").GetBoolean());
        Assert.Equal(5, before.GetProperty("checked").GetInt32());

        // Tamper with the third allocation of the stratum behind the application's back.
        var third = await server.WithDbAsync(db => db.Allocations.SingleAsync(a => a.TrialId == trial && a.Sequence == 3));
        var flipped = third.Arm == ArmCode.Mediator ? ArmCode.Moderator : ArmCode.Mediator;
        await server.WithDbAsync(db => db.Allocations.Where(a => a.ParticipantId == third.ParticipantId)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.Arm, flipped)));

        var after = await (await server.Statistician.PostAsync($"/api/trials/{trial}/randomization-plan/verify", null)).JsonAsync();

        Assert.False(after.GetProperty("matches").GetBoolean());
        var mismatch = after.GetProperty("firstMismatch");
        Assert.Equal(3, mismatch.GetProperty("sequence").GetInt32());
        Assert.Equal("arm", mismatch.GetProperty("field").GetString());
        Assert.Equal("cognitive/AAA", mismatch.GetProperty("stratum").GetString());
    }

    [ServerFact]
    public async Task Verify_ReportsTheStratumCount_WhenTheLastAllocationRowWasDeleted()
    {
        var trial = await RandomizedTrialAsync(5);

        // The replay alone cannot see it: the rows left are still the sequence's first four.
        await server.WithDbAsync(db => db.Allocations.Where(a => a.TrialId == trial && a.Sequence == 5).ExecuteDeleteAsync());
        var after = await VerifyAsync(trial);

        Assert.False(after.GetProperty("matches").GetBoolean());
        Assert.Equal(4, after.GetProperty("checked").GetInt32());
        AssertMismatch(after, "cognitive/AAA", 5, "allocated", "5", "4");
    }

    [ServerFact]
    public async Task Verify_ReportsTheLevel_WhenARecordedLevelDiffersFromTheParticipants()
    {
        var trial = await RandomizedTrialAsync(5);

        // Severity is no stratification factor here, so the replay alone cannot see it.
        var third = await server.WithDbAsync(db => db.Allocations.SingleAsync(a => a.TrialId == trial && a.Sequence == 3));
        var stale = new Dictionary<string, string>(third.Levels) { ["severity"] = "high" };
        await server.WithDbAsync(db => db.Allocations.Where(a => a.ParticipantId == third.ParticipantId)
            .ExecuteUpdateAsync(u => u.SetProperty(a => a.Levels, stale)));
        var after = await VerifyAsync(trial);

        Assert.False(after.GetProperty("matches").GetBoolean());
        Assert.Equal(4, after.GetProperty("checked").GetInt32());
        AssertMismatch(after, "cognitive/AAA", 3, "severity", "low", "high");
    }

    [ServerFact]
    public async Task Verify_ReportsTheFormulation_WhenTheAllocationTableShowsAnotherThanTheParticipants()
    {
        var trial = await RandomizedTrialAsync(5);

        await server.WithDbAsync(db => db.Allocations.Where(a => a.TrialId == trial && a.Sequence == 2)
            .ExecuteUpdateAsync(u => u.SetProperty(a => a.Formulation, Formulation.Interpersonal)));
        var after = await VerifyAsync(trial);

        Assert.False(after.GetProperty("matches").GetBoolean());
        AssertMismatch(after, "cognitive/AAA", 2, "formulation", "cognitive", "interpersonal");
    }

    /// <summary>A blocks trial with <paramref name="count"/> participants randomized in one stratum; verify matches them all.</summary>
    private async Task<string> RandomizedTrialAsync(int count)
    {
        var trial = await TrialAsync(server, Blocks);
        foreach (var id in await FormulatedAsync(server, trial, count))
        {
            Assert.Equal(HttpStatusCode.Created, (await RandomizeAsync(server.Coordinator, id)).StatusCode);
        }

        var before = await VerifyAsync(trial);
        Assert.True(before.GetProperty("matches").GetBoolean(), before.GetRawText());
        Assert.Equal(count, before.GetProperty("checked").GetInt32());
        Assert.Equal(0, before.GetProperty("misStratified").GetArrayLength());
        return trial;
    }

    private async Task<JsonElement> VerifyAsync(string trial)
    {
        using var response = await server.Statistician.PostAsync($"/api/trials/{trial}/randomization-plan/verify", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.JsonAsync();
    }

    private static void AssertMismatch(JsonElement verification, string stratum, int sequence, string field, string expected, string recorded)
    {
        var mismatch = verification.GetProperty("firstMismatch");
        Assert.Equal(
            (stratum, sequence, field, expected, recorded),
            (mismatch.GetProperty("stratum").GetString(), mismatch.GetProperty("sequence").GetInt32(), mismatch.GetProperty("field").GetString(),
             mismatch.GetProperty("expected").GetString(), mismatch.GetProperty("recorded").GetString()));
    }
}

[Collection(SqliteServerCollection.Name)]
public sealed class RandomizationEndpointTests_Sqlite(SqliteTrialServer server) : RandomizationEndpointTests(server);

[Collection(PostgresServerCollection.Name)]
public sealed class RandomizationEndpointTests_Postgres(PostgresTrialServer server) : RandomizationEndpointTests(server), IRunsOnPostgres;
