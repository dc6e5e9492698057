using System.Net.Http.Json;
using System.Collections.Concurrent;
using System.Net;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Common;
using TrialManager.Domain.Trials;
using TrialManager.Integration.Tests.Harness;
using static TrialManager.Integration.Tests.Randomization.RandomizationHttp;

namespace TrialManager.Integration.Tests.Randomization;

/// <summary>
/// Hundreds of simultaneous randomization requests over HTTP: distinct participants of one stratum plus concurrent
/// repeats of the same participants. The allocation table, read as a statistician, must still be exact.
/// </summary>
public abstract class RandomizationConcurrencyTests(TrialServer server)
{
    private const int Participants = 200;
    private const int RepeatedParticipants = 20;
    private const int RepeatsEach = 3;
    private const int Races = 60;
    private const int BurstPerRace = 4;

    [ServerFact]
    public async Task PermutedBlocks_UnderHundredsOfConcurrentRequests_GiveGapFreeSlotsAndExactBlocks()
    {
        // 2:1 ratio, so an unbalanced block would show; one stratum, so every request contends for the same row.
        var trial = await TrialAsync(server, new { method = "permutedBlocks", blockSizes = new[] { 3, 6, 9 }, stratifyBy = new[] { "formulation", "site" } }, (2, 1));
        var ids = await FormulatedAsync(server, trial, Participants);

        var rows = await RandomizeConcurrentlyAsync(trial, ids);

        Assert.Single(rows.Select(r => r.Stratum).Distinct());
        AssertGapFree(rows.GroupBy(r => r.Stratum));
        AssertCompletedBlocksHoldTheRatio(rows, 2, 1, [3, 6, 9]);
        Assert.True(rows.Select(r => r.BlockSize).Distinct().Count() > 1, "block sizes vary");
    }

    [ServerFact]
    public async Task Minimization_UnderHundredsOfConcurrentRequests_GivesGapFreeTrialWideSlots()
    {
        var trial = await TrialAsync(server, Minimization);
        var ids = await FormulatedAsync(server, trial, Participants, i => (i % 3 == 0 ? "BBB" : "AAA", i % 4 == 0 ? "interpersonal" : "cognitive"));

        var rows = await RandomizeConcurrentlyAsync(trial, ids);

        Assert.All(rows, r => Assert.True(r.Block is null && r.BlockSize is null));
        AssertGapFree(rows.GroupBy(_ => "trial"));
        // Minimization keeps the margins close: with p = 0.8 over 200 participants the totals stay near 1:1.
        var mediator = rows.Count(r => r.Arm == "mediator");
        Assert.InRange(mediator, 80, 120);
    }

    [ServerFact]
    public async Task Simple_UnderHundredsOfConcurrentRequests_GivesGapFreeTrialWideSlots()
    {
        var trial = await TrialAsync(server, Simple);
        var ids = await FormulatedAsync(server, trial, Participants, i => ("AAA", i % 2 == 0 ? "interpersonal" : "cognitive"));

        var rows = await RandomizeConcurrentlyAsync(trial, ids);

        AssertGapFree(rows.GroupBy(_ => "trial"));
        Assert.Equal(2, rows.Select(r => r.Stratum).Distinct().Count());
    }

