using TrialManager.Server.Features.Raters;
using BenchmarkDotNet.Attributes;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Persistence;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using TrialManager.Server.Features.Participants;
using TrialManager.Server.Features.Trials;
using TrialManager.Server.Hosting;

namespace TrialManager.Benchmarks.Workflow;

/// <summary>
/// Issue 3: screening, consent and formulation through the mediator (validation, transaction, audit and all)
/// with 100 and with 10,000 participants already in the trial, on SQLite and on PostgreSQL. The per-command
/// cost must not grow with the table (within 1.5x). The setup itself screens and formulates the existing
/// participants through the same commands. One operation = one command (three per invocation). Run it in process
/// with a short job (see docs/benchmarks.md): the generated project does not build within BenchmarkDotNet's
/// two-minute limit on a busy machine, and a default job would repeat the 10,000-participant setup for long.
/// </summary>
[MemoryDiagnoser]
public class WorkflowBenchmarks
{
    private const string TrialId = "bench-workflow";
    private static readonly string[] Sites = ["NYC", "BOS", "CHI"];

    private WebApplication? _app;
    private PostgresCluster? _cluster;
    private string? _directory;
    private int _next;

    [ParamsSource(nameof(Providers))]
    public string Provider { get; set; } = "Sqlite";

    /// <summary>Both by default; WORKFLOW_BENCH_PROVIDERS=Sqlite (comma-separated) runs a subset.</summary>
    public static IEnumerable<string> Providers =>
        (Environment.GetEnvironmentVariable("WORKFLOW_BENCH_PROVIDERS") ?? "Sqlite,PostgreSql").Split(',', StringSplitOptions.TrimEntries);

    [Params(100, 10_000)]
    public int Existing { get; set; }

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup() => CleanupAsync().GetAwaiter().GetResult();

    [Benchmark(OperationsPerInvoke = 3, Description = "screen + consent + formulate, per command")]
    public Task ScreenConsentFormulate() => WalkOneAsync(_next++);

    private async Task SetupAsync()
    {
        _directory = Directory.CreateTempSubdirectory("trialmanager-bench-").FullName;
        var settings = new List<string>
        {
            $"--Database:Provider={Provider}", $"--TrialManager:DataDirectory={_directory}", "--Logging:LogLevel:Default=Warning",
        };
        if (Provider == "PostgreSql")
        {
            _cluster = await PostgresCluster.StartAsync();
            settings.Add($"--ConnectionStrings:TrialManager={_cluster.ConnectionString("bench")}");
            settings.Add("--Database:MigrateOnStart=true");
        }

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = [.. settings],
            EnvironmentName = "Development",
            ContentRootPath = AppContext.BaseDirectory,
            ApplicationName = typeof(ServerSetup).Assembly.GetName().Name,
        });
        builder.AddTrialManager();
        _app = builder.Build();
        await _app.EnsureSchemaAsync();

        await SendAsync(new CreateTrial(
            TrialId, "Workflow benchmark", null, 1_000_000, [.. Sites], ["cognitive", "interpersonal"],
            [new ArmRequest("mediator", 1), new ArmRequest("moderator", 1)],
            new RandomizationRequest("permutedBlocks", [2, 4], ["formulation", "site"], null, null, null, null, null),
            new EligibilityRequest(18, 65, 10, 27, ["psychosis"]),
            new FormulationRuleRequest(1, null, null),
            Hypothesis: null,
            Schedule: null));
        await OpenTrialAsync();
        for (_next = 0; _next < Existing; _next++)
        {
            await WalkOneAsync(_next);
        }
    }

    // Opened on the entity, not through ChangeTrialStatus: that command puts the trial on the Hangfire report
    // schedule, and Hangfire's process-wide statics do not survive the next case's host when run in process.
    private async Task OpenTrialAsync()
    {
        await using var scope = _app!.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TrialDbContext>();
        var trial = await db.Trials.SingleAsync(t => t.Id == TrialId);
        trial.ChangeStatus(TrialStatus.Recruiting);
        await db.SaveChangesAsync();
    }

    private async Task WalkOneAsync(int index)
    {
        var screened = await SendAsync(new ScreenParticipant(TrialId, Sites[index % Sites.Length], 20 + (index % 40), 12 + (index % 10), [], 5, 6));
        await SendAsync(new RecordConsent(screened.Id, "1.0", new DateOnly(2026, 11, 20), null));
        var lead = index % 2;
        await SendAsync(new RateFormulation(screened.Id, "R01", new ScoresRequest(lead == 0 ? 4 : 1, lead == 1 ? 4 : 1, 0, 0), false, null));
    }

    private async Task<T> SendAsync<T>(ICommand<T> command)
    {
        await using var scope = _app!.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ISender>().Send(command);
    }

    private async Task CleanupAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Npgsql.NpgsqlConnection.ClearAllPools();
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        if (_directory is not null && Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
