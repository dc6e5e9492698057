using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Documents;
using TrialManager.Domain.Participants;
using TrialManager.Integration.Tests.Api;

namespace TrialManager.Integration.Tests.Reliability;

public sealed record LedgerRow(string ParticipantId, string Stratum, int Sequence, int? Block, int? BlockSize, string Arm);

/// <summary>
/// The guarantees every reliability test checks, against what the server says (allocations, verify) and what
/// the database holds (participant status, allocation and document rows).
/// </summary>
public static class AllocationLedger
{
    public const string StatisticianKey = "dev-statistician";

    /// <summary>A recruiting 1:1 trial, permuted blocks of 2 and 4, stratified by formulation and site (four strata).</summary>
    public static async Task<string> CreateTrialAsync(RestartableServerProcess server)
    {
        var definition = TestTrials.Definition();
        definition["targetEnrollment"] = 20_000;
        var id = (string)definition["id"]!;
        using (var create = server.Request(HttpMethod.Post, "/api/trials", "dev-admin", JsonContent(definition)))
        using (var created = await server.Http.SendAsync(create))
        {
            Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        }

        using var recruit = server.Request(HttpMethod.Post, $"/api/trials/{id}/status", "dev-admin", JsonContent(new { status = "recruiting" }));
        using var recruited = await server.Http.SendAsync(recruit);
        Assert.True(recruited.StatusCode == HttpStatusCode.OK, await recruited.Content.ReadAsStringAsync());
        return id;
    }

    public static async Task<IReadOnlyList<LedgerRow>> AllocationsAsync(RestartableServerProcess server, string trialId)
    {
        using var request = server.Request(HttpMethod.Get, $"/api/trials/{trialId}/allocations", StatisticianKey);
        using var response = await server.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var json = JsonDocument.Parse(body);
        return [.. json.RootElement.EnumerateArray().Select(r => new LedgerRow(
            r.GetProperty("participantId").GetString()!, r.GetProperty("stratum").GetString()!, r.GetProperty("sequence").GetInt32(),
            r.GetProperty("block").ValueKind == JsonValueKind.Number ? r.GetProperty("block").GetInt32() : null,
            r.GetProperty("blockSize").ValueKind == JsonValueKind.Number ? r.GetProperty("blockSize").GetInt32() : null,
            r.GetProperty("arm").GetString()!))];
    }

    /// <summary>
    /// One allocation per participant; every answered request (201 or 200) agrees with the recorded allocation;
    /// at most one 201 per participant; exactly one when <paramref name="everyoneAnswered"/>.
    /// </summary>
    public static void AssertAnswersMatch(IReadOnlyList<RandomizationAnswer> answers, IReadOnlyList<LedgerRow> rows, bool everyoneAnswered)
    {
        Assert.Equal(rows.Count, rows.Select(r => r.ParticipantId).Distinct().Count());
        var byParticipant = rows.ToDictionary(r => r.ParticipantId);
        var problems = new StringBuilder();
        foreach (var group in answers.GroupBy(a => a.ParticipantId))
        {
            var created = group.Count(a => a.Status == 201);
            if (created > 1 || (everyoneAnswered && created != 1))
            {
                problems.AppendLine($"{group.Key}: {created} answers 201");
            }

            foreach (var answer in group.Where(a => a.Answered))
            {
                if (!byParticipant.TryGetValue(answer.ParticipantId, out var row))
                {
                    problems.AppendLine($"{answer.ParticipantId}: answered {answer.Status} by {answer.Server} but no allocation is recorded");
                }
                else if (row.Arm != answer.Arm || row.Stratum != answer.Stratum || row.Sequence != answer.Sequence)
                {
                    problems.AppendLine($"{answer.ParticipantId}: answered {answer.Arm}/{answer.Stratum}#{answer.Sequence}, recorded {row.Arm}/{row.Stratum}#{row.Sequence}");
                }
            }
        }

        Assert.True(problems.Length == 0, "Answers disagree with the allocations:\n" + Truncate(problems));
    }

