using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using TrialManager.Domain.Instruments;
using TrialManager.Domain.Measures;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Therapy;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Instruments;
using TrialManager.Infrastructure.Persistence;

namespace TrialManager.Benchmarks.Http;

/// <summary>
/// A measured run of the due list (issue 16, performance): <c>GET /api/trials/{trialId}/visits/due?site=AAA</c> for a
/// site of 2,000 followed participants (and the whole trial: 500 more at each of three other sites), on Kestrel (loopback), read by one client
/// (latency) and by 16 (throughput), beside a minimal ASP.NET Core endpoint measured the same way in the same run.
/// The participants are written straight through EF with the domain's own methods (screened, consented, formulated,
/// randomized over the last 300 days, a therapist assigned, the sessions held so far recorded, and PHQ-9 and GAD-7 at
/// the visits whose window has closed, scored by the server's scorer), with some sessions and visits left undone so the
/// list has due and overdue entries; writing them over HTTP would time the write path, not the list.
/// Usage: <c>dotnet run -c Release --project tests/TrialManager.Benchmarks -- http-due sqlite|postgres [per site] [timed requests]</c>
/// (500 timed requests by one client unless told: with 50 the p99 was the single slowest request).
/// </summary>
public static class HttpDueListLoad
{
    private static readonly string[] Sites = ["AAA", "BBB", "CCC", "DDD"];

