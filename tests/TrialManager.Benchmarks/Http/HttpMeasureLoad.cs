using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using static TrialManager.Benchmarks.Http.HttpRandomizationLoad;

namespace TrialManager.Benchmarks.Http;

/// <summary>
/// A measured load run, not a BenchmarkDotNet suite, in the manner of <see cref="HttpRandomizationLoad"/>: 16 concurrent
/// HTTP clients record session measures (phq9, alliance12, ruptureLog, each at a distinct participant, session and
/// instrument) against the real server on Kestrel; then one client reads the participant record (the participant with
/// its 16 sessions, and its 48 measures) of participants whose sessions are all filled. Same-run references: the
/// minimal ASP.NET Core endpoint and the bare single-row write rate, as in the randomization run, and for the record
/// an authenticated GET of one instrument definition (served from memory through the same pipeline).
/// Usage: <c>dotnet run -c Release --project tests/TrialManager.Benchmarks -- http-measures sqlite|postgres [measures]</c>.
/// </summary>
public static class HttpMeasureLoad
{
    private const int Clients = 16;
    private const int Sessions = 16;
    private const int WarmUp = 2000;
    private const int RecordReads = 500;
    private static readonly string[] Instruments = ["phq9", "alliance12", "ruptureLog"];

    public static async Task<int> RunAsync(string[] args)
    {
        var provider = args.Length > 0 ? args[0] : "sqlite";
        var count = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3000;
        Console.WriteLine($"http-measures {provider}: {count} timed measures after {WarmUp} warm-up, {Clients} clients, load average {File.ReadAllText("/proc/loadavg").Trim()}");
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
                bare = await PostgresBareWritesAsync(cluster.ConnectionString("postgres"));
                settings = new()
                {
                    ["Database:Provider"] = "PostgreSql",
                    ["Database:MigrateOnStart"] = "true",
                    ["ConnectionStrings:TrialManager"] = cluster.ConnectionString("bench").Replace("Maximum Pool Size=50", "Maximum Pool Size=100", StringComparison.Ordinal),
                };
            }
            else
            {
                bare = SqliteBareWrites(Path.Combine(directory, "bare-full.db"), "FULL");
                settings = new() { ["Database:Provider"] = "Sqlite" };
            }

            Console.WriteLine($"bare single-row write transactions ({provider}, {Clients} threads): {bare:F0}/s");
            settings["TrialManager:DataDirectory"] = directory;
            var (throughput, errors) = await RunServerAsync(settings, count);
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

