using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using TrialManager.Domain.Documents;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Hosting;

namespace TrialManager.Benchmarks.Http;

/// <summary>
/// A measured run of the analysis export of the large demo (issue 18, performance): the demo trial seeded by
/// <c>--seed-demo=large</c>'s own bulk path (<see cref="DemoSeeder"/>, 10,000 randomized participants with 16 sessions),
/// then <c>GET /api/trials/fbr-dep-01/export</c> (the zip), <c>?format=odm</c>, and a freeze downloaded twice, each on
/// Kestrel (loopback) by one client that hashes and discards the body. Time to the last byte, and the process's resident
/// memory (VmRSS, and RssAnon: its private part) sampled every 10 ms during the request, against just before it, and the
/// process's CPU time meanwhile (on a shared machine the figure that compares; the low-priority PDF threads take little). The
/// client runs in the server's process, but only hashes 80 KB buffers, so the growth is the server's. References in the
/// same run: a minimal ASP.NET Core endpoint streaming as many bytes as the zip (what loopback and Kestrel cost), and
/// the server's <c>GET /api/instruments/phq9</c>. The seeder owes a protocol PDF per participant, rendered in the
/// background: the run waits for them (up to a limit, then says how many were left) so they do not share the timings.
/// Usage: <c>dotnet run -c Release --project tests/TrialManager.Benchmarks -- http-export sqlite|postgres [participants]
/// [minutes to wait for the documents] [SQLite data directory] [--no-odm] [--keep-zip=path]</c>; with a directory that
/// already holds the demo (a server's after <c>--seed-demo=large</c>, stopped), the run exports it as it is and deletes
/// nothing. <c>--no-odm</c> leaves the ODM runs out; <c>--keep-zip=path</c> keeps the untimed first zip there (to compare
/// two builds' files).
/// </summary>
public static class HttpExportLoad
{
    private const string Trial = "fbr-dep-01";

