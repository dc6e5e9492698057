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

/// <summary>GET /api/trials/{id}/allocations as JSON: a page of the table in the export's order.</summary>
public sealed record ListAllocations(string TrialId, PageRequest Page) : IQuery<Page<AllocationRow>>;

public sealed class ListAllocationsHandler(TrialDbContext db) : IQueryHandler<ListAllocations, Page<AllocationRow>>
{
    public async ValueTask<Page<AllocationRow>> Handle(ListAllocations query, CancellationToken cancellationToken)
    {
        var trial = await db.Trials.AsNoTracking().SingleOrDefaultAsync(t => t.Id == query.TrialId, cancellationToken)
            ?? throw new NotFoundException($"No trial with id {query.TrialId}.");
        var definition = trial.Definition;
        var allocations = db.Allocations.AsNoTracking().Where(a => a.TrialId == query.TrialId);
        if (query.Page.Key(2) is [var stateKey, var sequence])
        {
            var afterSequence = (int)PageRequest.Number(sequence);
            allocations = allocations.Where(a => string.Compare(a.StateKey, stateKey) > 0 || (a.StateKey == stateKey && a.Sequence > afterSequence));
        }

        // The unique (trial, state key, sequence) index is the keyset: each page starts where the last one ended.
        var rows = await allocations.OrderBy(a => a.StateKey).ThenBy(a => a.Sequence).Take(query.Page.Limit + 1)
            .Select(a => new { Row = new AllocationRow(
                a.ParticipantId, a.Site, a.Formulation, a.Stratum, a.Sequence, a.BlockNumber, a.BlockSize, a.Arm, a.RandomizedAt,
                definition.Matched(a.Formulation, a.Arm)), a.StateKey })
            .ToListAsync(cancellationToken);
        var page = Page<AllocationRowWithKey>.From(
            [.. rows.Select(r => new AllocationRowWithKey(r.Row, r.StateKey))], query.Page,
            r => PageRequest.Cursor(r.StateKey, PageRequest.Text(r.Row.Sequence)));
        return new Page<AllocationRow>([.. page.Items.Select(r => r.Row)], page.Next);
    }

    private sealed record AllocationRowWithKey(AllocationRow Row, string StateKey);
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
