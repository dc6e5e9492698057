using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using TrialManager.Domain.Auditing;
using TrialManager.Infrastructure.Auditing;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Integration.Tests.Api;
using TrialManager.Integration.Tests.Harness;

namespace TrialManager.Integration.Tests.Security;

/// <summary>
/// Issue 13, major 9: where the audit key comes from, and a chain written before the key (unkeyed) still verifying
/// once a keyed server has started on it.
/// </summary>
public sealed class AuditKeyTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("trialmanager-auditkey-").FullName;

    [Fact]
    public async Task Start_OnAChainWrittenBeforeTheKey_SealsItWithAKeyedEvent_AndTheOldEventsStillVerify()
    {
        long legacy;
        await using (var first = Start())
        {
            Assert.Equal(HttpStatusCode.Created, (await Admin(first).PostJsonAsync("/api/trials", TestTrials.Definition())).StatusCode);
            legacy = await RewriteAsUnkeyedAsync(first);

            // As found by a server that has not sealed it: the end is not keyed, which is what a rewrite looks like.
            var unsealed = await (await Admin(first).GetAsync("/api/audit/verify")).JsonAsync();
            Assert.False(unsealed.GetProperty("valid").GetBoolean());
            Assert.Equal(legacy, unsealed.GetProperty("firstBroken").GetProperty("sequence").GetInt64());
            Assert.Equal("the chain ends on an event that is not keyed; it was rewritten without the key",
                unsealed.GetProperty("firstBroken").GetProperty("problem").GetString());
        }

        var key = await File.ReadAllTextAsync(Path.Combine(_directory, AuditKey.FileName));
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        await using var second = Start();

        var verification = await (await Admin(second).GetAsync("/api/audit/verify")).JsonAsync();
        Assert.True(verification.GetProperty("valid").GetBoolean(), verification.ToString());
        var seal = await WithDbAsync(second, db => db.AuditEvents.AsNoTracking().SingleAsync(e => e.Sequence == legacy + 1));
        Assert.Equal(("auditChainKeyed", AuditChain.KeyedVersion, $"{{\"unkeyedThrough\":{legacy}}}"), (seal.Action, seal.HashVersion, seal.Changes));
        Assert.Equal(key, await File.ReadAllTextAsync(Path.Combine(_directory, AuditKey.FileName)));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_directory, AuditKey.FileName)));
        }
    }

    [Fact]
    public async Task Upgrade_OfADatabaseWrittenBeforeTheKey_KeepsItsEventsAsUnkeyed_AndTheyStillVerify()
    {
        // The database as the previous version left it: the first migration only, and events hashed without a key.
        var options = new DbContextOptionsBuilder<TrialDbContext>();
        DatabaseSetup.Configure(options, new DatabaseSettings(DatabaseProvider.Sqlite, $"Data Source={Path.Combine(_directory, "trialmanager.db")}", MigrateOnStart: true));
        await using (var db = new TrialDbContext(options.Options))
        {
            await db.GetService<IMigrator>().MigrateAsync(db.Database.GetMigrations().First());
            var previous = AuditChain.Genesis;
            for (var sequence = 1; sequence <= 3; sequence++)
            {
                var entry = new AuditEntry(new DateTimeOffset(2026, 11, 20, 10, 0, sequence, TimeSpan.Zero), "dev-admin", "admin", "signIn", null, "Security", null,
                    "{\"scheme\":\"ApiKey\",\"role\":\"admin\",\"sites\":[]}");
                var hash = AuditChain.Hash(sequence, previous, entry);
                await db.Database.ExecuteSqlRawAsync(
                    "INSERT INTO \"AuditEvents\" (\"Sequence\", \"OccurredAt\", \"Actor\", \"Role\", \"Action\", \"RecordType\", \"Changes\", \"PreviousHash\", \"Hash\") " +
                    "VALUES ({0}, {1}, {2}, {3}, {4}, {5}, {6}, {7}, {8})",
                    sequence, entry.OccurredAt, entry.Actor, entry.Role, entry.Action, entry.RecordType!, entry.Changes, previous, hash);
                previous = hash;
            }

            await db.Database.ExecuteSqlRawAsync("UPDATE \"AuditChainHead\" SET \"LastSequence\" = 3, \"LastHash\" = {0}", previous);
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        await using var server = Start();

        var verification = await (await Admin(server).GetAsync("/api/audit/verify")).JsonAsync();
        Assert.True(verification.GetProperty("valid").GetBoolean(), verification.ToString());
        var versions = await WithDbAsync(server, db => db.AuditEvents.OrderBy(e => e.Sequence).Select(e => e.HashVersion).Take(4).ToListAsync());
        Assert.Equal([AuditChain.PlainVersion, AuditChain.PlainVersion, AuditChain.PlainVersion, AuditChain.KeyedVersion], versions);
    }

    [Theory]
    [InlineData(DatabaseProvider.PostgreSql)]
    [InlineData(DatabaseProvider.SqlServer)]
    public void Load_ForAServerDatabaseOutsideDevelopment_WithoutAConfiguredKey_Refuses(DatabaseProvider provider)
    {
        var refused = Assert.Throws<InvalidOperationException>(() => AuditKey.Load(Configuration([]), new DataPaths(_directory), provider, development: false));

        Assert.Contains(AuditKey.Setting, refused.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_directory, AuditKey.FileName)));
    }

    [Fact]
    public void Load_UsesTheConfiguredKey_AndRefusesAShortOne()
    {
        var configured = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

        var key = AuditKey.Load(Configuration(new() { [AuditKey.Setting] = configured }), new DataPaths(_directory), DatabaseProvider.PostgreSql, development: false);
        var refused = Assert.Throws<InvalidOperationException>(() => AuditKey.Load(
            Configuration(new() { [AuditKey.Setting] = Convert.ToBase64String(new byte[16]) }), new DataPaths(_directory), DatabaseProvider.Sqlite, development: true));

        Assert.Equal(configured, Convert.ToBase64String(key.Bytes));
        Assert.False(File.Exists(Path.Combine(_directory, AuditKey.FileName)));
        Assert.Contains("at least 32", refused.Message, StringComparison.Ordinal);
    }

    private static IConfiguration Configuration(Dictionary<string, string?> values) => new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    /// <summary>What a chain written before this version looks like: every event hashed without the key (version 1).</summary>
    private static Task<long> RewriteAsUnkeyedAsync(WebApplicationFactory<Program> server) => WithDbAsync(server, async db =>
    {
        var previous = AuditChain.Genesis;
        foreach (var e in await db.AuditEvents.AsNoTracking().OrderBy(e => e.Sequence).ToListAsync())
        {
            var hash = AuditChain.Hash(e.Sequence, previous, e.ToEntry());
            await db.Database.ExecuteSqlRawAsync(
                "UPDATE \"AuditEvents\" SET \"PreviousHash\" = {0}, \"Hash\" = {1}, \"HashVersion\" = 1 WHERE \"Sequence\" = {2}", previous, hash, e.Sequence);
            previous = hash;
        }

        await db.Database.ExecuteSqlRawAsync("UPDATE \"AuditChainHead\" SET \"LastHash\" = {0}", previous);
        return await db.AuditChainHeads.Select(h => h.LastSequence).SingleAsync();
    });

    private WebApplicationFactory<Program> Start()
    {
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Development");
            builder.UseSetting("TrialManager:Jobs:ShutdownTimeoutSeconds", "1");
            builder.UseSetting("Database:Provider", "Sqlite");
            builder.UseSetting("TrialManager:DataDirectory", _directory);
            foreach (var (name, value) in SecurityTestSettings.Values)
            {
                builder.UseSetting(name, value);
            }
        });
        _ = factory.Server;
        return factory;
    }

    private static HttpClient Admin(WebApplicationFactory<Program> server)
    {
        var client = server.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", "dev-admin");
        return client;
    }

    private static async Task<T> WithDbAsync<T>(WebApplicationFactory<Program> server, Func<TrialDbContext, Task<T>> action)
    {
        await using var scope = server.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<TrialDbContext>());
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