    public static async Task<int> RunAsync(string[] args)
    {
        var options = args.Where(a => a.StartsWith("--", StringComparison.Ordinal)).ToArray();
        args = [.. args.Where(a => !a.StartsWith("--", StringComparison.Ordinal))];
        var odm = !options.Contains("--no-odm");
        var keepZip = options.FirstOrDefault(o => o.StartsWith("--keep-zip=", StringComparison.Ordinal))?["--keep-zip=".Length..];
        var provider = args.Length > 0 ? args[0] : "sqlite";
        var participants = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : DemoSeeder.LargeParticipants;
        var documentWait = TimeSpan.FromMinutes(args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 20);
        Console.WriteLine($"http-export {provider}: the demo trial in bulk with {participants:N0} participants, {Environment.ProcessorCount} cores, "
            + $"load average {LoadAverage()}");

        var given = args.Length > 3 && provider == "sqlite" ? args[3] : null;
        var directory = given ?? Directory.CreateTempSubdirectory("trialmanager-export-").FullName;
        PostgresCluster? cluster = null;
        try
        {
            var settings = new Dictionary<string, string> { ["TrialManager:DataDirectory"] = directory };
            if (provider == "postgres")
            {
                cluster = await PostgresCluster.StartAsync(durable: true);
                settings["Database:Provider"] = "PostgreSql";
                settings["Database:MigrateOnStart"] = "true";
                settings["ConnectionStrings:TrialManager"] = cluster.ConnectionString("bench");
            }
            else
            {
                settings["Database:Provider"] = "Sqlite";
            }

            await using var factory = HttpListLoad.Start(settings);
            var address = new Uri(factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            using var statistician = Client(address, "dev-statistician");

            var watch = Stopwatch.StartNew();
            await DemoSeeder.SeedAsync(factory.Services, factory.Services.GetRequiredService<IHostEnvironment>(), participants, bulk: true);
            Console.WriteLine(given is null
                ? $"bulk seed (--seed-demo=large's path): {participants:N0} participants in {watch.Elapsed.TotalSeconds:F0} s, load average {LoadAverage()}"
                : $"the demo of {given} as it is (seeded before)");
            await WaitForDocumentsAsync(factory.Services, documentWait);

            // Warm-up: the first request pays for JIT and the query plans; the timed ones follow.
            await DownloadAsync(statistician, "/api/instruments/phq9");
            var reference = await DownloadAsync(statistician, "/api/instruments/phq9");
            Print("reference: GET /api/instruments/phq9 (same server)", reference);

            await ManifestAsync(statistician, directory, keepZip);
            var zip = new List<Download>();
            for (var run = 1; run <= 3; run++)
            {
                zip.Add(await DownloadAsync(statistician, $"/api/trials/{Trial}/export"));
                Print($"GET /api/trials/{Trial}/export (zip), run {run}", zip[^1]);
            }

            Print("reference: minimal ASP.NET Core endpoint streaming as many bytes", await MinimalStreamAsync(zip[^1].Bytes));

            for (var run = 1; odm && run <= 2; run++)
            {
                Print($"GET /api/trials/{Trial}/export?format=odm, run {run}", await DownloadAsync(statistician, $"/api/trials/{Trial}/export?format=odm"));
            }

            // The freeze writes the zip and both reports' figures to the document store: sampled as a download is.
            string? id = null, sha256 = null;
            var posted = await SampledAsync(async () =>
            {
                using var frozen = await statistician.PostAsync(new Uri($"/api/trials/{Trial}/freezes", UriKind.Relative), null);
                HttpListLoad.Check(frozen, HttpStatusCode.Created);
                var freeze = await frozen.Content.ReadFromJsonAsync<JsonElement>();
                (id, sha256) = (freeze.GetProperty("id").GetString(), freeze.GetProperty("sha256").GetString());
                return (0L, sha256!, frozen.StatusCode);
            });
            Print($"POST /api/trials/{Trial}/freezes (sha256 {sha256})", posted);
            var first = await DownloadAsync(statistician, $"/api/freezes/{id}/export");
            Print("GET /api/freezes/{id}/export, run 1", first);
            var second = await DownloadAsync(statistician, $"/api/freezes/{id}/export");
            Print("GET /api/freezes/{id}/export, run 2", second);
            var identical = first.Sha256 == sha256 && second.Sha256 == sha256 && first.Bytes == second.Bytes;
            Console.WriteLine($"freeze re-export byte-identical (both downloads' SHA-256 = the freeze's): {identical}");

            Console.WriteLine($"load average after: {LoadAverage()}");
            return identical ? 0 : 1;
        }
        finally
        {
            if (cluster is not null)
            {
                NpgsqlConnection.ClearAllPools();
                await cluster.DisposeAsync();
            }

            SqliteConnection.ClearAllPools();
            if (given is null)
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    private sealed record Download(double Seconds, double CpuSeconds, long Bytes, string Sha256, long RssBefore, long RssPeak, long AnonBefore, long AnonPeak, HttpStatusCode Status);

    private static string LoadAverage() => File.ReadAllText("/proc/loadavg").Trim();

    private static void Print(string name, Download d) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{name}: {d.Seconds:F2} s (process CPU {d.CpuSeconds:F2} s), {d.Bytes / 1e6:F1} MB, status {(int)d.Status}, resident {d.RssBefore / 1e6:F0} -> peak {d.RssPeak / 1e6:F0} MB "
        + $"(+{(d.RssPeak - d.RssBefore) / 1e6:F0} MB), private resident {d.AnonBefore / 1e6:F0} -> peak {d.AnonPeak / 1e6:F0} MB "
        + $"(+{(d.AnonPeak - d.AnonBefore) / 1e6:F0} MB), load average {LoadAverage()}"));

    private static HttpClient Client(Uri address, string key)
    {
        var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromMinutes(30) };
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    /// <summary>One download, hashed and discarded as it arrives, with the process's resident memory sampled meanwhile.</summary>
    private static Task<Download> DownloadAsync(HttpClient client, string path) => SampledAsync(async () =>
    {
        using var response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81_920];
        long bytes = 0;
        for (int read; (read = await body.ReadAsync(buffer)) > 0;)
        {
            sha.AppendData(buffer, 0, read);
            bytes += read;
        }

        return (bytes, Convert.ToHexStringLower(sha.GetHashAndReset()), response.StatusCode);
    });

