using System.Buffers;
using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using CsvHelper;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Instruments;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Exports;

/// <summary>
/// Writes a trial's analysis export as a zip to any stream, entry by entry as the rows are read: the CSV files, the
/// codebook (CSV and HTML) built from the same column list, and a manifest with every file's row count and SHA-256.
/// Entries are stamped with the time the data were taken, so the same data give the same bytes.
/// </summary>
public sealed class AnalysisExport(TrialDbContext db, InstrumentCatalogue catalogue)
{
    public static readonly string[] CodebookColumns = ["file", "variable", "label", "type", "unit", "values", "missing", "role", "derivation", "source"];

    private static readonly UTF8Encoding Utf8 = new(false);

    /// <summary>Reads the trial first (a 404 before the first byte, never a broken zip) and returns what writes its export.</summary>
    public async Task<Func<Stream, Task>> PrepareAsync(string trialId, DateTimeOffset takenAt, CancellationToken cancellationToken)
    {
        var trial = await db.ReadTrialAsync(trialId, cancellationToken);
        return output => WriteAsync(trial, output, takenAt, null, cancellationToken);
    }

    /// <summary>
    /// The export's codebook.html alone, byte for byte as in the zip: the columns depend on the trial's definition and
    /// the instruments only, never on the rows, so no data is read.
    /// </summary>
    public async Task<byte[]> CodebookHtmlAsync(string trialId, CancellationToken cancellationToken)
    {
        var trial = await db.ReadTrialAsync(trialId, cancellationToken);
        var tables = new ExportTables(db, catalogue, trial, new Dictionary<string, bool>()).All();
        return Utf8.GetBytes(CodebookHtml(trial, Codebook(tables)));
    }

    public async Task WriteAsync(Trial trial, Stream output, DateTimeOffset takenAt, Guid? freezeId, CancellationToken cancellationToken)
    {
        // One snapshot for every file: a participant randomized while the export runs is in all of them or in none.
        await using var snapshot = await ReadSnapshot.BeginAsync(db, cancellationToken);
        await WriteInSnapshotAsync(trial, output, takenAt, freezeId, cancellationToken);
    }

    /// <summary>The export, inside a read snapshot the caller holds on this scope's context (a freeze reads the reports' figures in it too).</summary>
    public async Task WriteInSnapshotAsync(Trial trial, Stream output, DateTimeOffset takenAt, Guid? freezeId, CancellationToken cancellationToken)
    {
        var certified = await CertifiedRatersAsync(trial, cancellationToken);
        var exportTables = new ExportTables(db, catalogue, trial, certified);
        var tables = exportTables.All();
        var files = new List<(string Name, long? Rows, string Sha256)>();

        // scores.csv and visits.csv are written to temporary files by item_responses.csv's read of the measures, and
        // copied into the zip at their turn: the measures are read once, not three times.
        var measuresRead = false;
        await using var scores = await SpooledCsv.CreateAsync(Header(tables, ExportTables.ScoresFile), cancellationToken);
        await using var visits = await SpooledCsv.CreateAsync(Header(tables, ExportTables.VisitsFile), cancellationToken);
        exportTables.Alongside = new(scores.WriteAsync, visits.WriteAsync);

        await using (var zip = await ZipArchive.CreateAsync(output, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null, cancellationToken))
        {
            async Task EntryAsync(string name, Func<Stream, Task<long?>> write)
            {
                var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
                entry.LastWriteTime = takenAt;
                await using var stream = await entry.OpenAsync(cancellationToken);
                await using var hashing = new HashingStream(stream);
                long? rows;
                await using (var pipeline = new PipelinedStream(hashing, cancellationToken))
                {
                    rows = await write(pipeline);
                    await pipeline.CompleteAsync(cancellationToken);
                }

                files.Add((name, rows, hashing.Sha256()));
            }

            foreach (var table in tables)
            {
                var spooled = !measuresRead ? null : table.File switch { ExportTables.ScoresFile => scores, ExportTables.VisitsFile => visits, _ => null };
                if (spooled is not null)
                {
                    await EntryAsync(table.File, body => spooled.CopyToAsync(body, cancellationToken));
                    continue;
                }

                await EntryAsync(table.File, body => WriteCsvAsync(body, [.. table.Columns.Select(c => c.Variable)], table.Rows(cancellationToken), cancellationToken));
                if (table.File == ExportTables.ItemResponsesFile)
                {
                    measuresRead = true;
                    exportTables.Alongside = null;
                }
            }

            var codebook = Codebook(tables);
            await EntryAsync("codebook.csv", body => WriteCsvAsync(body, CodebookColumns,
                codebook.Select(r => new[] { r.File, r.Column.Variable, r.Column.Label, r.Column.Type, r.Column.Unit, r.Column.Values, r.Column.Missing, r.Column.Role, r.Column.Derivation, r.Column.Source })
                    .ToAsyncEnumerable(), cancellationToken));
            await EntryAsync("codebook.html", async body =>
            {
                await body.WriteAsync(Utf8.GetBytes(CodebookHtml(trial, codebook)), cancellationToken);
                return null;
            });
            await EntryAsync(AnalysisScript.FileName, async body =>
            {
                await body.WriteAsync(Utf8.GetBytes(AnalysisScript.For(trial.Definition)), cancellationToken);
                return null;
            });
            await EntryAsync("manifest.json", async body =>
            {
                await body.WriteAsync(Manifest(trial, takenAt, freezeId, files), cancellationToken);
                return null;
            });
        }

        await output.FlushAsync(cancellationToken);
    }

