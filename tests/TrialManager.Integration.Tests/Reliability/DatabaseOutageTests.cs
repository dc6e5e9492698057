using System.Diagnostics;
using System.Net;
using System.Text.Json;
using TrialManager.Integration.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TrialManager.Integration.Tests.Reliability;

/// <summary>The database goes away under a running server (pg_ctl stop) and comes back on the same port.</summary>
[Trait("Category", "Reliability")]
public sealed class DatabaseOutageTests(ITestOutputHelper output)
{
    private static readonly TimeSpan FailFast = TimeSpan.FromSeconds(5);

    [PostgresFact]
    public async Task Requests_WhileDatabaseIsDown_Fail503FastAndTheServerRecoversByItself()
    {
        await using var deployment = await Deployment.PostgresAsync();
        await using var server = await deployment.StartServerAsync("server");
        try
        {
            var trialId = await AllocationLedger.CreateTrialAsync(server);
            var participants = await deployment.SeedFormulatedParticipantsAsync(trialId, 40);
            foreach (var id in participants.Take(10))
            {
                Assert.Equal(201, (await RandomizationBurst.SendAsync(server, id)).Status);
            }

            await deployment.Cluster!.StopAsync();
            var down = Stopwatch.StartNew();

            // Several rounds, so pooled connections that died with the database are met as well as new ones.
            var answers = new List<string>();
            for (var round = 0; round < 3; round++)
            {
                await ExpectUnavailableAsync(server, HttpMethod.Post, $"/api/participants/{participants[10 + round]}/randomization", "dev-coordinator", answers);
                await ExpectUnavailableAsync(server, HttpMethod.Get, $"/api/participants/{participants[0]}", "dev-coordinator", answers);
                await ExpectUnavailableAsync(server, HttpMethod.Get, $"/api/trials/{trialId}/allocations", AllocationLedger.StatisticianKey, answers);
                await ExpectUnavailableAsync(server, HttpMethod.Get, "/api/trials", "dev-admin", answers);
                await ExpectHealthAsync(server, HttpStatusCode.ServiceUnavailable, answers);
            }

            // Job storage and workers keep failing on their own threads meanwhile: the process must not die.
            await Task.Delay(TimeSpan.FromSeconds(3));
            Assert.False(server.HasExited, "the server died while the database was down");
            output.WriteLine($"database down for {down.Elapsed.TotalSeconds:0.0} s:\n" + string.Join('\n', answers));

            await deployment.Cluster.RestartAsync();
            // This test process's own pooled connections (used for set-up and checks) died with the database too.
            Npgsql.NpgsqlConnection.ClearAllPools();
            var recovery = Stopwatch.StartNew();
            await server.WaitHealthyAsync(TimeSpan.FromSeconds(60));
            var healthy = recovery.Elapsed;
            RandomizationAnswer? answer = null;
            while (recovery.Elapsed < TimeSpan.FromSeconds(60) && answer?.Status != 201)
            {
                answer = await RandomizationBurst.SendAsync(server, participants[10]);
                if (answer.Status != 201)
                {
                    await Task.Delay(250);
                }
            }

            Assert.Equal(201, answer?.Status);
            output.WriteLine($"after the restart: health 200 in {healthy.TotalSeconds:0.0} s, first randomization 201 in {recovery.Elapsed.TotalSeconds:0.0} s");

            // The rest goes through normally, and the ledger is whole: nothing was allocated by the failed attempts.
            foreach (var id in participants.Skip(11))
            {
                Assert.Equal(201, (await RandomizationBurst.SendAsync(server, id)).Status);
            }

            var rows = await AllocationLedger.AllocationsAsync(server, trialId);
            Assert.Equal(participants.Count, rows.Count);
            AllocationLedger.AssertSequencesAndBlocks(rows);
            await AllocationLedger.AssertVerifyMatchesAsync(server, trialId, rows.Count);
            await AllocationLedger.WaitForDocumentsAsync(deployment, trialId, rows.Count, TimeSpan.FromSeconds(90), server.Output);
            await AllocationLedger.AssertWholeRecordsAsync(deployment, trialId);
            await AllocationLedger.AssertAuditChainValidAsync(server);
        }
        catch
        {
            output.WriteLine(server.Output());
            throw;
        }
    }

    private static async Task ExpectUnavailableAsync(RestartableServerProcess server, HttpMethod method, string path, string key, List<string> log)
    {
        var watch = Stopwatch.StartNew();
        using var request = server.Request(method, path, key);
        using var response = await server.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        watch.Stop();
        log.Add($"{method} {path}: {(int)response.StatusCode} in {watch.Elapsed.TotalMilliseconds:0} ms");
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{method} {path}: {(int)response.StatusCode} {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(watch.Elapsed < FailFast, $"{method} {path} took {watch.Elapsed.TotalSeconds:0.0} s to fail");
        using var json = JsonDocument.Parse(body);
        Assert.Equal(503, json.RootElement.GetProperty("status").GetInt32());
    }

    private static async Task ExpectHealthAsync(RestartableServerProcess server, HttpStatusCode expected, List<string> log)
    {
        var watch = Stopwatch.StartNew();
        using var response = await server.Http.GetAsync(new Uri("/health", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        watch.Stop();
        log.Add($"GET /health: {(int)response.StatusCode} in {watch.Elapsed.TotalMilliseconds:0} ms: {body}");
        Assert.True(response.StatusCode == expected, body);
        Assert.True(watch.Elapsed < FailFast, $"/health took {watch.Elapsed.TotalSeconds:0.0} s");
        using var json = JsonDocument.Parse(body);
        Assert.Equal("unavailable", json.RootElement.GetProperty("database").GetProperty("status").GetString());
    }
}