    /// <summary>Per stratum the sequence is 1..n without gaps; every completed block holds the arms in exact ratio (1:1).</summary>
    public static void AssertSequencesAndBlocks(IReadOnlyList<LedgerRow> rows)
    {
        var problems = new StringBuilder();
        foreach (var stratum in rows.GroupBy(r => r.Stratum))
        {
            var sequences = stratum.Select(r => r.Sequence).Order().ToList();
            if (!sequences.SequenceEqual(Enumerable.Range(1, sequences.Count)))
            {
                var missing = Enumerable.Range(1, sequences.Max()).Except(sequences).Take(10);
                problems.AppendLine($"stratum {stratum.Key}: {sequences.Count} allocations, sequence not 1..n (missing {string.Join(',', missing)}; duplicates {sequences.Count - sequences.Distinct().Count()})");
            }

            var blocks = stratum.GroupBy(r => r.Block).OrderBy(b => b.Key).ToList();
            for (var i = 0; i < blocks.Count; i++)
            {
                var block = blocks[i];
                var size = block.Select(r => r.BlockSize).Distinct().Single();
                var arms = block.GroupBy(r => r.Arm).ToDictionary(g => g.Key, g => g.Count());
                if (block.Key is null || size is null)
                {
                    problems.AppendLine($"stratum {stratum.Key}: allocations without a block");
                }
                else if (block.Count() > size)
                {
                    problems.AppendLine($"stratum {stratum.Key} block {block.Key}: {block.Count()} allocations in a block of {size}");
                }
                else if (block.Count() == size && (arms.Count != 2 || arms.Values.Any(n => n != size / 2)))
                {
                    problems.AppendLine($"stratum {stratum.Key} block {block.Key} (size {size}): arms {string.Join(", ", arms.Select(a => $"{a.Key}={a.Value}"))}");
                }
                else if (block.Count() < size && i != blocks.Count - 1)
                {
                    problems.AppendLine($"stratum {stratum.Key} block {block.Key}: incomplete ({block.Count()} of {size}) but not the last block");
                }
            }
        }

        Assert.True(problems.Length == 0, "Sequence or block invariants broken:\n" + Truncate(problems));
    }

    public static async Task AssertVerifyMatchesAsync(RestartableServerProcess server, string trialId, int expectedChecked)
    {
        using var request = server.Request(HttpMethod.Post, $"/api/trials/{trialId}/randomization-plan/verify", StatisticianKey);
        using var response = await server.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var json = JsonDocument.Parse(body);
        Assert.True(json.RootElement.GetProperty("matches").GetBoolean(), "verify: " + body);
        Assert.Equal(expectedChecked, json.RootElement.GetProperty("checked").GetInt32());
    }

    public static async Task AssertAuditChainValidAsync(RestartableServerProcess server)
    {
        using var request = server.Request(HttpMethod.Get, "/api/audit/verify", "dev-admin");
        using var response = await server.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var json = JsonDocument.Parse(body);
        Assert.True(json.RootElement.GetProperty("valid").GetBoolean(), "audit verify: " + body);
    }

