using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Integration.Tests.Harness;

namespace TrialManager.Integration.Tests.Persistence;

/// <summary>
/// The `migrate` verb of the real built server (`dotnet TrialManager.Server.dll migrate`): it creates the schema on
/// an empty database, and a second run applies nothing and changes nothing.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class MigrateVerbTests(PostgresClusterFixture fixture)
{
    private static readonly TimeSpan VerbTimeout = TimeSpan.FromSeconds(60);

    private static int MigrationCount(DatabaseProvider provider)
    {
        using var db = MigrationsTests.Context(provider);
        return db.Database.GetMigrations().Count();
    }

    [PostgresFact]
    public async Task MigrateVerb_OnAnEmptyPostgresDatabase_CreatesTheSchemaAndIsIdempotent()
    {
        var cluster = await fixture.GetClusterAsync();
        var database = PostgresClusterFixture.NewDatabaseName("migrate");
        await using (var admin = new NpgsqlConnection(cluster.ConnectionString("postgres")))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", admin);
            await create.ExecuteNonQueryAsync();
        }

        var connectionString = cluster.ConnectionString(database);
        var settings = new Dictionary<string, string> { ["Database:Provider"] = "PostgreSql", ["ConnectionStrings:TrialManager"] = connectionString };
        var expected = MigrationCount(DatabaseProvider.PostgreSql);

        var first = await ServerProcess.RunVerbAsync("migrate", settings, VerbTimeout);
        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Contains($"Applied {expected} migrations", first.Output, StringComparison.Ordinal);
        var tablesAfterFirst = await PostgresTablesAsync(connectionString);
        Assert.Equal(expected, await ScalarAsync(connectionString, "SELECT count(*) FROM \"__EFMigrationsHistory\""));
        Assert.Contains("ProtocolDocuments", tablesAfterFirst);
        Assert.Contains("AuditEvents", tablesAfterFirst);
        Assert.Contains("Allocations", tablesAfterFirst);

        var second = await ServerProcess.RunVerbAsync("migrate", settings, VerbTimeout);
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Contains("Applied 0 migrations", second.Output, StringComparison.Ordinal);
        Assert.Equal(tablesAfterFirst, await PostgresTablesAsync(connectionString));
        Assert.Equal(expected, await ScalarAsync(connectionString, "SELECT count(*) FROM \"__EFMigrationsHistory\""));
    }

    [Fact]
    public async Task MigrateVerb_OnAnEmptySqliteDataDirectory_CreatesTheDatabaseAndIsIdempotent()
    {
        var directory = Directory.CreateTempSubdirectory("trialmanager-migrate-").FullName;
        try
        {
            var dataDirectory = Path.Combine(directory, "nested", "data");
            var settings = new Dictionary<string, string> { ["TrialManager:DataDirectory"] = dataDirectory };
            var expected = MigrationCount(DatabaseProvider.Sqlite);

            var first = await ServerProcess.RunVerbAsync("migrate", settings, VerbTimeout);
            var second = await ServerProcess.RunVerbAsync("migrate", settings, VerbTimeout);

            Assert.True(first.ExitCode == 0, first.Output);
            Assert.Contains($"Applied {expected} migrations", first.Output, StringComparison.Ordinal);
            Assert.True(second.ExitCode == 0, second.Output);
            Assert.Contains("Applied 0 migrations", second.Output, StringComparison.Ordinal);
            await using var connection = new SqliteConnection($"Data Source={Path.Combine(dataDirectory, "trialmanager.db")};Pooling=false");
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM __EFMigrationsHistory";
            Assert.Equal(expected, Convert.ToInt32(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture));
            command.CommandText = "PRAGMA journal_mode";
            Assert.Equal("wal", await command.ExecuteScalarAsync());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<List<string>> PostgresTablesAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var tables = new List<string>();
        while (await reader.ReadAsync())
        {
            tables.Add(reader.GetString(0));
        }

        return tables;
    }

    private static async Task<int> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt32(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