    private static async Task<(double Throughput, int Errors)> RunServerAsync(Dictionary<string, string> settings, int count)
    {
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_TRIALMANAGER_SERVER", RepositoryPaths.ServerProject);
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Development");
            builder.UseSetting("TrialManager:Jobs:ShutdownTimeoutSeconds", "1");
            builder.UseSetting("Urls", "http://127.0.0.1:0");
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
            id = trial, title = "HTTP measures benchmark", targetEnrollment = 100_000, sites,
            formulations = new[] { "cognitive", "interpersonal" },
            arms = new object[] { new { code = "mediator", ratio = 1 }, new { code = "moderator", ratio = 1 } },
            randomization = new { method = "permutedBlocks", blockSizes = new[] { 2, 4, 6 }, stratifyBy = new[] { "formulation", "site" } },
            eligibility = new { minAge = 18, maxAge = 70, minSeverity = 5, maxSeverity = 27, exclusions = Array.Empty<string>() },
            formulationRule = new { minMargin = 1 },
        }), HttpStatusCode.Created);
        Check(await admin.PostAsJsonAsync($"/api/trials/{trial}/status", new { status = "recruiting" }), HttpStatusCode.OK);
        foreach (var site in sites)
        {
            Check(await admin.PostAsJsonAsync($"/api/trials/{trial}/therapists", new { code = $"t-{site}", site, arms = new[] { "mediator", "moderator" } }), HttpStatusCode.Created);
        }

        // Not timed: participants randomized, with a therapist and 16 attended sessions each (dated today: a session
        // cannot be dated before the randomization nor after today), enough for every measure to have its own slot.
        var participants = (count + WarmUp + (Sessions * Instruments.Length) - 1) / (Sessions * Instruments.Length);
        var today = DateOnly.FromDateTime(DateTime.UtcNow).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var prepared = Stopwatch.StartNew();
        var ids = new ConcurrentDictionary<int, string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, participants), new ParallelOptions { MaxDegreeOfParallelism = Clients }, async (i, ct) =>
        {
            var screened = await http.PostAsJsonAsync($"/api/trials/{trial}/participants",
                new { site = sites[i % sites.Length], ageYears = 30, severity = 15, exclusions = Array.Empty<string>() }, ct);
            Check(screened, HttpStatusCode.Created);
            var id = (await screened.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetString()!;
            Check(await http.PostAsJsonAsync($"/api/participants/{id}/consent", new { consentVersion = "1.0", consentedOn = today }, ct), HttpStatusCode.OK);
            var lead = i % 2 == 0 ? "cognitive" : "interpersonal";
            var scores = new Dictionary<string, int> { ["cognitive"] = 1, ["interpersonal"] = 1, ["behavioral"] = 0, ["environmental"] = 0, [lead] = 4 };
            Check(await http.PostAsJsonAsync($"/api/participants/{id}/formulations", new { rater = "R01", scores, consensus = false }, ct), HttpStatusCode.OK);
            Check(await http.PostAsync($"/api/participants/{id}/randomization", null, ct), HttpStatusCode.Created);
            Check(await http.PostAsJsonAsync($"/api/participants/{id}/therapist", new { therapist = $"t-{sites[i % sites.Length]}" }, ct), HttpStatusCode.OK);
            for (var s = 1; s <= Sessions; s++)
            {
                Check(await http.PostAsJsonAsync($"/api/participants/{id}/sessions", new { number = s, date = today, attendance = "attended" }, ct), HttpStatusCode.Created);
            }

            ids[i] = id;
        });
        Console.WriteLine($"prepared {participants} participants with {Sessions} sessions each in {prepared.Elapsed.TotalSeconds:F0} s");

        // Slots in an order that spreads concurrent clients over participants, as sessions arrive in a running trial.
        var random = new Random(16);
        var slots = (from i in Enumerable.Range(0, participants)
                     from s in Enumerable.Range(1, Sessions)
                     from instrument in Instruments
                     select (Id: ids[i], Session: s, Instrument: instrument)).OrderBy(_ => random.Next()).ToArray();
        var bodies = slots.Select((slot, n) => Body(slot.Session, slot.Instrument, n, today)).ToArray();
        var work = slots.Zip(bodies).ToArray();
        await RecordAllAsync(http, work[..WarmUp]);
        Console.WriteLine($"JIT settled after the warm-up: {await JitSettledAsync(TimeSpan.FromSeconds(30))}");
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var (latencies, errors) = await RecordAllAsync(http, work[WarmUp..(WarmUp + count)]);
        var elapsed = watch.Elapsed;
        process.Refresh();
        var cpuSeconds = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
        var cpu = cpuSeconds / elapsed.TotalSeconds * 100;
        latencies.Sort();
        var throughput = count / elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"measures recorded over HTTP: {throughput:F0}/s, p50 {Percentile(latencies, 0.50):F1} ms, p99 {Percentile(latencies, 0.99):F1} ms, errors {errors}, process CPU {cpu:F0}% of one core"));
        // Less sensitive to the machine's load than the rate: the CPU the process (server and its clients) spent per measure.
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"process CPU per measure: {cpuSeconds * 1000 / count:F3} ms ({cpuSeconds:F2} s for {count})"));

        // Fill what is left, so every participant has 16 sessions of three instruments, then read records one at a time.
        await RecordAllAsync(http, work[(WarmUp + count)..]);
        var full = ids.Values.Take(20).ToArray();
        var reference = await SequentialAsync(http, _ => "/api/instruments/phq9");
        var record = await SequentialAsync(http, n => $"/api/participants/{full[n % full.Length]}");
        var measures = await SequentialAsync(http, n => $"/api/participants/{full[n % full.Length]}/measures");
        using (var check = await http.GetAsync($"/api/participants/{full[0]}/measures"))
        {
            var measured = (await check.Content.ReadFromJsonAsync<JsonElement>()).GetArrayLength();
            Console.WriteLine($"participant record: {Sessions} sessions, {measured} measures per participant");
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"reference, GET /api/instruments/phq9 (one client): p50 {reference.P50:F2} ms, p99 {reference.P99:F2} ms"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"participant record, GET /api/participants/{{id}} (one client): p50 {record.P50:F2} ms, p99 {record.P99:F2} ms"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"participant measures, GET /api/participants/{{id}}/measures (one client): p50 {measures.P50:F2} ms, p99 {measures.P99:F2} ms"));
        return (throughput, errors);
    }

    private static object Body(int session, string instrument, int n, string today)
    {
        var random = new Random(n);
        Dictionary<string, int> items = instrument switch
        {
            // Item 9 (self-harm) 0, so the run does not raise an alert per measure; deterioration alerts still happen.
            "phq9" => Enumerable.Range(1, 9).ToDictionary(i => $"{i}", i => i == 9 ? 0 : random.Next(4)),
            "alliance12" => Enumerable.Range(1, 12).ToDictionary(i => $"{i}", _ => random.Next(2, 6)),
            _ => random.Next(5) == 0
                ? new Dictionary<string, int> { ["1"] = 1, ["2"] = random.Next(2), ["3"] = 1, ["4"] = random.Next(3), ["5"] = random.Next(3) }
                : new Dictionary<string, int> { ["1"] = 0 },
        };
        return new { instrument, session, completedOn = today, items };
    }

    private static async Task<(List<double> Latencies, int Errors)> RecordAllAsync(HttpClient http, ((string Id, int Session, string Instrument) Slot, object Body)[] work)
    {
        var queue = new ConcurrentQueue<((string Id, int Session, string Instrument) Slot, object Body)>(work);
        var latencies = new ConcurrentBag<double>();
        var errors = 0;
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(_ => Task.Run(async () =>
        {
            while (queue.TryDequeue(out var item))
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await http.PostAsJsonAsync($"/api/participants/{item.Slot.Id}/measures", item.Body);
                await response.Content.LoadIntoBufferAsync();
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (response.StatusCode != HttpStatusCode.Created && Interlocked.Increment(ref errors) <= 3)
                {
                    Console.WriteLine($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                }
            }
        })));
        return ([.. latencies], errors);
    }

    /// <summary>One client, one request at a time: 100 warm-up, then <see cref="RecordReads"/> timed.</summary>
    private static async Task<(double P50, double P99)> SequentialAsync(HttpClient http, Func<int, string> path)
    {
        for (var n = 0; n < 100; n++)
        {
            using var warm = await http.GetAsync(path(n));
            Check(warm, HttpStatusCode.OK);
        }

        var latencies = new List<double>(RecordReads);
        for (var n = 0; n < RecordReads; n++)
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await http.GetAsync(path(n));
            await response.Content.LoadIntoBufferAsync();
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        latencies.Sort();
        return (Percentile(latencies, 0.50), Percentile(latencies, 0.99));
    }
}
