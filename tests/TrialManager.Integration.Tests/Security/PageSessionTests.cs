using TrialManager.Server.Common;
using System.Net;
using TrialManager.Integration.Tests.Api;
using TrialManager.Integration.Tests.Harness;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Security;

namespace TrialManager.Integration.Tests.Security;

/// <summary>
/// A page session has the rights of its key as configured now, not as it was at sign-in: a cookie issued under one
/// key configuration is sent to the server restarted with another. Each test runs servers of its own on one
/// database that outlives them (only one host may be alive at a time, so no server collection).
/// </summary>
public abstract class PageSessionTests : IAsyncLifetime
{
    private const string Key = "test-page-session-key-71c3";
    private const string KeyName = "page-coordinator";

    protected abstract DatabaseProvider Provider { get; }

    /// <summary>Database and data directory settings, the same for every host of the test.</summary>
    protected abstract Task<IReadOnlyDictionary<string, string>> DatabaseAsync();

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public abstract Task DisposeAsync();

    [ServerFact]
    public async Task NarrowedSites_AfterRestart_TheOldSessionGetsNotFoundForTheOtherSitesParticipant()
    {
        string trialId, own, other, session;
        await using (var first = await StartAsync(KeyFor(Key, "AAA", "BBB")))
        {
            trialId = await TestTrials.CreateAsync(first, recruiting: true);
            own = await TestTrials.FormulatedParticipantAsync(first, trialId, site: "AAA");
            other = await TestTrials.FormulatedParticipantAsync(first, trialId, site: "BBB");
            var client = PageSignIn.Client(first);
            session = await PageSignIn.SessionAsync(client, Key);
            Assert.Equal(HttpStatusCode.OK, (await PageSignIn.GetAsync(client, $"/participants/{other}", session)).StatusCode);
        }

        await using var second = await StartAsync(KeyFor(Key, "AAA"));
        var again = PageSignIn.Client(second);
        var otherPage = await PageSignIn.GetAsync(again, $"/participants/{other}", session);
        var ownPage = await PageSignIn.GetAsync(again, $"/participants/{own}", session);
        var list = await PageSignIn.GetAsync(again, $"/trials/{trialId}/participants", session);

        var unknownPage = await PageSignIn.GetAsync(again, $"/participants/{trialId}-BBB-9999", session);

        Assert.Equal(HttpStatusCode.NotFound, otherPage.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownPage.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ownPage.StatusCode);
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        var listed = await list.Content.ReadAsStringAsync();
        Assert.Contains(own, listed, StringComparison.Ordinal);
        Assert.DoesNotContain(other, listed, StringComparison.Ordinal);
    }

    [ServerFact]
    public async Task RemovedKey_AfterRestart_TheOldSessionIsSignedOut()
    {
        string session;
        await using (var first = await StartAsync(KeyFor(Key)))
        {
            var client = PageSignIn.Client(first);
            session = await PageSignIn.SessionAsync(client, Key);
            Assert.Equal(HttpStatusCode.OK, (await PageSignIn.GetAsync(client, "/trials", session)).StatusCode);
        }

        await using var second = await StartAsync(new Dictionary<string, string>());
        var answer = await PageSignIn.GetAsync(PageSignIn.Client(second), "/trials", session);

        AssertSignedOut(answer);
    }

    [ServerFact]
    public async Task ReplacedKey_UnderTheSameName_AfterRestart_TheOldSessionIsSignedOut()
    {
        string session;
        await using (var first = await StartAsync(KeyFor(Key)))
        {
            session = await PageSignIn.SessionAsync(PageSignIn.Client(first), Key);
        }

        await using var second = await StartAsync(KeyFor(Key + "-rotated"));
        var answer = await PageSignIn.GetAsync(PageSignIn.Client(second), "/trials", session);

        AssertSignedOut(answer);
    }

    private static void AssertSignedOut(HttpResponseMessage answer)
    {
        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        Assert.Contains("/signin", answer.Headers.Location?.OriginalString ?? string.Empty, StringComparison.Ordinal);
        Assert.Equal(PageSignIn.SessionCookie + "=", PageSignIn.SessionCookieOf(answer));
    }

    /// <summary>The test's coordinator key (index 9, after the shared test keys), limited to the given sites.</summary>
    private static Dictionary<string, string> KeyFor(string key, params string[] sites)
    {
        var settings = new Dictionary<string, string>
        {
            ["Authentication:ApiKeys:9:Name"] = KeyName,
            ["Authentication:ApiKeys:9:Role"] = Roles.Coordinator,
            ["Authentication:ApiKeys:9:Sha256"] = ApiKeyStore.HashOf(key),
        };
        for (var i = 0; i < sites.Length; i++)
        {
            settings[$"Authentication:ApiKeys:9:Sites:{i}"] = sites[i];
        }

        return settings;
    }

    private async Task<KeptDatabaseServer> StartAsync(IReadOnlyDictionary<string, string> keys)
    {
        var settings = new Dictionary<string, string>(await DatabaseAsync());
        foreach (var (name, value) in keys)
        {
            settings[name] = value;
        }

        var server = new KeptDatabaseServer(Provider, settings);
        await server.InitializeAsync();
        return server;
    }

    /// <summary>A host on the test's database that leaves the database in place when it stops.</summary>
    private sealed class KeptDatabaseServer(DatabaseProvider provider, IReadOnlyDictionary<string, string> settings) : TrialServer, IAsyncDisposable
    {
        public override DatabaseProvider Provider => provider;

        protected override Task<IReadOnlyDictionary<string, string>> PrepareDatabaseAsync() => Task.FromResult(settings);

        ValueTask IAsyncDisposable.DisposeAsync() => new(DisposeAsync());
    }
}

public sealed class PageSessionTests_Sqlite : PageSessionTests
{
    private readonly string _directory = Directory.CreateTempSubdirectory("trialmanager-sessions-").FullName;

    protected override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    protected override Task<IReadOnlyDictionary<string, string>> DatabaseAsync() =>
        Task.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string>
        {
            ["Database:Provider"] = "Sqlite",
            ["TrialManager:DataDirectory"] = _directory,
        });

    public override Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }
}

public sealed class PageSessionTests_Postgres : PageSessionTests, IRunsOnPostgres
{
    private readonly string _directory = Directory.CreateTempSubdirectory("trialmanager-sessions-").FullName;
    private PostgresCluster? _cluster;
    private string? _connectionString;

    protected override DatabaseProvider Provider => DatabaseProvider.PostgreSql;

    protected override async Task<IReadOnlyDictionary<string, string>> DatabaseAsync()
    {
        if (_cluster is null)
        {
            _cluster = await PostgresCluster.StartAsync();
            _connectionString = _cluster.ConnectionString(PostgresClusterFixture.NewDatabaseName("tm"));
        }

        return new Dictionary<string, string>
        {
            ["Database:Provider"] = "PostgreSql",
            ["Database:MigrateOnStart"] = "true",
            ["ConnectionStrings:TrialManager"] = _connectionString!,
            ["TrialManager:DataDirectory"] = _directory,
        };
    }

    public override async Task DisposeAsync()
    {
        Npgsql.NpgsqlConnection.ClearAllPools();
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }
}