    [ServerFact]
    public async Task Randomization_RacingAWithdrawal_NeverUndoesIt()
    {
        // The randomization reads the participant before it takes the write gate; a withdrawal that commits in between
        // must be seen inside the gate (409), or, when it comes after the allocation, must stand (withdrawn, allocated).
        var trial = await TrialAsync(server, Blocks);
        var ids = await FormulatedAsync(server, trial, 60);
        using var start = new SemaphoreSlim(0);
        var races = ids.Select(async id =>
        {
            await start.WaitAsync();
            var randomize = RandomizeAsync(server.Coordinator, id);
            var withdraw = server.Coordinator.PostAsJsonAsync($"/api/participants/{id}/withdrawal", new { category = "movedAway", reason = "moved away" });
            using var randomized = await randomize;
            using var withdrawn = await withdraw;
            return (id, Randomized: randomized.StatusCode, Withdrawn: withdrawn.StatusCode);
        }).ToList();
        start.Release(ids.Count);
        var outcomes = await Task.WhenAll(races);

        var (_, rows) = await CsvAsync(server, trial);
        foreach (var (id, randomized, withdrawn) in outcomes)
        {
            Assert.Equal(HttpStatusCode.OK, withdrawn);
            Assert.Contains(randomized, new[] { HttpStatusCode.Created, HttpStatusCode.Conflict });
            var participant = await (await server.Coordinator.GetAsync($"/api/participants/{id}")).JsonAsync();
            Assert.Equal("withdrawn", participant.GetProperty("status").GetString());
            Assert.Equal(randomized == HttpStatusCode.Created, rows.Any(r => r.ParticipantId == id));
        }

        var verify = await (await server.Statistician.PostAsync($"/api/trials/{trial}/randomization-plan/verify", null)).JsonAsync();
        Assert.True(verify.GetProperty("matches").GetBoolean(), verify.GetRawText());
    }

    [ServerFact]
    public async Task Randomization_RacingAConsensusThatChangesTheFormulation_NeverAllocatesInTheOldStratum()
    {
        // A consensus rating that turns a formulated participant from cognitive to interpersonal leaves the status
        // formulated. Raced against the randomization, behind a queue of other writers at the gate, it must either come
        // first (allocation in the interpersonal stratum) or be refused (409, allocation in the cognitive stratum).
        var trial = await TrialAsync(server, Blocks);
        var ids = await FormulatedAsync(server, trial, Races);
        var interpersonal = new { cognitive = 1, interpersonal = 4, behavioral = 0, environmental = 0 };
        using var start = new SemaphoreSlim(0);
        var burst = Enumerable.Range(0, Races * BurstPerRace).Select(async i =>
        {
            await start.WaitAsync();
            using var screened = await server.Coordinator.PostJsonAsync($"/api/trials/{trial}/participants",
                new { site = i % 2 == 0 ? "AAA" : "BBB", ageYears = 30, severity = 15, exclusions = Array.Empty<string>() });
            Assert.Equal(HttpStatusCode.Created, screened.StatusCode);
        }).ToList();
        var races = ids.Select(async (id, i) =>
        {
            await start.WaitAsync();
            Task<HttpResponseMessage> Rate() => server.Coordinator.PostJsonAsync($"/api/participants/{id}/formulations",
                new { rater = "R02", scores = interpersonal, consensus = true, rationale = "consensus meeting" });

            // Half are sent rating first, so that both orders occur whatever the scheduling.
            var rate = i % 2 == 0 ? Rate() : null;
            var randomize = RandomizeAsync(server.Coordinator, id);
            rate ??= Rate();
            using var randomized = await randomize;
            using var rated = await rate;
            return (Id: id, Randomized: randomized.StatusCode, Rated: rated.StatusCode);
        }).ToList();
        start.Release(burst.Count + races.Count);
        var outcomes = await Task.WhenAll(races);
        await Task.WhenAll(burst);

        var (_, rows) = await CsvAsync(server, trial);
        var allocations = await server.WithDbAsync(db => db.Allocations.AsNoTracking().Where(a => a.TrialId == trial).ToListAsync());
        var formulations = await server.WithDbAsync(db => db.Participants.AsNoTracking().Where(p => p.TrialId == trial)
            .ToDictionaryAsync(p => p.Id, p => p.PrimaryFormulation));
        foreach (var (id, randomized, rated) in outcomes)
        {
            Assert.Equal(HttpStatusCode.Created, randomized);
            Assert.Contains(rated, new[] { HttpStatusCode.OK, HttpStatusCode.Conflict });
            var participant = await (await server.Coordinator.GetAsync($"/api/participants/{id}")).JsonAsync();
            var expected = rated == HttpStatusCode.OK ? "interpersonal" : "cognitive";
            Assert.Equal(expected, participant.GetProperty("primaryFormulation").GetString());
            Assert.Equal($"{expected}/AAA", participant.GetProperty("allocation").GetProperty("stratum").GetString());
            var row = Assert.Single(rows, r => r.ParticipantId == id);
            Assert.Equal((expected, $"{expected}/AAA"), (row.Formulation, row.Stratum));
            var recorded = Assert.Single(allocations, a => a.ParticipantId == id);
            Assert.Equal(expected, formulations[id]?.Wire());
            Assert.Equal(expected, recorded.Formulation.Wire());
            Assert.Equal(expected, recorded.Levels["formulation"]);
            Assert.Equal($"{expected}/AAA", recorded.StateKey);
        }

        // Some ratings came first; among them are those that commit between the randomization's read and its turn at the gate.
        Assert.Contains(outcomes, o => o.Rated == HttpStatusCode.OK);
        AssertGapFree(rows.GroupBy(r => r.Stratum));
        var verify = await (await server.Statistician.PostAsync($"/api/trials/{trial}/randomization-plan/verify", null)).JsonAsync();
        Assert.True(verify.GetProperty("matches").GetBoolean(), verify.GetRawText());
        Assert.Equal(Races, verify.GetProperty("checked").GetInt32());
    }

