using Microsoft.Extensions.Configuration;
using Npgsql;
using TrialManager.Infrastructure.Persistence;

namespace TrialManager.Infrastructure.Tests.Persistence;

public sealed class DatabaseSettingsTests
{
    private static DatabaseSettings From(string provider, string? connectionString, string? synchronous = null) =>
        DatabaseSettings.From(
            new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Database:Provider"] = provider,
                ["ConnectionStrings:TrialManager"] = connectionString,
                ["Database:SqliteSynchronous"] = synchronous,
            }).Build(),
            new DataPaths(Path.GetTempPath()));

    [Theory]
    [InlineData(null, SqliteSynchronous.Full)]
    [InlineData("full", SqliteSynchronous.Full)]
    [InlineData("Normal", SqliteSynchronous.Normal)]
    public void Sqlite_SyncsEveryCommitUnlessConfiguredOtherwise(string? configured, SqliteSynchronous expected) =>
        Assert.Equal(expected, From("Sqlite", null, configured).SqliteSynchronous);

    [Theory]
    [InlineData("off")]
    [InlineData("2")]
    public void Sqlite_AnUnknownSynchronousSettingStopsTheStart(string configured) =>
        Assert.Contains("Database:SqliteSynchronous", Assert.Throws<InvalidOperationException>(() => From("Sqlite", null, configured)).Message, StringComparison.Ordinal);

    [Fact]
    public void PostgreSql_PreparesRepeatedStatementsByDefault_KeepingEverythingElse()
    {
        var settings = From("PostgreSql", "Host=db;Database=trialmanager;Username=tm;Password=secret;Timeout=5");

        var built = new NpgsqlConnectionStringBuilder(settings.ConnectionString);
        Assert.Equal(DatabaseSettings.DefaultMaxAutoPrepare, built.MaxAutoPrepare);
        Assert.Equal(("db", "trialmanager", "tm", "secret", 5), (built.Host, built.Database, built.Username, built.Password, built.Timeout));
    }

    [Theory]
    [InlineData("Host=db;Database=tm;Max Auto Prepare=0", 0)]
    [InlineData("Host=db;Database=tm;max auto prepare=20", 20)]
    [InlineData("Host=db;Database=tm;MaxAutoPrepare=7", 7)]
    public void PostgreSql_AnExplicitSettingIsLeftAsWritten(string connectionString, int expected)
    {
        var settings = From("PostgreSql", connectionString);

        Assert.Equal(connectionString, settings.ConnectionString);
        Assert.Equal(expected, new NpgsqlConnectionStringBuilder(settings.ConnectionString).MaxAutoPrepare);
    }

    [Fact]
    public void SqlServer_ConnectionStringIsUntouched()
    {
        const string connectionString = "Server=db;Database=TrialManager;User Id=tm;Password=secret;Encrypt=True";

        Assert.Equal(connectionString, From("SqlServer", connectionString).ConnectionString);
    }
}