    public static async Task<int> RunAsync(string[] args)
    {
        var provider = args.Length > 0 ? args[0] : "sqlite";
        var perSite = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2_000;
        var timed = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 500;
        // `profile`: the SQL of the one-client site page, each command's time, and its plan.
        var profile = args.Contains("profile") ? new CommandProfile() : null;
        Console.WriteLine($"http-due {provider}: {perSite} followed participants at site AAA, {perSite / 4} at each of the {Sites.Length - 1} others, "
            + $"{Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Trim()}");

        var reference = await MinimalEndpointAsync();
        Print("minimal ASP.NET Core endpoint (same-run reference)", reference);

        var directory = Directory.CreateTempSubdirectory("trialmanager-due-").FullName;
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

            await using var factory = HttpListLoad.Start(settings, profile is null ? null : s => s.ConfigureDbContext<TrialDbContext>(o => o.AddInterceptors(profile)));
            var address = new Uri(factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            using var coordinator = HttpListLoad.Client(address, "dev-coordinator");
            using var admin = HttpListLoad.Client(address, "dev-admin");
            var trialId = await CreateTrialAsync(admin);
            await SeedAsync(factory.Services, trialId, perSite);
            if (provider == "postgres")
            {
                // A production database has autovacuum's statistics; a fresh cluster has none until its first analyze
                // (as in http-lists), and the planner's guesses without them are not what a site would see.
                await using var scope = factory.Services.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<TrialDbContext>().Database.ExecuteSqlRawAsync("ANALYZE");
            }

            using var first = await coordinator.GetAsync($"/api/trials/{trialId}/visits/due?site=AAA&limit=1000");
            HttpListLoad.Check(first, HttpStatusCode.OK);
            var entries = (await first.Content.ReadFromJsonAsync<List<System.Text.Json.JsonElement>>())!;
            Console.WriteLine($"due list of site AAA: {entries.Count} entries on its first page of 1,000 "
                + $"({entries.Count(e => e.GetProperty("status").GetString() == "overdue")} overdue)");

            // Enough timed requests for a p99 that is not the single slowest one (timed / 100 requests lie above it).
            var scenarios = new (string Name, string Path, int Clients, int Requests)[]
            {
                ("reference: GET /api/instruments/phq9 (authenticated, from memory), 1 client", "/api/instruments/phq9", 1, Math.Max(100, timed)),
                ($"due list, site AAA ({perSite:N0} followed), first page, 1 client", $"/api/trials/{trialId}/visits/due?site=AAA", 1, timed),
                ($"due list, site AAA ({perSite:N0} followed), first page, 16 clients", $"/api/trials/{trialId}/visits/due?site=AAA", 16, timed),
                ($"due list, whole trial ({perSite + ((Sites.Length - 1) * (perSite / 4)):N0} followed), first page, 1 client", $"/api/trials/{trialId}/visits/due", 1, timed),
            };
            foreach (var (name, path, clients, requests) in scenarios)
            {
                profile?.Recording = clients == 1 && path.Contains("site=AAA", StringComparison.Ordinal);
                Print(name, await MeasureAsync(coordinator, path, clients, requests));
                if (profile is { Recording: true })
                {
                    profile.Recording = false;
                    await ExplainAsync(factory.Services, provider, profile.PrintAndClear(name));
                }
            }

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

    /// <summary>Each command's plan as the database ran it: PostgreSQL's EXPLAIN (ANALYZE, BUFFERS), SQLite's EXPLAIN QUERY PLAN.</summary>
    private static async Task ExplainAsync(IServiceProvider services, string provider, IEnumerable<(string Sql, (string Name, object? Value)[] Parameters)> commands)
    {
        await using var scope = services.CreateAsyncScope();
        var connection = scope.ServiceProvider.GetRequiredService<TrialDbContext>().Database.GetDbConnection();
        await connection.OpenAsync();
        foreach (var (sql, parameters) in commands)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = (provider == "postgres" ? "EXPLAIN (ANALYZE, BUFFERS) " : "EXPLAIN QUERY PLAN ") + sql;
            foreach (var (name, value) in parameters)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = name;
                parameter.Value = value ?? DBNull.Value;
                command.Parameters.Add(parameter);
            }

            Console.WriteLine($"-- plan of: {sql.ReplaceLineEndings(" ")}");
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                Console.WriteLine("  " + reader.GetValue(reader.FieldCount - 1));
            }
        }
    }

    private sealed record Timing(int Count, double P50, double P99, double Max, double Rate, double CpuMs, int Errors);

    private static void Print(string name, Timing m) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{name}: {m.Count} timed, p50 {m.P50:F2} ms, p99 {m.P99:F2} ms, max {m.Max:F2} ms, {m.Rate:F0} requests/s, process CPU {m.CpuMs:F2} ms a request, errors {m.Errors}"));

    private static async Task<string> CreateTrialAsync(HttpClient admin)
    {
        var trial = "due-" + Guid.NewGuid().ToString("N")[..8];
        HttpListLoad.Check(await admin.PostAsJsonAsync("/api/trials", new
        {
            id = trial, title = "Due-list benchmark", targetEnrollment = 100_000, sites = Sites,
            formulations = new[] { "cognitive", "interpersonal" },
            arms = new object[] { new { code = "mediator", ratio = 1 }, new { code = "moderator", ratio = 1 } },
            randomization = new { method = "permutedBlocks", blockSizes = new[] { 2, 4, 6 }, stratifyBy = new[] { "formulation", "site" } },
            eligibility = new { minAge = 18, maxAge = 70, minSeverity = 5, maxSeverity = 27, exclusions = Array.Empty<string>() },
            formulationRule = new { minMargin = 1 },
            schedule = new
            {
                sessions = 16, sessionIntervalDays = 7,
                visits = new object[]
                {
                    new { code = "baseline", day = 0, window = 7 }, new { code = "endOfTreatment", day = 119, window = 14 },
                    new { code = "followUp", day = 210, window = 21 },
                },
                sessionInstruments = new[] { "alliance12", "phq9", "ruptureLog", "techniqueDose" },
                visitInstruments = new[] { "phq9", "gad7" },
            },
        }), HttpStatusCode.Created);
        HttpListLoad.Check(await admin.PostAsJsonAsync($"/api/trials/{trial}/status", new { status = "recruiting" }), HttpStatusCode.OK);
        return trial;
    }

    /// <summary>
    /// At site AAA <paramref name="perSite"/> participants (a quarter as many at each other site), randomized i mod 300 days ago, each with the sessions held by
    /// today (every fifth participant missing the latest) and both visit instruments at every visit whose window has
    /// closed (every seventh participant missing one visit).
    /// </summary>
    private static async Task SeedAsync(IServiceProvider services, string trialId, int perSite)
    {
        var watch = Stopwatch.StartNew();
        var catalogue = services.GetRequiredService<InstrumentCatalogue>();
        var phq9 = catalogue.Find("phq9")!.Definition;
        var gad7 = catalogue.Find("gad7")!.Definition;
        var now = DateTimeOffset.UtcNow;
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var sessions = 0;
        var measures = 0;
        const int batch = 250;
        var total = 0;
        foreach (var site in Sites)
        {
            var count = site == Sites[0] ? perSite : perSite / 4;
            total += count;
            await using (var scope = services.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<TrialDbContext>();
                var trial = await db.Trials.AsNoTracking().SingleAsync(t => t.Id == trialId);
                db.Therapists.Add(Therapist.Register(trial, $"T-{site}", site, [ArmCode.Mediator, ArmCode.Moderator], now.AddDays(-400)));
                await db.SaveChangesAsync();
            }

            for (var from = 0; from < count; from += batch)
            {
                await using var scope = services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<TrialDbContext>();
                var trial = await db.Trials.AsNoTracking().SingleAsync(t => t.Id == trialId);
                var schedule = trial.Definition.Schedule!;
                var therapist = await db.Therapists.AsNoTracking().SingleAsync(t => t.TrialId == trialId && t.Code == $"T-{site}");
                for (var i = from; i < Math.Min(count, from + batch); i++)
                {
                    var randomizedAt = now.AddDays(-(i % 300) - 1);
                    var randomizedOn = DateOnly.FromDateTime(randomizedAt.UtcDateTime);
                    var p = Participant.Screen($"{site}-{i:D5}", trial, new ScreeningAnswers(site, 30, 15, [], null, null), randomizedAt.AddDays(-10));
                    p.Consent("1.0", randomizedOn.AddDays(-9));
                    // A scores record of its own: EF owns it with its rating, so one instance cannot serve two.
                    p.RateFormulation(trial.Definition, "R01", new FormulationScores(4, 1, 0, 0), false, null, randomizedAt.AddDays(-5));
                    p.MarkRandomized(randomizedAt);
                    p.AssignTherapist(therapist, i % 2 == 0 ? ArmCode.Mediator : ArmCode.Moderator);
                    var held = Math.Min(schedule.Sessions, ((today.DayNumber - randomizedOn.DayNumber) / schedule.SessionIntervalDays) + 1);
                    for (var n = 1; n <= held - (i % 5 == 0 ? 1 : 0); n++)
                    {
                        p.RecordSession(n, randomizedOn.AddDays((n - 1) * schedule.SessionIntervalDays), SessionAttendance.Attended, therapist.Code, now);
                        sessions++;
                    }

                    var visits = schedule.Visits.Where((v, k) => randomizedOn.AddDays(v.Day + v.Window) < today && !(i % 7 == 0 && k == i % 3)).ToList();
                    // What the commands would have stored: the next-due date from the rule.
                    p.TrackSchedule(schedule, visits.ToDictionary(v => v.Code, _ => (IReadOnlySet<string>)new HashSet<string> { phq9.Code, gad7.Code }));
                    db.Participants.Add(p);
                    foreach (var visit in visits)
                    {
                        foreach (var definition in new[] { phq9, gad7 })
                        {
                            var answers = definition.Items.ToDictionary(item => item.Id, item => (decimal?)(item.Id == "9" ? 0 : 1));
                            var scored = MeasureScorer.Score(definition, answers).Measure!;
                            db.Measures.Add(Measure.AtVisit(p, schedule, scored, visit.Code, randomizedOn.AddDays(visit.Day), [], "dev-assessor", now));
                            measures++;
                        }
                    }
                }

                await db.SaveChangesAsync();
            }
        }

        Console.WriteLine($"seeded {total:N0} participants, {sessions:N0} sessions, {measures:N0} visit measures in {watch.Elapsed.TotalSeconds:F0} s");
    }

    private static async Task<Timing> MeasureAsync(HttpClient client, string path, int clients, int requests)
    {
        await RunAsync(client, path, clients, Math.Max(10, requests / 5));
        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var (latencies, errors) = await RunAsync(client, path, clients, requests);
        var rate = requests / watch.Elapsed.TotalSeconds;
        process.Refresh();
        // The server's and the clients' CPU (one process; PostgreSQL's own processes not counted), per request.
        var cpu = (process.TotalProcessorTime - cpuBefore).TotalMilliseconds / requests;
        latencies.Sort();
        return new Timing(
            latencies.Count, HttpListLoad.Percentile(latencies, 0.50), HttpListLoad.Percentile(latencies, 0.99), latencies[^1], rate, cpu, errors);
    }

    private static async Task<(List<double> Latencies, int Errors)> RunAsync(HttpClient client, string path, int clients, int requests)
    {
        var remaining = requests;
        var latencies = new System.Collections.Concurrent.ConcurrentBag<double>();
        var errors = 0;
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
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

    /// <summary>The same-run reference: a minimal endpoint on Kestrel (loopback), read by one client as the due list is.</summary>
    private static async Task<Timing> MinimalEndpointAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
        app.MapGet("/ping", () => "pong");
        await app.StartAsync();
        using var http = HttpListLoad.Client(new Uri(app.Urls.First()), null);
        var measure = await MeasureAsync(http, "/ping", 1, 1_000);
        await app.StopAsync();
        return measure;
    }
}