    /// <summary>
    /// Fires every randomization at once (plus concurrent repeats of some participants), then checks what every
    /// design must hold: one 201 per participant, repeats agree, one allocation row each, verify matches all of them.
    /// </summary>
    private async Task<List<CsvAllocation>> RandomizeConcurrentlyAsync(string trial, List<string> ids)
    {
        var requests = ids.Concat(ids.Take(RepeatedParticipants).SelectMany(id => Enumerable.Repeat(id, RepeatsEach)))
            .OrderBy(_ => Random.Shared.Next()).ToList();
        var responses = new ConcurrentBag<(string Id, HttpStatusCode Status, string Body)>();
        var clients = Enumerable.Range(0, 8).Select(_ => server.Coordinator).ToArray();
        using var start = new SemaphoreSlim(0);
        var tasks = requests.Select(async (id, i) =>
        {
            await start.WaitAsync();
            using var response = await RandomizeAsync(clients[i % clients.Length], id);
            responses.Add((id, response.StatusCode, await response.Content.ReadAsStringAsync()));
        }).ToList();
        start.Release(requests.Count);
        await Task.WhenAll(tasks);

        Assert.Equal(requests.Count, responses.Count);
        Assert.All(responses, r => Assert.Contains(r.Status, new[] { HttpStatusCode.Created, HttpStatusCode.OK }));
        foreach (var participant in responses.GroupBy(r => r.Id))
        {
            Assert.Equal(1, participant.Count(r => r.Status == HttpStatusCode.Created));
            Assert.Single(participant.Select(r => r.Body).Distinct());
        }

        var (_, rows) = await CsvAsync(server, trial);
        Assert.Equal(ids.Count, rows.Count);
        Assert.Equal(ids.Order(StringComparer.Ordinal), rows.Select(r => r.ParticipantId).Order(StringComparer.Ordinal));
        Assert.Equal(ids.Count, await server.WithDbAsync(db => db.ProtocolDocuments.CountAsync(d => ids.Contains(d.ParticipantId))));

        var verify = await (await server.Statistician.PostAsync($"/api/trials/{trial}/randomization-plan/verify", null)).JsonAsync();
        Assert.True(verify.GetProperty("matches").GetBoolean(), verify.GetRawText());
        Assert.Equal(ids.Count, verify.GetProperty("checked").GetInt32());
        return rows;
    }
}

[Collection(SqliteServerCollection.Name)]
public sealed class RandomizationConcurrencyTests_Sqlite(SqliteTrialServer server) : RandomizationConcurrencyTests(server);

[Collection(PostgresServerCollection.Name)]
public sealed class RandomizationConcurrencyTests_Postgres(PostgresTrialServer server) : RandomizationConcurrencyTests(server), IRunsOnPostgres;
