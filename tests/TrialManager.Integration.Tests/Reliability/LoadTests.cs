using System.Diagnostics;
using TrialManager.Integration.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TrialManager.Integration.Tests.Reliability;

/// <summary>
/// 32 concurrent clients send the configured number of randomization requests (10,000 unless
/// TRIALMANAGER_LOAD_REQUESTS says otherwise), a third of them repeats, to one real server process.
/// </summary>
[Trait("Category", "Reliability")]
public abstract class LoadTests(ITestOutputHelper output)
{
    public const int Clients = 32;

    protected abstract Task<Deployment> DeployAsync();

    [ServerFact]
    public async Task Randomize_ManyConcurrentRequestsWithRepeats_AllocatesEachParticipantOnceWithoutGaps()
    {
        var total = Stopwatch.StartNew();
        await using var deployment = await DeployAsync();
        await using var server = await deployment.StartServerAsync("server");
        try
        {
            await RunAsync(deployment, server);
        }
        catch
        {
            output.WriteLine(server.Output());
            throw;
        }

        output.WriteLine($"test {total.Elapsed.TotalSeconds:0.0} s; server error lines {server.ErrorLines}\n{server.FirstErrors()}");
    }

    private async Task RunAsync(Deployment deployment, RestartableServerProcess server)
    {
        var trialId = await AllocationLedger.CreateTrialAsync(server);
        var requests = RandomizationBurst.ConfiguredRequests();
        var seeding = Stopwatch.StartNew();
        var participants = await deployment.SeedFormulatedParticipantsAsync(trialId, RandomizationBurst.ParticipantsFor(requests));
        seeding.Stop();
        var burst = RandomizationBurst.Plan(participants, requests, seed: 6);

        var cpuBefore = server.ProcessorTime;
        var result = await burst.RunAsync([server], Clients);
        var cpuBurst = server.ProcessorTime - cpuBefore;
        output.WriteLine($"{deployment.Provider}: {participants.Count} participants seeded in {seeding.Elapsed.TotalSeconds:0.0} s; {burst.Duplicates} duplicates; {result.Summary()}; "
            + $"server CPU during the burst {cpuBurst.TotalSeconds:0.0} s ({cpuBurst.TotalMilliseconds / result.Sent:0.0} ms per request, documents included); load average {File.ReadAllText("/proc/loadavg").Trim()}");

        var failures = result.Answers.Where(a => !a.Answered).Take(5).ToList();
        Assert.True(failures.Count == 0, $"Requests not answered 200/201: {string.Join("\n", failures)}\n{server.Output()}");
        Assert.Equal(requests, result.Sent);
        Assert.Equal(participants.Count, result.Created);

        var rows = await AllocationLedger.AllocationsAsync(server, trialId);
        Assert.Equal(participants.Count, rows.Count);
        AllocationLedger.AssertAnswersMatch(result.Answers, rows, everyoneAnswered: true);
        AllocationLedger.AssertSequencesAndBlocks(rows);
        await AllocationLedger.AssertVerifyMatchesAsync(server, trialId, rows.Count);
        var documents = await AllocationLedger.WaitForDocumentsAsync(deployment, trialId, rows.Count, TimeSpan.FromSeconds(90), server.Output);
        await AllocationLedger.AssertWholeRecordsAsync(deployment, trialId);
        await AllocationLedger.AssertDocumentFilesExistAsync(deployment, trialId);
        await AllocationLedger.AssertAuditChainValidAsync(server);
        output.WriteLine($"documents all ready {documents.TotalSeconds:0.0} s after the burst; server CPU in all {server.ProcessorTime.TotalSeconds:0.0} s");
    }
}

public sealed class LoadTests_Sqlite(ITestOutputHelper output) : LoadTests(output)
{
    protected override Task<Deployment> DeployAsync() => Deployment.SqliteAsync();
}

public sealed class LoadTests_Postgres(ITestOutputHelper output) : LoadTests(output), IRunsOnPostgres
{
    protected override Task<Deployment> DeployAsync() => Deployment.PostgresAsync();
}
