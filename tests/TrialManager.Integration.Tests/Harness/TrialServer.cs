using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Hosting;

namespace TrialManager.Integration.Tests.Harness;

/// <summary>
/// One real server (the Program, its migrations, Hangfire and all) on a real database, shared by the test
/// classes of a collection. Tests create their own trials, so they never depend on each other's data.
/// </summary>
public abstract class TrialServer : IAsyncLifetime
{
    public static readonly JsonSerializerOptions Json = CreateJsonOptions();

    private WebApplicationFactory<Program>? _factory;

    public abstract DatabaseProvider Provider { get; }

    /// <summary>Log messages of the server that contain a watched secret (see the security tests).</summary>
    public LogCapture Logs { get; } = new();

    public WebApplicationFactory<Program> Factory => _factory ?? throw new InvalidOperationException("The server is not started.");

    /// <summary>A client that sends the given API key (null: no key).</summary>
    public HttpClient Client(string? apiKey)
    {
        var client = Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }

        return client;
    }

    public HttpClient Coordinator => Client("dev-coordinator");
    public HttpClient Statistician => Client("dev-statistician");
    public HttpClient Ethics => Client("dev-ethics");
    public HttpClient Admin => Client("dev-admin");

    /// <summary>Runs code against the server's own database context (for checks the API does not expose).</summary>
    public async Task<T> WithDbAsync<T>(Func<TrialDbContext, Task<T>> action)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<TrialDbContext>());
    }

    public async Task InitializeAsync()
    {
        var settings = await PrepareDatabaseAsync();
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Development");
            builder.UseSetting("TrialManager:Jobs:ShutdownTimeoutSeconds", "1");
            foreach (var (key, value) in SecurityTestSettings.Values.Concat(settings))
            {
                builder.UseSetting(key, value);
            }

            builder.ConfigureServices(services => services.AddSingleton<IStartupFilter, TestClientAddressStartupFilter>());
            builder.ConfigureLogging(logging => logging.AddProvider(Logs).AddFilter<LogCapture>(null, LogLevel.Debug));
        });
        _ = Factory.Server; // start now, so the first test does not pay for it
    }

    public virtual async Task DisposeAsync()
    {
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
    }

    /// <summary>Configuration for this provider: Database:*, ConnectionStrings:TrialManager, TrialManager:DataDirectory.</summary>
    protected abstract Task<IReadOnlyDictionary<string, string>> PrepareDatabaseAsync();

    private static JsonSerializerOptions CreateJsonOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        ServerSetup.ConfigureJson(options);
        return options;
    }
}

public sealed class SqliteTrialServer : TrialServer
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "trialmanager-tests-" + Guid.NewGuid().ToString("N"));

    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    public string DataDirectory => _directory;

    protected override Task<IReadOnlyDictionary<string, string>> PrepareDatabaseAsync() =>
        Task.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string>
        {
            ["Database:Provider"] = "Sqlite",
            ["TrialManager:DataDirectory"] = _directory,
        });

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}

/// <summary>The same server on a fresh database of the run's throwaway PostgreSQL cluster.</summary>
public sealed class PostgresTrialServer : TrialServer
{
    private PostgresCluster? _cluster;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "trialmanager-tests-" + Guid.NewGuid().ToString("N"));

    public override DatabaseProvider Provider => DatabaseProvider.PostgreSql;

    public string? ConnectionString { get; private set; }

    protected override async Task<IReadOnlyDictionary<string, string>> PrepareDatabaseAsync()
    {
        if (PostgresTestGate.SkipReason is not null)
        {
            // Every test of this server is skipped; start nothing.
            return new Dictionary<string, string> { ["Database:Provider"] = "Sqlite", ["TrialManager:DataDirectory"] = _directory };
        }

        // Each server collection owns its cluster (about a second to start): stopped deterministically on dispose.
        _cluster = await PostgresCluster.StartAsync();
        ConnectionString = _cluster.ConnectionString(PostgresClusterFixture.NewDatabaseName("tm"));
        return new Dictionary<string, string>
        {
            ["Database:Provider"] = "PostgreSql",
            ["Database:MigrateOnStart"] = "true",
            ["ConnectionStrings:TrialManager"] = ConnectionString,
            ["TrialManager:DataDirectory"] = _directory,
        };
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Npgsql.NpgsqlConnection.ClearAllPools();
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}

/// <summary>Test classes that run on PostgreSQL implement this, so [ServerFact] knows when to skip them.</summary>
public interface IRunsOnPostgres;

[CollectionDefinition(Name)]
public sealed class SqliteServerCollection : ICollectionFixture<SqliteTrialServer>
{
    public const string Name = "SQLite server";
}

[CollectionDefinition(Name)]
public sealed class PostgresServerCollection : ICollectionFixture<PostgresTrialServer>
{
    public const string Name = "PostgreSQL server";
}

public static class HttpJson
{
    public static async Task<T> ReadAsync<T>(this HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<T>(TrialServer.Json))!;

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>(TrialServer.Json);

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string path, object? body) =>
        client.PostAsJsonAsync(path, body, TrialServer.Json);
}
