using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using CsvHelper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using TrialManager.Infrastructure.Instruments;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;
using TrialManager.Server.Features.Exports;

namespace TrialManager.Benchmarks.Http;

/// <summary>
/// Where the analysis export's time goes, table by table: each CSV file written again and again, each time one stage
/// more (rows as strings; then CSV text to a null stream; then SHA-256; then deflate into a zip entry), and the whole
/// export into a null stream; each twice, the first round paying for the JIT. Process CPU beside the wall time (on this
/// shared machine the figure that compares). Usage: <c>-- export-profile [SQLite data directory holding the demo]</c>
/// (a copy: the server migrates it).
/// </summary>
public static class ExportProfile
{
    public static async Task<int> RunAsync(string[] args)
    {
        var directory = args[0];
        var settings = new Dictionary<string, string> { ["TrialManager:DataDirectory"] = directory, ["Database:Provider"] = "Sqlite" };
        await using var factory = HttpListLoad.Start(settings);
        try
        {
            for (var round = 1; round <= 2; round++)
            {
                Console.WriteLine($"round {round}, load average {File.ReadAllText("/proc/loadavg").Trim()}");
                await using var scope = factory.Services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<TrialDbContext>();
                var catalogue = scope.ServiceProvider.GetRequiredService<InstrumentCatalogue>();
                var trial = await db.ReadTrialAsync("fbr-dep-01", CancellationToken.None);
                var tables = new ExportTables(db, catalogue, trial, new Dictionary<string, bool>()).All();
                foreach (var table in tables)
                {
                    var rows = await TimeAsync(async () =>
                    {
                        long n = 0;
                        await foreach (var _ in table.Rows(CancellationToken.None))
                        {
                            n++;
                        }

                        return n;
                    });
                    var csv = await TimeAsync(() => CsvAsync(Stream.Null, table));
                    var hashed = await TimeAsync(async () =>
                    {
                        using var sha = new Hashing(Stream.Null);
                        return await CsvAsync(sha, table);
                    });
                    var zipped = await TimeAsync(async () =>
                    {
                        await using var zip = new ZipArchive(Stream.Null, ZipArchiveMode.Create, leaveOpen: true);
                        var entry = zip.CreateEntry(table.File, CompressionLevel.Optimal);
                        await using var stream = await entry.OpenAsync();
                        using var sha = new Hashing(stream);
                        return await CsvAsync(sha, table);
                    });
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{table.File,-20} {rows.Result,9:N0} rows | rows {rows.Wall,6:F2} s (cpu {rows.Cpu,6:F2}) | +csv {csv.Wall,6:F2} ({csv.Cpu,6:F2}) | +sha {hashed.Wall,6:F2} ({hashed.Cpu,6:F2}) | +deflate {zipped.Wall,6:F2} ({zipped.Cpu,6:F2})"));
                }

                await using var scope2 = factory.Services.CreateAsyncScope();
                var export = scope2.ServiceProvider.GetRequiredService<AnalysisExport>();
                var whole = await TimeAsync(async () =>
                {
                    var counting = new Counting();
                    await export.WriteAsync(trial, counting, new DateTimeOffset(2026, 12, 2, 0, 0, 0, TimeSpan.Zero), null, CancellationToken.None);
                    return counting.Bytes;
                });
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"whole export to a null stream: {whole.Wall:F2} s (cpu {whole.Cpu:F2}), {whole.Result / 1e6:F1} MB"));
            }

            return 0;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
        }
    }

    private static async Task<(T Result, double Wall, double Cpu)> TimeAsync<T>(Func<Task<T>> run)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var result = await run();
        return (result, watch.Elapsed.TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds);
    }

    private static async Task<long> CsvAsync(Stream body, ExportTable table)
    {
        await using var writer = new StreamWriter(body, new UTF8Encoding(false), 64 * 1024, leaveOpen: true);
        await using var csv = CsvWriter.Create(writer, CsvWriterOptions.Default, leaveOpen: true);
        await csv.WriteRecordAsync([.. table.Columns.Select(c => c.Variable)]);
        long count = 0;
        await foreach (var row in table.Rows(CancellationToken.None))
        {
            await csv.WriteRecordAsync(row);
            if (++count % 1000 == 0)
            {
                await csv.FlushAsync();
            }
        }

        await csv.FlushAsync();
        return count;
    }

    private sealed class Hashing(Stream inner) : Stream
    {
        private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

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

        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    private sealed class Counting : Stream
    {
        public long Bytes { get; private set; }
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => Bytes;
        public override long Position { get => Bytes; set => throw new NotSupportedException(); }
        public override void Write(byte[] buffer, int offset, int count) => Bytes += count;

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Bytes += buffer.Length;
            return ValueTask.CompletedTask;
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
