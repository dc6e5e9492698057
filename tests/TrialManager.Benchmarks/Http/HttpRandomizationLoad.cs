using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Runtime;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using TrialManager.Domain.Documents;
using TrialManager.Infrastructure.Persistence;

namespace TrialManager.Benchmarks.Http;

/// <summary>
/// A measured load run, not a BenchmarkDotNet suite: 16 concurrent HTTP clients randomize distinct, pre-formulated
/// participants against the real server on Kestrel (loopback), beside three limits measured in the same run:
/// a bare single-row write transaction (16 threads) on the same database engine, and a minimal ASP.NET Core endpoint.
/// Usage: <c>dotnet run -c Release --project tests/TrialManager.Benchmarks -- http-randomization sqlite|postgres [participants]</c>.
/// One provider per process: Hangfire keeps process-wide statics, so two server hosts must not share a process.
/// </summary>
public static class HttpRandomizationLoad
{
    private const int Clients = 16;
    private static readonly TimeSpan BaselineDuration = TimeSpan.FromSeconds(5);

    public static async Task<int> RunAsync(string[] args)
    {
        // synchronous=normal|full (SQLite; default full, as the server): the server's setting, and the bare-write figure
        // the ratio uses. Both bare-write figures are printed, measured in the same run.
        var synchronous = args.FirstOrDefault(a => a.StartsWith("synchronous=", StringComparison.OrdinalIgnoreCase))?["synchronous=".Length..] ?? "full";
        if (synchronous.ToUpperInvariant() is not ("NORMAL" or "FULL"))
        {
            throw new ArgumentException($"synchronous={synchronous}: normal or full.", nameof(args));
        }

        args = [.. args.Where(a => !a.StartsWith("synchronous=", StringComparison.OrdinalIgnoreCase))];
        var provider = args.Length > 0 ? args[0] : "sqlite";
        var participants = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3000;
        var workers = args.Length > 2 ? args[2] : null;
        Console.WriteLine($"http-randomization {provider}: {participants} participants, {Clients} clients, load average {File.ReadAllText("/proc/loadavg").Trim()}");

        var endpoint = await MinimalEndpointAsync();
        Console.WriteLine($"minimal ASP.NET Core endpoint: {endpoint:F0} requests/s");

        var directory = Directory.CreateTempSubdirectory("trialmanager-bench-").FullName;
        PostgresCluster? cluster = null;
        try
        {
            Dictionary<string, string> settings;
            double bare;
            if (provider == "postgres")
            {
                cluster = await PostgresCluster.StartAsync(durable: true);
                var connection = cluster.ConnectionString("bench").Replace("Maximum Pool Size=50", "Maximum Pool Size=100", StringComparison.Ordinal);
                bare = await PostgresBareWritesAsync(cluster.ConnectionString("postgres"));
                settings = new()
                {
                    ["Database:Provider"] = "PostgreSql",
                    ["Database:MigrateOnStart"] = "true",
                    ["ConnectionStrings:TrialManager"] = connection,
                };
            }
            else
            {
                var normal = SqliteBareWrites(Path.Combine(directory, "bare-normal.db"), "NORMAL");
                var full = SqliteBareWrites(Path.Combine(directory, "bare-full.db"), "FULL");
                Console.WriteLine($"bare single-row write transactions (sqlite, {Clients} threads): synchronous=NORMAL {normal:F0}/s, synchronous=FULL {full:F0}/s");
                bare = synchronous.Equals("normal", StringComparison.OrdinalIgnoreCase) ? normal : full;
                settings = new() { ["Database:Provider"] = "Sqlite", ["Database:SqliteSynchronous"] = synchronous };
                Console.WriteLine($"server: synchronous={synchronous.ToUpperInvariant()}");
            }

            Console.WriteLine($"bare single-row write transactions ({provider}, {Clients} threads): {bare:F0}/s");
            settings["TrialManager:DataDirectory"] = directory;
            if (workers is not null)
            {
                settings["TrialManager:Jobs:WorkerCount"] = workers;
            }

            var (throughput, _, _, errors, _) = await RandomizeOverHttpAsync(settings, participants);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"ratios: {throughput / bare:P1} of the bare write rate, {throughput / endpoint:P1} of the minimal endpoint rate"));
            Console.WriteLine($"load average after: {File.ReadAllText("/proc/loadavg").Trim()}");
            return errors == 0 ? 0 : 1;
        }
        finally
        {
            if (cluster is not null)
            {
                NpgsqlConnection.ClearAllPools();
                await cluster.DisposeAsync();
            }

            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<(double Throughput, double P50, double P99, int Errors, double CpuPercent)> RandomizeOverHttpAsync(
        Dictionary<string, string> settings, int count)
    {
        // The factory cannot guess the server's content root from a benchmark's output folder: name it.
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_TRIALMANAGER_SERVER", RepositoryPaths.ServerProject);
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Development");
            builder.UseSetting("TrialManager:Jobs:ShutdownTimeoutSeconds", "1");
            builder.UseSetting("Urls", "http://127.0.0.1:0"); // not the configured 5080, which a developer's server may hold
            builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
        });
        factory.UseKestrel(0);
        factory.StartServer();
        var address = new Uri(factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        using var http = Client(address, "dev-coordinator");
        using var admin = Client(address, "dev-admin");

        var trial = "bench-" + Guid.NewGuid().ToString("N")[..8];
        var sites = new[] { "AAA", "BBB", "CCC", "DDD" };
        Check(await admin.PostAsJsonAsync("/api/trials", new
        {
            id = trial, title = "HTTP randomization benchmark", targetEnrollment = 100_000, sites,
            formulations = new[] { "cognitive", "interpersonal" },
            arms = new object[] { new { code = "mediator", ratio = 1 }, new { code = "moderator", ratio = 1 } },
            randomization = new { method = "permutedBlocks", blockSizes = new[] { 2, 4, 6 }, stratifyBy = new[] { "formulation", "site" } },
            eligibility = new { minAge = 18, maxAge = 70, minSeverity = 5, maxSeverity = 27, exclusions = Array.Empty<string>() },
            formulationRule = new { minMargin = 1 },
        }), HttpStatusCode.Created);
        Check(await admin.PostAsJsonAsync($"/api/trials/{trial}/status", new { status = "recruiting" }), HttpStatusCode.OK);

        // Not timed: screen, consent and formulate everyone first (warm-up participants too).
        // Enough for tiered compilation to finish with the hot path (160 left the handler at tier 0 in the timed phase).
        const int warmUp = 3000;
        var prepared = Stopwatch.StartNew();
        var ids = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, count + warmUp), new ParallelOptions { MaxDegreeOfParallelism = Clients }, async (i, ct) =>
        {
            var screened = await http.PostAsJsonAsync($"/api/trials/{trial}/participants",
                new { site = sites[i % sites.Length], ageYears = 30, severity = 15, exclusions = Array.Empty<string>() }, ct);
            Check(screened, HttpStatusCode.Created);
            var id = (await screened.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetString()!;
            Check(await http.PostAsJsonAsync($"/api/participants/{id}/consent", new { consentVersion = "1.0", consentedOn = "2026-11-20" }, ct), HttpStatusCode.OK);
            var lead = i % 2 == 0 ? "cognitive" : "interpersonal";
            var scores = new Dictionary<string, int> { ["cognitive"] = 1, ["interpersonal"] = 1, ["behavioral"] = 0, ["environmental"] = 0, [lead] = 4 };
            Check(await http.PostAsJsonAsync($"/api/participants/{id}/formulations", new { rater = "R01", scores, consensus = false }, ct), HttpStatusCode.OK);
            ids.Add(id);
        });
        Console.WriteLine($"prepared {count + warmUp} formulated participants in {prepared.Elapsed.TotalSeconds:F0} s");

        var all = ids.ToArray();
        await RandomizeAllAsync(http, all[..warmUp]);
        // Tiered compilation recompiles hot methods in the background, but puts that off while new methods keep being
        // compiled (the documents the warm-up owes render meanwhile): without this wait a tenth of the timed phase's
        // CPU went to the JIT. Measure the steady state a running server is in.
        var settled = await JitSettledAsync(TimeSpan.FromSeconds(30));
        Console.WriteLine($"JIT settled after the warm-up: {settled}");
        var (jitMethodsBefore, jitTimeBefore) = (JitInfo.GetCompiledMethodCount(), JitInfo.GetCompilationTime());
        var readyBefore = await ReadyDocumentsAsync(factory.Services);
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var (gen0Before, gen2Before, pauseBefore) = (GC.CollectionCount(0), GC.CollectionCount(2), GC.GetTotalPauseDuration());
        var watch = Stopwatch.StartNew();
        var (latencies, errors) = await RandomizeAllAsync(http, all[warmUp..]);
        var elapsed = watch.Elapsed;
        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds / elapsed.TotalSeconds * 100;
        var (gen0, gen2, pause) = (GC.CollectionCount(0) - gen0Before, GC.CollectionCount(2) - gen2Before, GC.GetTotalPauseDuration() - pauseBefore);
        latencies.Sort();
        var result = (count / elapsed.TotalSeconds, Percentile(latencies, 0.50), Percentile(latencies, 0.99), errors, cpu);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"randomizations over HTTP: {result.Item1:F0}/s, p50 {result.Item2:F1} ms, p99 {result.Item3:F1} ms, errors {errors}, process CPU {cpu:F0}% of one core, "
            + $"{(GCSettings.IsServerGC ? "server" : "workstation")} GC: {gen0} collections ({gen2} full), paused {pause.TotalMilliseconds / elapsed.TotalMilliseconds:P1} of the time"));

        // Every randomization owes a protocol PDF, rendered in the background: report how far behind they ran.
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"JIT during the timed randomizations: {JitInfo.GetCompiledMethodCount() - jitMethodsBefore} methods, {(JitInfo.GetCompilationTime() - jitTimeBefore).TotalMilliseconds:F0} ms"));
        var readyAtEnd = await ReadyDocumentsAsync(factory.Services);
        Console.WriteLine($"protocol documents rendered during the timed randomizations: {readyAtEnd - readyBefore}");
        while (await ReadyDocumentsAsync(factory.Services) < count + warmUp && watch.Elapsed < TimeSpan.FromMinutes(10))
        {
            await Task.Delay(100);
        }

        var readyLater = await ReadyDocumentsAsync(factory.Services);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"protocol documents: {readyAtEnd} of {count + warmUp} ready when the randomizations ended, {readyLater} ready {watch.Elapsed.TotalSeconds:F1} s after they began"));
        return result;
    }

    /// <summary>Waits until no method has been compiled for a second; false if that did not happen within the limit.</summary>
    internal static async Task<bool> JitSettledAsync(TimeSpan limit)
    {
        var waited = Stopwatch.StartNew();
        var (count, quietSince) = (JitInfo.GetCompiledMethodCount(), waited.Elapsed);
        while (waited.Elapsed < limit)
        {
            await Task.Delay(100);
            var now = JitInfo.GetCompiledMethodCount();
            if (now != count)
            {
                (count, quietSince) = (now, waited.Elapsed);
            }
            else if (waited.Elapsed - quietSince >= TimeSpan.FromSeconds(1))
            {
                return true;
            }
        }

        return false;
    }

    private static async Task<int> ReadyDocumentsAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TrialDbContext>();
        return await db.ProtocolDocuments.CountAsync(d => d.Status == DocumentStatus.Ready);
    }

    private static async Task<(List<double> Latencies, int Errors)> RandomizeAllAsync(HttpClient http, string[] ids)
    {
        var queue = new ConcurrentQueue<string>(ids);
        var latencies = new ConcurrentBag<double>();
        var errors = 0;
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(_ => Task.Run(async () =>
        {
            while (queue.TryDequeue(out var id))
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await http.PostAsync($"/api/participants/{id}/randomization", null);
                await response.Content.LoadIntoBufferAsync();
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (response.StatusCode != HttpStatusCode.Created)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        })));
        return ([.. latencies], errors);
    }

    /// <summary>16 threads, each committing one-row transactions; writers take turns on a process lock as the server's gate does.</summary>
    internal static double SqliteBareWrites(string path, string synchronous)
    {
        var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true }.ToString();
        using (var setup = new SqliteConnection(connectionString))
        {
            setup.Open();
            Execute(setup, "PRAGMA journal_mode=WAL; CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL);");
        }

        var gate = new object();
        long total = 0;
        var until = Stopwatch.GetTimestamp() + (long)(BaselineDuration.TotalSeconds * Stopwatch.Frequency);
        var threads = Enumerable.Range(0, Clients).Select(_ => new Thread(() =>
        {
            using var connection = new SqliteConnection(connectionString);
            connection.Open();
            Execute(connection, $"PRAGMA synchronous={synchronous}; PRAGMA busy_timeout=30000;");
            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO t (v) VALUES ($v)";
            var value = insert.Parameters.Add("$v", SqliteType.Text);
            long count = 0;
            while (Stopwatch.GetTimestamp() < until)
            {
                lock (gate)
                {
                    using var transaction = connection.BeginTransaction();
                    insert.Transaction = transaction;
                    value.Value = "row";
                    insert.ExecuteNonQuery();
                    transaction.Commit();
                }

                count++;
            }

            Interlocked.Add(ref total, count);
        })).ToList();
        var watch = Stopwatch.StartNew();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        return total / watch.Elapsed.TotalSeconds;
    }

    /// <summary>16 connections, each committing one-row INSERTs (autocommit) on a cluster with durable commits.</summary>
    internal static async Task<double> PostgresBareWritesAsync(string connectionString)
    {
        await using (var setup = new NpgsqlConnection(connectionString))
        {
            await setup.OpenAsync();
            await using var create = new NpgsqlCommand("CREATE TABLE t (id bigserial PRIMARY KEY, v text NOT NULL)", setup);
            await create.ExecuteNonQueryAsync();
        }

        long total = 0;
        var until = Stopwatch.GetTimestamp() + (long)(BaselineDuration.TotalSeconds * Stopwatch.Frequency);
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(_ => Task.Run(async () =>
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var insert = new NpgsqlCommand("INSERT INTO t (v) VALUES ($1)", connection);
            insert.Parameters.Add(new NpgsqlParameter { Value = "row" });
            await insert.PrepareAsync();
            long count = 0;
            while (Stopwatch.GetTimestamp() < until)
            {
                await insert.ExecuteNonQueryAsync();
                count++;
            }

            Interlocked.Add(ref total, count);
        })));
        return total / watch.Elapsed.TotalSeconds;
    }

    /// <summary>A minimal endpoint on Kestrel (loopback), hit by 16 clients over HTTP/1.1 like the server.</summary>
    internal static async Task<double> MinimalEndpointAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
        app.MapGet("/ping", () => "pong");
        await app.StartAsync();
        var address = new Uri(app.Urls.First());
        using var http = Client(address, null);
        for (var i = 0; i < 500; i++)
        {
            (await http.GetAsync("/ping")).Dispose();
        }

        long total = 0;
        var until = Stopwatch.GetTimestamp() + (long)(BaselineDuration.TotalSeconds * Stopwatch.Frequency);
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(_ => Task.Run(async () =>
        {
            long count = 0;
            while (Stopwatch.GetTimestamp() < until)
            {
                using var response = await http.GetAsync("/ping");
                await response.Content.LoadIntoBufferAsync();
                count++;
            }

            Interlocked.Add(ref total, count);
        })));
        var rate = total / watch.Elapsed.TotalSeconds;
        await app.StopAsync();
        return rate;
    }

    internal static HttpClient Client(Uri address, string? key)
    {
        var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Clients }) { BaseAddress = address, Timeout = TimeSpan.FromMinutes(5) };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", key);
        }

        return client;
    }

    internal static void Check(HttpResponseMessage response, HttpStatusCode expected)
    {
        if (response.StatusCode != expected)
        {
            throw new InvalidOperationException($"{response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {response.Content.ReadAsStringAsync().Result}");
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    internal static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
