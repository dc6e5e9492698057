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
/// <param name="MisStratified">A stratification variable was corrected after randomization: the allocation and its stratum stand.</param>
/// <param name="IneligibleAfterRandomization">Corrected answers fail an eligibility criterion; kept in the intention-to-treat set.</param>
public sealed record AllocationRow(
    string ParticipantId, string Site, Formulation Formulation, string Stratum, int Sequence, int? Block, int? BlockSize, ArmCode Arm,
    DateTimeOffset RandomizedAt, bool? Matched, bool MisStratified, bool IneligibleAfterRandomization);

public sealed class StreamAllocationsHandler(TrialDbContext db) : IStreamQueryHandler<StreamAllocations, AllocationRow>
{
    public async IAsyncEnumerable<AllocationRow> Handle(StreamAllocations query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var trial = await db.ReadTrialAsync(query.TrialId, cancellationToken);
        // Client-evaluated in the projection (a lookup, no second row object): the export streams a million rows.
        var definition = trial.Definition;

        // Ordered by the unique (trial, state key, sequence) index: the database streams without sorting.
        // The flags are the participant's (the allocation row never changes), joined by primary key.
        var rows = db.Allocations.AsNoTracking()
            .Where(a => a.TrialId == query.TrialId)
            .Join(db.Participants, a => a.ParticipantId, p => p.Id, (a, p) => new { a, p.MisStratified, p.IneligibleAfterRandomization })
            .OrderBy(x => x.a.StateKey).ThenBy(x => x.a.Sequence)
            .Select(x => new AllocationRow(
                x.a.ParticipantId, x.a.Site, x.a.Formulation, x.a.Stratum, x.a.Sequence, x.a.BlockNumber, x.a.BlockSize, x.a.Arm, x.a.RandomizedAt,
                definition.Matched(x.a.Formulation, x.a.Arm), x.MisStratified, x.IneligibleAfterRandomization))
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
            .Join(db.Participants, a => a.ParticipantId, p => p.Id, (a, p) => new { a, p.MisStratified, p.IneligibleAfterRandomization })
            .OrderBy(x => x.a.StateKey).ThenBy(x => x.a.Sequence)
            .Select(x => new { Row = new AllocationRow(
                x.a.ParticipantId, x.a.Site, x.a.Formulation, x.a.Stratum, x.a.Sequence, x.a.BlockNumber, x.a.BlockSize, x.a.Arm, x.a.RandomizedAt,
                definition.Matched(x.a.Formulation, x.a.Arm), x.MisStratified, x.IneligibleAfterRandomization), x.a.StateKey })
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
    public static readonly string[] Columns = ["participantId", "site", "formulation", "stratum", "sequence", "block", "blockSize", "arm", "randomizedAt", "matched", "misStratified", "ineligibleAfterRandomization"];

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
                    r.MisStratified ? "true" : "false", r.IneligibleAfterRandomization ? "true" : "false",
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
