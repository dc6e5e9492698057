using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using TrialManager.Infrastructure.Persistence;

namespace TrialManager.Infrastructure.Tests.Persistence;

/// <summary>
/// The embedded database's write gate: writers queued behind one another share a transaction (group commit), each in
/// a savepoint of its own, and a member's commit returns only once the whole group is durable.
/// </summary>
public sealed class SqliteWriteGateTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("trialmanager-gate-").FullName;
    private readonly DatabaseSettings _settings;

    public SqliteWriteGateTests()
    {
        _settings = new DatabaseSettings(
            DatabaseProvider.Sqlite, new SqliteConnectionStringBuilder { DataSource = Path.Combine(_directory, "gate.db") }.ToString(), false);
        using var connection = new SqliteConnection(_settings.ConnectionString);
        connection.Open();
        using var create = connection.CreateCommand();
        create.CommandText = "PRAGMA journal_mode=WAL; CREATE TABLE probe (id TEXT PRIMARY KEY);";
        create.ExecuteNonQuery();
    }

    [Fact]
    public async Task A_lone_writer_commits_at_once()
    {
        using var gate = new SqliteWriteGate(_settings.ConnectionString);
        await using var db = Context();

        await using (var scope = await gate.BeginAsync(db, CancellationToken.None))
        {
            await db.Database.ExecuteSqlRawAsync("INSERT INTO probe VALUES ('alone')");
            await scope.CommitAsync(CancellationToken.None);
        }

        Assert.Equal(["alone"], Committed());
        // The context is back on a connection of its own: it reads outside the gate as before.
        Assert.Equal(1, await db.Database.SqlQueryRaw<int>("SELECT count(*) AS Value FROM probe").SingleAsync());
    }

    [Fact]
    public async Task A_failing_member_of_a_group_undoes_only_its_own_changes()
    {
        using var gate = new SqliteWriteGate(_settings.ConnectionString);
        await using var first = Context();
        await using var failing = Context();
        await using var last = Context();

        var firstScope = await gate.BeginAsync(first, CancellationToken.None);
        await first.Database.ExecuteSqlRawAsync("INSERT INTO probe VALUES ('first')");
        // Two more writers queue while the first holds the turn, so it leaves its transaction open for them.
        var failed = WriteAsync(gate, failing, "INSERT INTO probe VALUES ('doomed'); INSERT INTO probe VALUES ('first')");
        var succeeded = WriteAsync(gate, last, "INSERT INTO probe VALUES ('last')");
        while (gate.Queued < 2)
        {
            await Task.Delay(5);
        }

        // What is durable at the moment the first writer's commit returns: the whole group, the last writer included.
        var durableWhenFirstReturned = firstScope.CommitAsync(CancellationToken.None)
            .ContinueWith(_ => Committed(), TaskContinuationOptions.ExecuteSynchronously);

        await Assert.ThrowsAsync<SqliteException>(() => failed);
        await succeeded;
        Assert.Equal(["first", "last"], await durableWhenFirstReturned);
        await firstScope.DisposeAsync();

        Assert.Equal(["first", "last"], Committed());
    }

    private static async Task WriteAsync(SqliteWriteGate gate, TrialDbContext db, string sql)
    {
        await using var scope = await gate.BeginAsync(db, CancellationToken.None);
        await db.Database.ExecuteSqlRawAsync(sql);
        await scope.CommitAsync(CancellationToken.None);
    }

    private TrialDbContext Context()
    {
        var options = new DbContextOptionsBuilder<TrialDbContext>();
        DatabaseSetup.Configure(options, _settings);
        return new TrialDbContext(options.Options);
    }

    /// <summary>What another connection sees: committed rows only.</summary>
    private List<string> Committed()
    {
        using var connection = new SqliteConnection(_settings.ConnectionString);
        connection.Open();
        using var select = connection.CreateCommand();
        select.CommandText = "SELECT id FROM probe ORDER BY id";
        using var reader = select.ExecuteReader();
        var ids = new List<string>();
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
