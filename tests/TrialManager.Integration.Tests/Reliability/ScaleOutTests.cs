using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using TrialManager.Integration.Tests.Harness;
using Xunit.Abstractions;

namespace TrialManager.Integration.Tests.Reliability;

/// <summary>
/// Two server processes on different ports, one PostgreSQL database, one documents folder, Hangfire workers in
/// both: the deployment shape of docs/architecture.md, under load on both at once.
/// </summary>
[Trait("Category", "Reliability")]
public sealed class ScaleOutTests(ITestOutputHelper output)
{
    [PostgresFact]
    public async Task Randomize_TwoServersOneDatabase_AllocatesOnceAndRendersEachDocumentOnce()
    {
        var total = Stopwatch.StartNew();
        await using var deployment = await Deployment.PostgresAsync();
        // One after the other: the first applies the migrations, the second finds them applied.
        await using var a = await deployment.StartServerAsync("server-a");
        await using var b = await deployment.StartServerAsync("server-b");
        try
        {
            var trialId = await AllocationLedger.CreateTrialAsync(a);
            var requests = RandomizationBurst.ConfiguredFaultRequests();
            var participants = await deployment.SeedFormulatedParticipantsAsync(trialId, RandomizationBurst.ParticipantsFor(requests));
            var burst = RandomizationBurst.Plan(participants, requests, seed: 9);

            var result = await burst.RunAsync([a, b], LoadTests.Clients);
            output.WriteLine($"2 servers: {burst.Duplicates} duplicates; {result.Summary()}; "
                + string.Join(", ", result.Answers.GroupBy(x => x.Server).Select(g => $"{g.Key} {g.Count()} ({g.Count(x => x.Status == 201)} created)")));
            var failures = result.Answers.Where(x => !x.Answered).Take(5).ToList();
            Assert.True(failures.Count == 0, "Requests not answered 200/201: " + string.Join("\n", failures));
            Assert.Equal(participants.Count, result.Created);
            Assert.All(new[] { a.Name, b.Name }, name => Assert.Contains(result.Answers, x => x.Server == name && x.Status == 201));

            // Either server's view is the same ledger.
            var rows = await AllocationLedger.AllocationsAsync(a, trialId);
            Assert.Equal(rows, await AllocationLedger.AllocationsAsync(b, trialId));
            Assert.Equal(participants.Count, rows.Count);
            AllocationLedger.AssertAnswersMatch(result.Answers, rows, everyoneAnswered: true);
            AllocationLedger.AssertSequencesAndBlocks(rows);
            await AllocationLedger.AssertVerifyMatchesAsync(b, trialId, rows.Count);
            var documents = await AllocationLedger.WaitForDocumentsAsync(deployment, trialId, rows.Count, TimeSpan.FromSeconds(90), () => a.Output() + b.Output());
            await AllocationLedger.AssertWholeRecordsAsync(deployment, trialId);
            await AllocationLedger.AssertDocumentFilesExistAsync(deployment, trialId);
            await AllocationLedger.AssertAuditChainValidAsync(a);

            // Each document was rendered once: one start and one completion event per participant, one attempt each.
            await using (var db = deployment.OpenDb())
            {
                foreach (var action in new[] { "StartProtocolDocument", "CompleteProtocolDocument" })
                {
                    var perParticipant = await db.AuditEvents.AsNoTracking()
                        .Where(e => e.Action == action && e.RecordId!.StartsWith(trialId + "-"))
                        .GroupBy(e => e.RecordId).Select(g => g.Count()).ToListAsync();
                    Assert.Equal(participants.Count, perParticipant.Count);
                    Assert.All(perParticipant, n => Assert.Equal(1, n));
                }

                Assert.Equal(0, await db.ProtocolDocuments.CountAsync(d => d.Attempts != 1 && d.ParticipantId.StartsWith(trialId + "-")));
            }

            // Each Hangfire job ran once, and both servers' workers took jobs.
            var (succeeded, processedBy) = await HangfireJobsAsync(deployment);
            output.WriteLine($"documents ready {documents.TotalSeconds:0.0} s after the burst; Hangfire: {succeeded} succeeded jobs, processing states by server: {processedBy}; test {total.Elapsed.TotalSeconds:0.0} s; error lines {a.ErrorLines} + {b.ErrorLines}\n{a.FirstErrors()}\n{b.FirstErrors()}");
            Assert.Equal(participants.Count, succeeded);
            Assert.Contains(a.Id.ToString(CultureInfo.InvariantCulture), processedBy, StringComparison.Ordinal);
            Assert.Contains(b.Id.ToString(CultureInfo.InvariantCulture), processedBy, StringComparison.Ordinal);
        }
        catch
        {
            output.WriteLine(a.Output());
            output.WriteLine(b.Output());
            throw;
        }
    }

    /// <summary>Succeeded protocol-document jobs, and how many Processing states each server (name ends in its pid) recorded.</summary>
    private static async Task<(long Succeeded, string ProcessedBy)> HangfireJobsAsync(Deployment deployment)
    {
        await using var connection = new NpgsqlConnection(deployment.ConnectionString);
        await connection.OpenAsync();
        await using var jobs = new NpgsqlCommand(
            "SELECT count(*) FROM hangfire.job WHERE statename = 'Succeeded' AND invocationdata::text LIKE '%ProtocolDocumentJob%'", connection);
        var succeeded = (long)(await jobs.ExecuteScalarAsync())!;
        await using var states = new NpgsqlCommand(
            """
            SELECT split_part(s.data::jsonb ->> 'ServerId', ':', 2) AS pid, count(*)
            FROM hangfire.state s JOIN hangfire.job j ON j.id = s.jobid
            WHERE s.name = 'Processing' AND j.invocationdata::text LIKE '%ProtocolDocumentJob%'
            GROUP BY 1 ORDER BY 1
            """, connection);
        var parts = new List<string>();
        await using (var reader = await states.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                parts.Add($"pid {reader.GetString(0)}: {reader.GetInt64(1)}");
            }
        }

        return (succeeded, string.Join(", ", parts));
    }
}