    /// <summary>A request timed, with the process's CPU time and resident memory (sampled every 10 ms) meanwhile.</summary>
    private static async Task<Download> SampledAsync(Func<Task<(long Bytes, string Sha256, HttpStatusCode Status)>> request)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var (rssBefore, anonBefore) = Resident();
        var (rssPeak, anonPeak) = (rssBefore, anonBefore);
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                var (rss, anon) = Resident();
                (rssPeak, anonPeak) = (Math.Max(rssPeak, rss), Math.Max(anonPeak, anon));
                try
                {
                    await Task.Delay(10, sampling.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });

        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var (bytes, sha256, status) = await request();
        var seconds = watch.Elapsed.TotalSeconds;
        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        await sampling.CancelAsync();
        await sampler;
        return new Download(seconds, cpuSeconds, bytes, sha256, rssBefore, rssPeak, anonBefore, anonPeak, status);
    }

    /// <summary>VmRSS and RssAnon of this process, in bytes.</summary>
    private static (long Rss, long Anon) Resident()
    {
        long rss = 0, anon = 0;
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kilobytes(line);
            }
            else if (line.StartsWith("RssAnon:", StringComparison.Ordinal))
            {
                anon = Kilobytes(line);
            }
        }

        return (rss, anon);

        static long Kilobytes(string line) => 1024 * long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }


    /// <summary>An untimed download kept on disk, for the manifest's row counts: what the timed exports hold (moved to <paramref name="keep"/> when given).</summary>
    private static async Task ManifestAsync(HttpClient client, string directory, string? keep)
    {
        var path = Path.Combine(directory, $"export-{Guid.NewGuid():N}.zip");
        await using (var file = File.Create(path))
        {
            using var response = await client.GetAsync($"/api/trials/{Trial}/export", HttpCompletionOption.ResponseHeadersRead);
            HttpListLoad.Check(response, HttpStatusCode.OK);
            await (await response.Content.ReadAsStreamAsync()).CopyToAsync(file);
        }

        using (var zip = System.IO.Compression.ZipFile.OpenRead(path))
        {
            await using var manifest = await zip.GetEntry("manifest.json")!.OpenAsync();
            var files = (await JsonDocument.ParseAsync(manifest)).RootElement.GetProperty("files").EnumerateArray()
                .Where(f => f.GetProperty("rows").ValueKind == JsonValueKind.Number)
                .Select(f => $"{f.GetProperty("name").GetString()} {f.GetProperty("rows").GetInt64():N0}");
            Console.WriteLine($"export rows: {string.Join(", ", files)}");
        }

        if (keep is null)
        {
            File.Delete(path);
        }
        else
        {
            File.Move(path, keep, overwrite: true);
        }
    }

    /// <summary>Waits until the protocol documents the seed owes are rendered (or failed), or the limit passes.</summary>
    private static async Task WaitForDocumentsAsync(IServiceProvider services, TimeSpan limit)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TrialDbContext>();
            var owed = await db.ProtocolDocuments.CountAsync(d => d.Status != DocumentStatus.Ready && d.Status != DocumentStatus.Failed);
            var all = await db.ProtocolDocuments.CountAsync();
            if (owed == 0 || watch.Elapsed > limit)
            {
                Console.WriteLine($"protocol documents: {all - owed:N0} of {all:N0} rendered after waiting {watch.Elapsed.TotalSeconds:F0} s, load average {LoadAverage()}");
                return;
            }

            await Task.Delay(TimeSpan.FromSeconds(5));
        }
    }

    /// <summary>The same-run reference: a minimal endpoint on Kestrel (loopback) streaming the given number of bytes in 64 KB writes.</summary>
    private static async Task<Download> MinimalStreamAsync(long bytes)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
        var chunk = new byte[64 * 1024];
        new Random(1).NextBytes(chunk);
        app.MapGet("/bytes", async (HttpContext http) =>
        {
            http.Response.ContentType = "application/octet-stream";
            for (var left = bytes; left > 0; left -= chunk.Length)
            {
                await http.Response.Body.WriteAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, left)));
            }
        });
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromMinutes(10) };
        await DownloadAsync(http, "/bytes");
        var measured = await DownloadAsync(http, "/bytes");
        await app.StopAsync();
        return measured;
    }
}