    private async Task<IReadOnlyDictionary<string, bool>> CertifiedRatersAsync(Trial trial, CancellationToken cancellationToken)
    {
        if (trial.Definition.FormulationRule.Certification is not { } rule || !await db.ReferenceCases.AnyAsync(c => c.TrialId == trial.Id, cancellationToken))
        {
            return new Dictionary<string, bool>();
        }

        var practice = await db.PracticeRatings.AsNoTracking().Where(r => r.TrialId == trial.Id).Select(r => new { r.Rater, r.Agreed }).ToListAsync(cancellationToken);
        return practice.GroupBy(r => r.Rater, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => RaterCertification.Evaluate([.. g.Select(r => r.Agreed)], rule).Certified, StringComparer.Ordinal);
    }

    internal static async Task<long?> WriteCsvAsync(Stream body, string[] header, IAsyncEnumerable<string[]> rows, CancellationToken cancellationToken)
    {
        await using var writer = new StreamWriter(body, Utf8, 64 * 1024, leaveOpen: true);
        await using var csv = CsvWriter.Create(writer, CsvWriterOptions.Default, leaveOpen: true);
        await csv.WriteRecordAsync(header, cancellationToken);
        long count = 0;
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            await csv.WriteRecordAsync(row, cancellationToken);
            if (++count % 1000 == 0)
            {
                await csv.FlushAsync(cancellationToken);
            }
        }

