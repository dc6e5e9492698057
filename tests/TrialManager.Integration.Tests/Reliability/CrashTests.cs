using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Documents;
using TrialManager.Integration.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TrialManager.Integration.Tests.Reliability;

/// <summary>
/// SIGKILL in the middle of a randomization burst, then a restart on the same data: what was answered is
/// there, nothing is half-written, and every document owed is produced.
/// </summary>
[Trait("Category", "Reliability")]
public abstract class CrashTests(ITestOutputHelper output)
{
    protected abstract Task<Deployment> DeployAsync();

    [ServerFact]
    public async Task Randomize_ServerKilledMidBurst_KeepsEveryAnsweredAllocationAndProducesEveryDocumentAfterRestart()
    {
        var total = Stopwatch.StartNew();
        await using var deployment = await DeployAsync();
        var first = await deployment.StartServerAsync("before-crash");
        RestartableServerProcess? second = null;
        try
        {
            var trialId = await AllocationLedger.CreateTrialAsync(first);
            var requests = RandomizationBurst.ConfiguredFaultRequests();
            var participants = await deployment.SeedFormulatedParticipantsAsync(trialId, RandomizationBurst.ParticipantsFor(requests));
            var burst = RandomizationBurst.Plan(participants, requests, seed: 7);

            // Kill once 40% are answered: writes, repeats and document jobs are all in flight at that moment.
            var killAt = requests * 2 / 5;
            using var stop = new CancellationTokenSource();
            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var running = burst.RunAsync([first], LoadTests.Clients, n =>
            {
                if (n >= killAt)
                {
                    reached.TrySetResult();
                }
            }, stop.Token);
            await reached.Task.WaitAsync(TimeSpan.FromMinutes(3));
            // Stop handing out requests first: after the kill every new one would be refused at once and the rest of
            // the burst would drain as "unanswered" in a moment. Those in flight stay in flight through the kill.
            await stop.CancelAsync();
            await first.KillAsync();
            var before = await running;
            var owedAtCrash = await OwedDocumentsAsync(deployment, trialId);
            output.WriteLine($"{deployment.Provider}: killed after {before.Summary()}; {owedAtCrash} documents owed at the crash");
            Assert.True(before.Sent < requests, "the burst was over before the kill");
            Assert.DoesNotContain(before.Answers, a => a.Status is not (0 or 200 or 201));

            second = await deployment.StartServerAsync("after-restart");
            var rows = await AllocationLedger.AllocationsAsync(second, trialId);
            AllocationLedger.AssertAnswersMatch(before.Answers, rows, everyoneAnswered: false);
            Assert.True(rows.Count >= before.Created, $"{before.Created} answered 201, {rows.Count} allocations after the restart");
            AllocationLedger.AssertSequencesAndBlocks(rows);
            await AllocationLedger.AssertWholeRecordsAsync(deployment, trialId);
            await AllocationLedger.AssertVerifyMatchesAsync(second, trialId, rows.Count);
            var documents = await AllocationLedger.WaitForDocumentsAsync(deployment, trialId, rows.Count, TimeSpan.FromSeconds(90), second.Output);
            output.WriteLine($"after the restart: {rows.Count} allocations intact ({rows.Count - before.Created} committed but unanswered), all documents ready in {documents.TotalSeconds:0.0} s");

            // The rest of the burst against the restarted server: those allocated unanswered come back as 200, the same.
            var remaining = participants.Except(before.Answers.Where(a => a.Answered).Select(a => a.ParticipantId)).ToList();
            var after = await RandomizationBurst.Plan(remaining, remaining.Count, seed: 8).RunAsync([second], LoadTests.Clients);
            Assert.Equal(after.Sent, after.Answers.Count(a => a.Answered));
            var all = before.Answers.Concat(after.Answers).ToList();
            rows = await AllocationLedger.AllocationsAsync(second, trialId);
            Assert.Equal(participants.Count, rows.Count);
            AllocationLedger.AssertAnswersMatch(all, rows, everyoneAnswered: false);
            Assert.All(participants, id => Assert.Contains(all, a => a.ParticipantId == id && a.Answered));
            AllocationLedger.AssertSequencesAndBlocks(rows);
            await AllocationLedger.AssertVerifyMatchesAsync(second, trialId, rows.Count);
            await AllocationLedger.WaitForDocumentsAsync(deployment, trialId, rows.Count, TimeSpan.FromSeconds(90), second.Output);
            await AllocationLedger.AssertWholeRecordsAsync(deployment, trialId);
            await AllocationLedger.AssertDocumentFilesExistAsync(deployment, trialId);
            await AllocationLedger.AssertAuditChainValidAsync(second);
            output.WriteLine($"completed after the restart: {after.Summary()}; test {total.Elapsed.TotalSeconds:0.0} s; error lines after the restart {second.ErrorLines}\n{second.FirstErrors()}");
        }
        catch
        {
            output.WriteLine(first.Output());
            output.WriteLine(second?.Output() ?? "(not restarted)");
            throw;
        }
        finally
        {
            await first.DisposeAsync();
            if (second is not null)
            {
                await second.DisposeAsync();
            }
        }
    }

    private static async Task<int> OwedDocumentsAsync(Deployment deployment, string trialId)
    {
        await using var db = deployment.OpenDb();
        return await db.ProtocolDocuments.CountAsync(d => d.Status != DocumentStatus.Ready
            && db.Participants.Any(p => p.Id == d.ParticipantId && p.TrialId == trialId));
    }
}

public sealed class CrashTests_Sqlite(ITestOutputHelper output) : CrashTests(output)
{
    protected override Task<Deployment> DeployAsync() => Deployment.SqliteAsync();
}

public sealed class CrashTests_Postgres(ITestOutputHelper output) : CrashTests(output), IRunsOnPostgres
{
    protected override Task<Deployment> DeployAsync() => Deployment.PostgresAsync();
}
