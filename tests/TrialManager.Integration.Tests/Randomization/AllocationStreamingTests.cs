using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Documents;
using TrialManager.Integration.Tests.Harness;
using Xunit.Abstractions;
using static TrialManager.Integration.Tests.Randomization.RandomizationHttp;

namespace TrialManager.Integration.Tests.Randomization;

/// <summary>
/// The allocation export streams: a 1,000,000-row table goes out as CSV while the process's managed heap stays
/// flat; the JSON list is paged (the contract), so it answers one page of it. Rows are bulk-copied from one real allocation
/// and its participant inside SQLite (seconds), not randomized one by one.
/// </summary>
[Collection(SqliteServerCollection.Name)]
public sealed class AllocationStreamingTests(SqliteTrialServer server, ITestOutputHelper output)
{
    private const int Rows = 1_000_000;
    private const long MaxHeapGrowthBytes = 32L * 1024 * 1024;

    [ServerFact]
    public async Task Allocations_OfAMillionRows_StreamAsCsvWithFlatMemory_AndJsonAsOnePage()
    {
        var trial = await TrialAsync(server, Blocks);
        var seedParticipant = (await FormulatedAsync(server, trial, 1))[0];
        Assert.Equal(HttpStatusCode.Created, (await RandomizeAsync(server.Coordinator, seedParticipant)).StatusCode);
        var inserted = Stopwatch.StartNew();
        await CopyAllocationAsync(trial, seedParticipant, Rows - 1);
        output.WriteLine($"bulk insert of {Rows - 1:N0} rows: {inserted.Elapsed.TotalSeconds:F1} s");

        // The heap is the whole process's: let the shared server finish the documents and reports that earlier tests
        // left owed (rendering a PDF allocates megabytes), so that the growth measured is the export's.
        await WaitForOwedDocumentsAsync();
        var csv = await ExportAsync(trial, "text/csv");
        var json = await ExportAsync(trial, "application/json");

        output.WriteLine($"CSV: {csv.Bytes / 1e6:F0} MB, {csv.Lines:N0} lines in {csv.Seconds:F1} s, heap growth peak {csv.PeakGrowth / 1e6:F1} MB");
        output.WriteLine($"JSON: {json.Bytes / 1e6:F0} MB in {json.Seconds:F1} s, heap growth peak {json.PeakGrowth / 1e6:F1} MB");
        Assert.Equal(Rows + 1, csv.Lines); // header + rows
        Assert.Equal(100, json.Lines);     // one "participantId" per row of the default page
        // The text alone is ~100 MB; a buffered export would hold several times that.
        Assert.True(csv.Bytes > 80_000_000);
        Assert.InRange(csv.PeakGrowth, long.MinValue, MaxHeapGrowthBytes);
        Assert.InRange(json.PeakGrowth, long.MinValue, MaxHeapGrowthBytes);

        // Leave the shared database lean for the tests after this one.
        await server.WithDbAsync(db => db.Allocations.Where(a => a.TrialId == trial && a.ParticipantId != seedParticipant).ExecuteDeleteAsync());
        await server.WithDbAsync(db => db.Participants.Where(p => p.TrialId == trial && p.Id.StartsWith("bulk-")).ExecuteDeleteAsync());
    }

    private async Task WaitForOwedDocumentsAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (await server.WithDbAsync(async db =>
                   await db.ProtocolDocuments.AnyAsync(d => d.Status == DocumentStatus.Queued || d.Status == DocumentStatus.Running)
                   || await db.Reports.AnyAsync(r => r.Status == DocumentStatus.Queued || r.Status == DocumentStatus.Running))
               && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
        }
    }

    /// <summary>
    /// Copies one allocation row <paramref name="copies"/> times with fresh participant ids and the next sequences, each
    /// with a copy of its participant row: the export reads the participant's correction flags beside the allocation.
    /// </summary>
    private async Task CopyAllocationAsync(string trial, string participant, int copies)
    {
        var connectionString = await server.WithDbAsync(db => Task.FromResult(db.Database.GetConnectionString()!));
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        await CopyRowsAsync(connection, "Participants", "\"Id\" = $participant", copies, participant, trial,
            c => c switch { "Id" => "'bulk-' || n", _ => null });
        await CopyRowsAsync(connection, "Allocations", "\"ParticipantId\" = $participant AND a.\"TrialId\" = $trial", copies, participant, trial,
            c => c switch { "ParticipantId" => "'bulk-' || n", "Sequence" => "n + 1", _ => null });
    }

    private static async Task CopyRowsAsync(
        SqliteConnection connection, string table, string where, int copies, string participant, string trial, Func<string, string?> replaced)
    {
        var columns = new List<string>();
        await using (var info = connection.CreateCommand())
        {
            info.CommandText = $"SELECT name FROM pragma_table_info('{table}')";
            await using var reader = await info.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                columns.Add(reader.GetString(0));
            }
        }

        await using var copy = connection.CreateCommand();
        copy.CommandText = $"""
            WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < $copies)
            INSERT INTO "{table}" ({string.Join(", ", columns.Select(c => $"\"{c}\""))})
            SELECT {string.Join(", ", columns.Select(c => replaced(c) ?? $"a.\"{c}\""))} FROM seq, "{table}" a WHERE a.{where}
            """;
        copy.Parameters.AddWithValue("$copies", copies);
        copy.Parameters.AddWithValue("$participant", participant);
        copy.Parameters.AddWithValue("$trial", trial);
        copy.CommandTimeout = 600;
        Assert.Equal(copies, await copy.ExecuteNonQueryAsync());
    }

    private async Task<(long Bytes, long Lines, long PeakGrowth, double Seconds)> ExportAsync(string trial, string mediaType)
    {
        using var client = server.Statistician;
        client.DefaultRequestHeaders.Accept.Clear();
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue(mediaType));
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        var watch = Stopwatch.StartNew();

        using var response = await client.GetAsync($"/api/trials/{trial}/allocations", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[64 * 1024];
        long bytes = 0, lines = 0, peak = 0, chunks = 0;
        // CSV: count line feeds; JSON: count the rows' first property name.
        var marker = mediaType == "text/csv" ? "\n"u8.ToArray() : "\"participantId\""u8.ToArray();
        var carry = 0;
        int read;
        while ((read = await body.ReadAsync(buffer.AsMemory(carry, buffer.Length - carry))) > 0)
        {
            var span = buffer.AsSpan(0, carry + read);
            bytes += read;
            int index;
            var rest = span;
            while ((index = rest.IndexOf(marker)) >= 0)
            {
                lines++;
                rest = rest[(index + marker.Length)..];
            }

            // Keep a marker split across reads whole for the next round.
            carry = Math.Min(rest.Length, marker.Length - 1);
            rest[^carry..].CopyTo(buffer);
            // Live memory, not garbage waiting for a collection: how much garbage piles up before one depends on
            // the processor's cache size (the gen0 budget), while a buffered export would hold its rows alive.
            if (++chunks % 256 == 0)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - baseline);
            }
        }

        peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - baseline);
        return (bytes, lines, peak, watch.Elapsed.TotalSeconds);
    }
}
