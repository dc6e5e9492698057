using System.Globalization;
using System.Runtime.CompilerServices;
using CsvHelper;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Common;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Statistics;

/// <summary>GET /api/trials/{id}/allocations: the allocation table, streamed row by row (JSON or CSV).</summary>
public sealed record StreamAllocations(string TrialId) : IStreamQuery<AllocationRow>;

/// <param name="Matched">Whether the arm is the one the trial's hypothesis predicts for the formulation; null without a prediction.</param>
public sealed record AllocationRow(
    string ParticipantId, string Site, Formulation Formulation, string Stratum, int Sequence, int? Block, int? BlockSize, ArmCode Arm,
    DateTimeOffset RandomizedAt, bool? Matched);

public sealed class StreamAllocationsHandler(TrialDbContext db) : IStreamQueryHandler<StreamAllocations, AllocationRow>
{
    public async IAsyncEnumerable<AllocationRow> Handle(StreamAllocations query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var trial = await db.ReadTrialAsync(query.TrialId, cancellationToken);
        // Client-evaluated in the projection (a lookup, no second row object): the export streams a million rows.
        var definition = trial.Definition;

        // Ordered by the unique (trial, state key, sequence) index: the database streams without sorting.
        var rows = db.Allocations.AsNoTracking()
            .Where(a => a.TrialId == query.TrialId)
            .OrderBy(a => a.StateKey).ThenBy(a => a.Sequence)
            .Select(a => new AllocationRow(
                a.ParticipantId, a.Site, a.Formulation, a.Stratum, a.Sequence, a.BlockNumber, a.BlockSize, a.Arm, a.RandomizedAt,
                definition.Matched(a.Formulation, a.Arm)))
            .AsAsyncEnumerable();
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            yield return row;
        }
    }
}

public static class AllocationCsv
{
    // Columns are only ever added at the end (the contract's rule for exports).
    public static readonly string[] Columns = ["participantId", "site", "formulation", "stratum", "sequence", "block", "blockSize", "arm", "randomizedAt", "matched"];

    /// <summary>Writes the rows as RFC 4180 CSV, flushing as it goes so memory stays flat for any table size.</summary>
    public static async Task WriteAsync(IAsyncEnumerable<AllocationRow> rows, Stream body, CancellationToken cancellationToken)
    {
        await using var writer = new StreamWriter(body, new System.Text.UTF8Encoding(false), 64 * 1024, leaveOpen: true);
        await using var csv = CsvWriter.Create(writer, CsvWriterOptions.Default, leaveOpen: true);
        await csv.WriteRecordAsync(Columns, cancellationToken);
        var count = 0;
        await foreach (var r in rows.WithCancellation(cancellationToken))
        {
            await csv.WriteRecordAsync(
                [
                    r.ParticipantId, r.Site, r.Formulation.Wire(), r.Stratum, Text(r.Sequence), Text(r.Block), Text(r.BlockSize), r.Arm.Wire(),
                    r.RandomizedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
                    r.Matched switch { true => "true", false => "false", null => string.Empty },
                ],
                cancellationToken);
            if (++count % 1000 == 0)
            {
                await csv.FlushAsync(cancellationToken);
            }
        }

        await csv.FlushAsync(cancellationToken);
    }

    private static string Text(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? string.Empty;
}
