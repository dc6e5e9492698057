using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
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
using TrialManager.Domain.Participants;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;

namespace TrialManager.Benchmarks.Http;

/// <summary>
/// A measured load run of the paged lists: one trial with 100,000 participants and one with 1,000 in the same database,
/// 16 concurrent HTTP clients on Kestrel (loopback) reading the first page of the participant list, a status-filtered
/// page, a page deep in the list (followed from a Link) and <c>GET /api/trials</c>; beside a minimal ASP.NET Core endpoint
/// measured the same way in the same run. The participants are written straight through EF (screening 100,000 over
/// HTTP would time the write path, not the lists).
/// Usage: <c>dotnet run -c Release --project tests/TrialManager.Benchmarks -- http-lists sqlite|postgres [participants]</c>.
/// </summary>
public static class HttpListLoad
{
    private const int Clients = 16;
    private const int Requests = 3_000;
    private const int WarmUp = 500;

    public static async Task<int> RunAsync(string[] args)
    {
        var provider = args.Length > 0 ? args[0] : "sqlite";
        var large = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100_000;
        const int small = 1_000;
        Console.WriteLine($"http-lists {provider}: {large} and {small} participants, {Clients} clients, {Requests} requests per scenario, "
            + $"{Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Trim()}");

        var reference = await MinimalEndpointAsync();
        Print("minimal ASP.NET Core endpoint (same-run reference)", reference);

        var directory = Directory.CreateTempSubdirectory("trialmanager-lists-").FullName;
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

            await using var factory = Start(settings);
            var address = new Uri(factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            using var coordinator = Client(address, "dev-coordinator");
            using var admin = Client(address, "dev-admin");

            var big = await SeedAsync(factory.Services, admin, large);
            var little = await SeedAsync(factory.Services, admin, small);
            // A hundred more trials, so that GET /api/trials is a full page.
            for (var i = 0; i < 100; i++)
            {
                await CreateTrialAsync(admin);
            }

            if (provider == "postgres")
            {
                // A fresh cluster has no statistics until autovacuum's first analyze (a minute or more after the load,
                // if the run lasts that long); without them the planner guessed 3 rows for a site of 25,000 and read and
                // sorted all of them (70-90 ms a page). A production database has autovacuum's statistics: so does this run.
                await using var scope = factory.Services.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<TrialDbContext>().Database.ExecuteSqlRawAsync("ANALYZE");
            }

            var deep = await NextLinkAfterAsync(coordinator, $"/api/trials/{big}/participants?limit=1000", pages: 50);
            var scenarios = new (string Name, string Path)[]
            {
                ($"participants, first page ({small:N0} in the trial)", $"/api/trials/{little}/participants"),
                ($"participants, first page ({large:N0} in the trial)", $"/api/trials/{big}/participants"),
                ($"participants, page 51 of 1,000 rows ({large:N0}), followed from its Link", deep),
                ($"participants ?status=screenFailed, first page ({small:N0})", $"/api/trials/{little}/participants?status=screenFailed"),
                ($"participants ?status=screenFailed, first page ({large:N0})", $"/api/trials/{big}/participants?status=screenFailed"),
                ($"participants ?site=BBB, first page ({large:N0})", $"/api/trials/{big}/participants?site=BBB"),
                ("GET /api/trials (first page of 100)", "/api/trials"),
            };

            var results = new Dictionary<string, Measure>();
            foreach (var (name, path) in scenarios)
            {
                results[name] = await MeasureAsync(coordinator, path);
                Print(name, results[name]);
            }

            var first = results[scenarios[1].Name].P50 / results[scenarios[0].Name].P50;
            var filtered = results[scenarios[4].Name].P50 / results[scenarios[3].Name].P50;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"page cost {large:N0} / {small:N0} (p50): first page {first:F2}, filtered page {filtered:F2}"));
            Console.WriteLine($"load average after: {File.ReadAllText("/proc/loadavg").Trim()}");
            return 0;
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

    private sealed record Measure(double P50, double P99, double Rate, int Errors);

    private static void Print(string name, Measure m) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{name}: p50 {m.P50:F1} ms, p99 {m.P99:F1} ms, {m.Rate:F0} requests/s, errors {m.Errors}"));

