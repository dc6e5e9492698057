using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using TrialManager.Integration.Tests.Api;
using TrialManager.Integration.Tests.Infrastructure;
using Xunit.Abstractions;
using static TrialManager.Integration.Tests.Documents.DocumentSupport;

namespace TrialManager.Integration.Tests.Documents;

/// <summary>
/// Issue 5: killing the server mid-job and restarting it still produces every queued document exactly once. The
/// real built server, SIGKILLed right after a burst of randomizations, then restarted on the same data directory.
/// </summary>
[Trait("Category", "Slow")]
public sealed partial class CrashRecoveryTests(ITestOutputHelper output) : IDisposable
{
    private const int ParticipantsPerRound = 40;
    private const int MaxRounds = 3;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly string dataDirectory = Directory.CreateTempSubdirectory("trialmanager-crash-").FullName;

    private string[] Arguments => [$"--TrialManager:DataDirectory={dataDirectory}"];

    [Fact]
    public async Task KilledMidJob_AfterRestart_EveryAllocationHasExactlyOneReadyValidDocument()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        string trialId;
        var owedAtKill = 0;
        var rounds = 0;
        await using (var server = ServerProcess.Start(Arguments))
        {
            await server.WaitHealthyAsync(StartTimeout);
            var definition = TestTrials.Definition();
            trialId = (string)definition["id"]!;
            using var admin = server.Client("dev-admin");
            Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/trials", definition, TrialServer.Json)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync($"/api/trials/{trialId}/status", new { status = "recruiting" }, TrialServer.Json)).StatusCode);
        }

        // Until a kill catches documents still owed (the first round nearly always does), up to three rounds.
        while (owedAtKill == 0 && rounds < MaxRounds)
        {
            rounds++;
            await using var server = ServerProcess.Start(Arguments);
            await server.WaitHealthyAsync(StartTimeout);
            using var coordinator = server.Client("dev-coordinator");
            output.WriteLine($"{clock.Elapsed}: round {rounds} healthy after {server.SinceStart.Elapsed}.");
            var ids = new List<string>();
            for (var i = 0; i < ParticipantsPerRound; i++)
            {
                ids.Add(await FormulatedAsync(coordinator, trialId, i % 2 == 0 ? "AAA" : "BBB", i % 3 == 0 ? "interpersonal" : "cognitive"));
            }

            output.WriteLine($"{clock.Elapsed}: {ids.Count} formulated.");
            // A burst of randomizations, each committing its outbox row and enqueueing its job; SIGKILL on the last answer.
            var randomized = await Task.WhenAll(ids.Select(id => coordinator.PostAsync(new Uri($"/api/participants/{id}/randomization", UriKind.Relative), null)));
            await server.KillAsync();
            Assert.All(randomized, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));

            var (allocations, owed) = await CountAsync();
            output.WriteLine($"Round {rounds}: killed with {allocations} allocations, {owed} documents not ready.");
            owedAtKill = owed;
        }

        Assert.True(owedAtKill > 0, $"No kill in {rounds} rounds caught a document still owed; the crash was not exercised.");

        await using (var restarted = ServerProcess.Start(Arguments))
        {
            output.WriteLine($"{clock.Elapsed}: restarted, healthy after {await restarted.WaitHealthyAsync(StartTimeout)}.");
            using var coordinator = restarted.Client("dev-coordinator");
            foreach (var id in await AllocatedIdsAsync())
            {
                await WaitForProtocolDocumentAsync(coordinator, id, TimeSpan.FromSeconds(60));
            }

            output.WriteLine($"{clock.Elapsed}: every document served.");
            var reenqueued = ReEnqueued().Match(restarted.Output);
            Assert.True(reenqueued.Success, restarted.Output);
            Assert.Equal(owedAtKill, int.Parse(reenqueued.Groups[1].Value, CultureInfo.InvariantCulture));
        }

        // Exactly once: one ready row per allocation, one PDF file per row, each a valid PDF of its own participant.
        var rows = await ReadyDocumentsAsync();
        var allocated = await AllocatedIdsAsync();
        Assert.Equal(rounds * ParticipantsPerRound, allocated.Count);
        Assert.Equal(allocated.Order(StringComparer.Ordinal), rows.Keys.Order(StringComparer.Ordinal));
        var files = Directory.EnumerateFiles(Path.Combine(dataDirectory, "documents"), "*.pdf").Select(Path.GetFileNameWithoutExtension).ToList();
        Assert.Equal(rows.Values.Order(StringComparer.Ordinal), files.Order(StringComparer.Ordinal));
        foreach (var (participantId, sha) in rows)
        {
            var pdf = await File.ReadAllBytesAsync(Path.Combine(dataDirectory, "documents", sha + ".pdf"));
            Assert.Equal(sha, Sha256(pdf));
            var text = new ServedPdfText(pdf);
            Assert.True(text.PageCount >= 1);
            Assert.True(text.Contains(participantId), $"{sha}.pdf does not name {participantId}.");
        }
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(dataDirectory, recursive: true);
    }

    private static async Task<string> FormulatedAsync(HttpClient client, string trialId, string site, string lead)
    {
        var screened = await client.PostAsJsonAsync($"/api/trials/{trialId}/participants",
            new { site, ageYears = 30, severity = 15, exclusions = Array.Empty<string>() }, TrialServer.Json);
        Assert.Equal(HttpStatusCode.Created, screened.StatusCode);
        var id = (await screened.JsonAsync()).GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync($"/api/participants/{id}/consent",
            new { consentVersion = "1.0", consentedOn = "2026-11-20" }, TrialServer.Json)).StatusCode);
        var scores = new Dictionary<string, int> { ["cognitive"] = 1, ["interpersonal"] = 1, ["behavioral"] = 0, ["environmental"] = 0 };
        scores[lead] = 4;
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync($"/api/participants/{id}/formulations",
            new { rater = "R01", scores, consensus = false }, TrialServer.Json)).StatusCode);
        return id;
    }

    private SqliteConnection Open() => new($"Data Source={Path.Combine(dataDirectory, "trialmanager.db")};Pooling=false");

    private async Task<(int Allocations, int Owed)> CountAsync()
    {
        await using var connection = Open();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT (SELECT count(*) FROM Allocations), (SELECT count(*) FROM ProtocolDocuments WHERE Status <> 'Ready')";
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt32(0), reader.GetInt32(1));
    }

    private async Task<List<string>> AllocatedIdsAsync()
    {
        await using var connection = Open();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT ParticipantId FROM Allocations";
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<string>();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    private async Task<Dictionary<string, string>> ReadyDocumentsAsync()
    {
        await using var connection = Open();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT ParticipantId, Status, Sha256 FROM ProtocolDocuments";
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new Dictionary<string, string>();
        while (await reader.ReadAsync())
        {
            Assert.Equal("Ready", reader.GetString(1));
            rows.Add(reader.GetString(0), reader.GetString(2));
        }

        return rows;
    }

    [GeneratedRegex(@"Re-enqueued (\d+) owed documents")]
    private static partial Regex ReEnqueued();
}