        await csv.FlushAsync(cancellationToken);
        return count;
    }

    private static string[] Header(IReadOnlyList<ExportTable> tables, string file) => [.. tables.Single(t => t.File == file).Columns.Select(c => c.Variable)];

    /// <summary>
    /// A CSV file written, as <see cref="WriteCsvAsync"/> writes it, to a temporary file while another entry is being
    /// written, then copied into its own entry: the same bytes, with the disk rather than memory holding them meanwhile.
    /// </summary>
    private sealed class SpooledCsv : IAsyncDisposable
    {
        private readonly FileStream file;
        private readonly StreamWriter writer;
        private readonly CsvWriter csv;
        private long rows;

        private SpooledCsv()
        {
            file = new FileStream(Path.Combine(Path.GetTempPath(), $"trialmanager-export-{Guid.NewGuid():N}.csv"), FileMode.CreateNew, FileAccess.ReadWrite,
                FileShare.None, 64 * 1024, FileOptions.DeleteOnClose);
            writer = new StreamWriter(file, Utf8, 64 * 1024, leaveOpen: true);
            csv = CsvWriter.Create(writer, CsvWriterOptions.Default, leaveOpen: true);
        }

        public static async Task<SpooledCsv> CreateAsync(string[] header, CancellationToken cancellationToken)
        {
            var spooled = new SpooledCsv();
            await spooled.csv.WriteRecordAsync(header, cancellationToken);
            return spooled;
        }

        public async ValueTask WriteAsync(string[] row, CancellationToken cancellationToken)
        {
            await csv.WriteRecordAsync(row, cancellationToken);
            rows++;
        }

        /// <summary>Copies what was written into the entry; its data rows, for the manifest.</summary>
        public async Task<long?> CopyToAsync(Stream body, CancellationToken cancellationToken)
        {
            await csv.FlushAsync(cancellationToken);
            await writer.FlushAsync(cancellationToken);
            file.Position = 0;
            await file.CopyToAsync(body, 64 * 1024, cancellationToken);
            return rows;
        }

        public async ValueTask DisposeAsync()
        {
            await csv.DisposeAsync();
            await writer.DisposeAsync();
            await file.DisposeAsync();
        }
    }

    private static byte[] Manifest(Trial trial, DateTimeOffset takenAt, Guid? freezeId, List<(string Name, long? Rows, string Sha256)> files)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("trialId", trial.Id);
            json.WriteString("title", trial.Definition.Title);
            // The definition in force when the data were taken (a freeze keeps the version of its time).
            json.WriteString("definitionVersion", trial.DefinitionVersion);
            json.WriteString("takenAt", ExportText.Instant(takenAt));
            if (freezeId is { } id)
            {
                json.WriteString("freezeId", id.ToString());
            }
            else
            {
                json.WriteNull("freezeId");
            }

            json.WriteStartArray("files");
            foreach (var (name, rows, sha256) in files)
            {
                json.WriteStartObject();
                json.WriteString("name", name);
                if (rows is { } n)
                {
                    json.WriteNumber("rows", n);
                }
                else
                {
                    json.WriteNull("rows");
                }

                json.WriteString("sha256", sha256);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static List<(string File, ExportColumn Column)> Codebook(IReadOnlyList<ExportTable> tables) =>
        [.. tables.SelectMany(t => t.Columns.Select(c => (t.File, Column: c)))];

    private static string CodebookHtml(Trial trial, List<(string File, ExportColumn Column)> codebook)
    {
        static string E(string text) => WebUtility.HtmlEncode(text);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Codebook: ").Append(E(trial.Id)).Append("</title>")
            .Append("<style>body{font-family:sans-serif}table{border-collapse:collapse}td,th{border:1px solid #999;padding:2px 6px;vertical-align:top;text-align:left}</style>")
            .Append("</head><body>\n<h1>Codebook: ").Append(E(trial.Definition.Title)).Append("</h1>\n")
            .Append("<p>Roles: id names a record; baseline is measured before randomization and independent of it (a candidate moderator); ")
            .Append("process is measured during treatment and may depend on the arm (a candidate mediator); design is fixed by the design and the allocation; ")
            .Append("outcome is what the trial is judged on.</p>\n")
            .Append("<p>analysis.R in this export fits the trial's pre-specified models on these files (its header says how to run it).</p>\n<table>\n<tr>");
        foreach (var name in CodebookColumns)
        {
            html.Append("<th>").Append(name).Append("</th>");
        }

        html.Append("</tr>\n");
        foreach (var (file, c) in codebook)
        {
            html.Append("<tr>");
            foreach (var value in new[] { file, c.Variable, c.Label, c.Type, c.Unit, c.Values, c.Missing, c.Role, c.Derivation, c.Source })
            {
                html.Append("<td>").Append(E(value)).Append("</td>");
            }

            html.Append("</tr>\n");
        }

        return html.Append("</table>\n</body></html>\n").ToString();
    }

    /// <summary>Passes writes through and hashes them: each file's SHA-256 for the manifest, without holding the file.</summary>
    private sealed class HashingStream(Stream inner) : Stream
    {
        private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public string Sha256() => Convert.ToHexStringLower(hash.GetCurrentHash());

        public override void Write(byte[] buffer, int offset, int count)
        {
            hash.AppendData(buffer, offset, count);
            inner.Write(buffer, offset, count);
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            hash.AppendData(buffer.Span);
            await inner.WriteAsync(buffer, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush() => inner.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                hash.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    /// <summary>
    /// Hands an entry's bytes in 64 KB chunks to a second thread that hashes, deflates and sends them while this one reads
    /// and formats the next rows: the export uses both cores. The same bytes in the same order, so the same zip; at
    /// most a few chunks in flight, so memory stays flat. Flushing sends nothing early (the CSV writer flushed every 1,000
    /// rows, and each flush ended a deflate block and a response write); <see cref="CompleteAsync"/> ends it.
    /// </summary>
    private sealed class PipelinedStream : Stream
    {
        private const int ChunkSize = 64 * 1024;
        private readonly Channel<(byte[] Chunk, int Length)> chunks = Channel.CreateBounded<(byte[], int)>(new BoundedChannelOptions(4) { SingleReader = true, SingleWriter = true });
        private readonly Task consumer;
        private byte[] current = ArrayPool<byte>.Shared.Rent(ChunkSize);
        private int filled;

        public PipelinedStream(Stream inner, CancellationToken cancellationToken)
        {
            consumer = Task.Run(async () =>
            {
                try
                {
                    await foreach (var (chunk, length) in chunks.Reader.ReadAllAsync(cancellationToken))
                    {
                        await inner.WriteAsync(chunk.AsMemory(0, length), cancellationToken);
                        ArrayPool<byte>.Shared.Return(chunk);
                    }
                }
                catch (Exception e)
                {
                    // The writer's next chunk fails instead of waiting for a reader that has stopped.
                    chunks.Writer.TryComplete(e);
                    throw;
                }
            }, cancellationToken);
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        /// <summary>Sends the last chunk and waits until the other thread has written everything (or rethrows what stopped it).</summary>
        public async Task CompleteAsync(CancellationToken cancellationToken)
        {
            if (filled > 0)
            {
                await SendAsync(cancellationToken);
            }

            chunks.Writer.TryComplete();
            await consumer;
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (buffer.Length > 0)
            {
                var n = Math.Min(buffer.Length, ChunkSize - filled);
                buffer.Span[..n].CopyTo(current.AsSpan(filled));
                filled += n;
                buffer = buffer[n..];
                if (filled == ChunkSize)
                {
                    await SendAsync(cancellationToken);
                }
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        private async Task SendAsync(CancellationToken cancellationToken)
        {
            await chunks.Writer.WriteAsync((current, filled), cancellationToken);
            (current, filled) = (ArrayPool<byte>.Shared.Rent(ChunkSize), 0);
        }

        public override async ValueTask DisposeAsync()
        {
            chunks.Writer.TryComplete();
            try
            {
                await consumer;
            }
            catch (Exception)
            {
                // Already reported by the write that failed.
            }

            ArrayPool<byte>.Shared.Return(current);
            GC.SuppressFinalize(this);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                // Normally CompleteAsync has run; after a failure, stop the other thread and let it finish before the entry closes.
                chunks.Writer.TryComplete();
                try
                {
                    consumer.GetAwaiter().GetResult();
                }
                catch (Exception)
                {
                    // Already reported by the write that failed.
                }

                ArrayPool<byte>.Shared.Return(current);
            }

            base.Dispose(disposing);
        }
    }
}