    internal static WebApplicationFactory<Program> Start(Dictionary<string, string> settings, Action<IServiceCollection>? services = null)
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "TrialManager.sln")))
        {
            root = root.Parent;
        }

        Environment.SetEnvironmentVariable(
            "ASPNETCORE_TEST_CONTENTROOT_TRIALMANAGER_SERVER", Path.Combine(root?.FullName ?? ".", "src", "TrialManager.Server"));
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Development");
            builder.UseSetting("TrialManager:Jobs:ShutdownTimeoutSeconds", "1");
            builder.UseSetting("Urls", "http://127.0.0.1:0");
            builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }

            if (services is not null)
            {
                builder.ConfigureServices(services);
            }
        });
        factory.UseKestrel(0);
        factory.StartServer();
        return factory;
    }

    private static async Task<string> CreateTrialAsync(HttpClient admin)
    {
        var trial = "bench-" + Guid.NewGuid().ToString("N")[..8];
        Check(await admin.PostAsJsonAsync("/api/trials", new
        {
            id = trial, title = "List benchmark", targetEnrollment = 100_000, sites = new[] { "AAA", "BBB", "CCC", "DDD" },
            formulations = new[] { "cognitive", "interpersonal" },
            arms = new object[] { new { code = "mediator", ratio = 1 }, new { code = "moderator", ratio = 1 } },
            randomization = new { method = "permutedBlocks", blockSizes = new[] { 2, 4, 6 }, stratifyBy = new[] { "formulation", "site" } },
            eligibility = new { minAge = 18, maxAge = 70, minSeverity = 5, maxSeverity = 27, exclusions = Array.Empty<string>() },
            formulationRule = new { minMargin = 1 },
        }), HttpStatusCode.Created);
        Check(await admin.PostAsJsonAsync($"/api/trials/{trial}/status", new { status = "recruiting" }), HttpStatusCode.OK);
        return trial;
    }

    /// <summary>A recruiting trial with <paramref name="count"/> screened participants, one in ten screen-failed (too young).</summary>
    private static async Task<string> SeedAsync(IServiceProvider services, HttpClient admin, int count)
    {
        var trialId = await CreateTrialAsync(admin);
        var watch = Stopwatch.StartNew();
        var sites = new[] { "AAA", "BBB", "CCC", "DDD" };
        var start = DateTimeOffset.UtcNow.AddDays(-30);
        const int batch = 5_000;
        for (var from = 0; from < count; from += batch)
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TrialDbContext>();
            var trial = await db.Trials.AsNoTracking().SingleAsync(t => t.Id == trialId);
            for (var i = from; i < Math.Min(count, from + batch); i++)
            {
                var answers = new ScreeningAnswers(sites[i % sites.Length], i % 10 == 0 ? 16 : 30, 15, [], null, null);
                db.Participants.Add(Participant.Screen($"{trialId}-{i:D6}", trial, answers, start.AddTicks(i * 10_000L)));
            }

            // As every command does before its save: GET /api/trials reads these counts.
            await ParticipantCounts.TrackAsync(db, CancellationToken.None);
            await db.SaveChangesAsync();
        }

        Console.WriteLine($"seeded {count:N0} participants in {watch.Elapsed.TotalSeconds:F0} s");
        return trialId;
    }

    private static async Task<string> NextLinkAfterAsync(HttpClient client, string path, int pages)
    {
        for (var i = 0; i < pages; i++)
        {
            using var response = await client.GetAsync(path);
            Check(response, HttpStatusCode.OK);
            path = response.Headers.GetValues("Link").Single().Split('<', '>')[1];
        }

        return path;
    }

    private static async Task<Measure> MeasureAsync(HttpClient client, string path)
    {
        await RunAsync(client, path, WarmUp);
        var watch = Stopwatch.StartNew();
        var (latencies, errors) = await RunAsync(client, path, Requests);
        var rate = Requests / watch.Elapsed.TotalSeconds;
        latencies.Sort();
        return new Measure(Percentile(latencies, 0.50), Percentile(latencies, 0.99), rate, errors);
    }

    private static async Task<(List<double> Latencies, int Errors)> RunAsync(HttpClient client, string path, int requests)
    {
        var remaining = requests;
        var latencies = new System.Collections.Concurrent.ConcurrentBag<double>();
        var errors = 0;
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Decrement(ref remaining) >= 0)
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await client.GetAsync(path);
                await response.Content.LoadIntoBufferAsync();
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        })));
        return ([.. latencies], errors);
    }

    /// <summary>The same-run reference: a minimal endpoint on Kestrel (loopback), measured as the lists are.</summary>
    private static async Task<Measure> MinimalEndpointAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
        app.MapGet("/ping", () => "pong");
        await app.StartAsync();
        using var http = Client(new Uri(app.Urls.First()), null);
        var measure = await MeasureAsync(http, "/ping");
        await app.StopAsync();
        return measure;
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

    internal static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
