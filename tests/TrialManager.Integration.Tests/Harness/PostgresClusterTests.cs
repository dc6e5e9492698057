using System.Diagnostics;
using System.Net.Sockets;
using Npgsql;
using Xunit.Abstractions;

namespace TrialManager.Integration.Tests.Harness;

[Collection(PostgresCollection.Name)]
public sealed class PostgresClusterTests(PostgresClusterFixture fixture, ITestOutputHelper output)
{
    [PostgresFact]
    public async Task SharedCluster_CreateDatabaseAndTable_RoundTripsARow()
    {
        var cluster = await fixture.GetClusterAsync();
        var database = PostgresClusterFixture.NewDatabaseName("cluster_tests");

        await using (var admin = new NpgsqlConnection(cluster.ConnectionString("postgres")))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", admin);
            await create.ExecuteNonQueryAsync();
        }

        await using var connection = new NpgsqlConnection(cluster.ConnectionString(database));
        await connection.OpenAsync();
        await using (var table = new NpgsqlCommand("CREATE TABLE formulation (id int PRIMARY KEY, name text NOT NULL)", connection))
        {
            await table.ExecuteNonQueryAsync();
        }

        await using (var insert = new NpgsqlCommand("INSERT INTO formulation (id, name) VALUES (@id, @name)", connection))
        {
            insert.Parameters.AddWithValue("id", 1);
            insert.Parameters.AddWithValue("name", "cognitive – ñ 認知");
            Assert.Equal(1, await insert.ExecuteNonQueryAsync());
        }

        await using var select = new NpgsqlCommand("SELECT name FROM formulation WHERE id = 1", connection);
        Assert.Equal("cognitive – ñ 認知", await select.ExecuteScalarAsync());

        await using var currentDatabase = new NpgsqlCommand("SELECT current_database()", connection);
        Assert.Equal(database, await currentDatabase.ExecuteScalarAsync());
    }

    [PostgresFact]
    public async Task OwnCluster_WhenDisposed_RemovesItsDirectoryAndStopsListening()
    {
        var stopwatch = Stopwatch.StartNew();
        var cluster = await PostgresCluster.StartAsync();
        output.WriteLine($"Cluster started on port {cluster.Port} in {stopwatch.ElapsedMilliseconds} ms ({cluster.DirectoryPath}).");

        try
        {
            await using (var connection = new NpgsqlConnection(cluster.ConnectionString("postgres") + ";Pooling=false"))
            {
                await connection.OpenAsync();
                await using var version = new NpgsqlCommand("SHOW server_version", connection);
                output.WriteLine($"server_version {await version.ExecuteScalarAsync()}");
                await using var fsync = new NpgsqlCommand("SHOW fsync", connection);
                Assert.Equal("off", await fsync.ExecuteScalarAsync());
            }

            Assert.True(Directory.Exists(cluster.DirectoryPath));
            Assert.True(await AnswersAsync(cluster.Port));
        }
        finally
        {
            stopwatch.Restart();
            await cluster.DisposeAsync();
            output.WriteLine($"Cluster stopped and deleted in {stopwatch.ElapsedMilliseconds} ms.");
        }

        Assert.False(Directory.Exists(cluster.DirectoryPath));
        Assert.False(await AnswersAsync(cluster.Port));
    }

    [Fact]
    public void Availability_OnThisMachine_NamesTheHighestVersionOrAReason()
    {
        var availability = PostgresCluster.Availability;

        if (availability.IsAvailable)
        {
            Assert.StartsWith("/usr/lib/postgresql/", availability.BinDirectory, StringComparison.Ordinal);
            Assert.Null(availability.Reason);
        }
        else
        {
            Assert.False(string.IsNullOrWhiteSpace(availability.Reason));
        }
    }

    [Theory]
    [InlineData(true, null, false)]
    [InlineData(true, "true", false)]
    [InlineData(false, null, true)]
    [InlineData(false, "false", true)]
    [InlineData(false, "true", false)]
    [InlineData(false, "TRUE", false)]
    public void SkipReason_SkipsOnlyWhenBinariesAreMissingOutsideCi(bool binariesPresent, string? ci, bool skipped)
    {
        var availability = binariesPresent
            ? new PostgresAvailability(true, "/usr/lib/postgresql/99/bin", null)
            : new PostgresAvailability(false, null, "No PostgreSQL binaries.");

        var reason = PostgresTestGate.SkipReasonFor(availability, ci);

        Assert.Equal(skipped, reason is not null);
        if (skipped)
        {
            Assert.StartsWith("No PostgreSQL binaries.", reason, StringComparison.Ordinal);
        }
    }

    private static async Task<bool> AnswersAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