    /// <summary>
    /// Nothing half-written: a participant is randomized exactly when an allocation row and a document row exist,
    /// and there is one document row per allocation. Returns the allocated participant ids.
    /// </summary>
    public static async Task<HashSet<string>> AssertWholeRecordsAsync(Deployment deployment, string trialId)
    {
        await using var db = deployment.OpenDb();
        var randomized = (await db.Participants.AsNoTracking().Where(p => p.TrialId == trialId && p.Status == ParticipantStatus.Randomized)
            .Select(p => p.Id).ToListAsync()).ToHashSet();
        var allocated = await db.Allocations.AsNoTracking().Where(a => a.TrialId == trialId).Select(a => a.ParticipantId).ToListAsync();
        var documented = await db.ProtocolDocuments.AsNoTracking().Where(d => db.Participants.Any(p => p.Id == d.ParticipantId && p.TrialId == trialId))
            .Select(d => d.ParticipantId).ToListAsync();
        Assert.Equal(allocated.Count, allocated.Distinct().Count());
        Assert.Equal(documented.Count, documented.Distinct().Count());
        Assert.True(randomized.SetEquals(allocated), $"randomized {randomized.Count} participants, {allocated.Count} allocations; differ on {string.Join(", ", randomized.ToHashSet().SymmetricExceptWith2(allocated).Take(10))}");
        Assert.True(randomized.SetEquals(documented), $"randomized {randomized.Count} participants, {documented.Count} document rows; differ on {string.Join(", ", randomized.ToHashSet().SymmetricExceptWith2(documented).Take(10))}");
        return randomized;
    }

    /// <summary>
    /// Polls until every document of the trial is Ready. Fails when no further document became ready for
    /// <paramref name="stall"/> (the workers are stuck), with the counts by status: on a busy machine the total
    /// time depends on the load, progress does not.
    /// </summary>
    public static async Task<TimeSpan> WaitForDocumentsAsync(Deployment deployment, string trialId, int expected, TimeSpan stall, Func<string> context)
    {
        var watch = Stopwatch.StartNew();
        var counts = new Dictionary<DocumentStatus, int>();
        var lastReady = -1;
        var lastProgress = watch.Elapsed;
        while (watch.Elapsed - lastProgress < stall)
        {
            await using (var db = deployment.OpenDb())
            {
                counts = await db.ProtocolDocuments.AsNoTracking()
                    .Where(d => db.Participants.Any(p => p.Id == d.ParticipantId && p.TrialId == trialId))
                    .GroupBy(d => d.Status).Select(g => new { g.Key, Count = g.Count() })
                    .ToDictionaryAsync(g => g.Key, g => g.Count);
            }

            var ready = counts.GetValueOrDefault(DocumentStatus.Ready);
            if (ready == expected && counts.Values.Sum() == expected)
            {
                return watch.Elapsed;
            }

            if (ready > lastReady)
            {
                lastReady = ready;
                lastProgress = watch.Elapsed;
            }

            await Task.Delay(500);
        }

        Assert.Fail($"No progress for {stall.TotalSeconds:0} s and not all {expected} documents are ready after {watch.Elapsed.TotalSeconds:0} s: "
            + $"{string.Join(", ", counts.Select(c => $"{c.Key}={c.Value}"))}\n{context()}");
        return watch.Elapsed;
    }

    /// <summary>Every ready document's file exists in the documents folder (content-addressed by SHA-256).</summary>
    public static async Task AssertDocumentFilesExistAsync(Deployment deployment, string trialId)
    {
        await using var db = deployment.OpenDb();
        var hashes = await db.ProtocolDocuments.AsNoTracking()
            .Where(d => d.Status == DocumentStatus.Ready && db.Participants.Any(p => p.Id == d.ParticipantId && p.TrialId == trialId))
            .Select(d => d.Sha256!).Distinct().ToListAsync();
        var files = Directory.EnumerateFiles(deployment.DocumentsPath, "*", SearchOption.AllDirectories)
            .Select(Path.GetFileNameWithoutExtension).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var missing = hashes.Where(h => !files.Contains(h)).Take(5).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} document files missing from {deployment.DocumentsPath}: {string.Join(", ", missing)}");
    }

    private static HashSet<string> SymmetricExceptWith2(this HashSet<string> set, IEnumerable<string> other)
    {
        set.SymmetricExceptWith(other);
        return set;
    }

    private static StringContent JsonContent(object body) =>
        new(JsonSerializer.Serialize(body, Infrastructure.TrialServer.Json), Encoding.UTF8, "application/json");

    private static string Truncate(StringBuilder text) => text.Length > 4000 ? text.ToString(0, 4000) + "\n..." : text.ToString();
}
