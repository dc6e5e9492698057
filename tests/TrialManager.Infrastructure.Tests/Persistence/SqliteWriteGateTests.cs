using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using TrialManager.Domain.Documents;
using TrialManager.Infrastructure.Persistence.Writes;
using TrialManager.Infrastructure.Persistence;

namespace TrialManager.Infrastructure.Tests.Persistence;

/// <summary>
/// The SQLite gate runs every write on one connection that stays open and keeps its compiled statements, and commits
/// writers that queue behind each other together. These tests pin what that must not change: each write sees its own
/// values, a failed write leaves nothing behind and does not spoil the next one or the others of its group, a writer
/// is answered only once its write is committed, and a request's context gets its own connection back afterwards.
/// </summary>
public sealed class SqliteWriteGateTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("tm-gate-").FullName;
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        var paths = new DataPaths(_folder);
        var settings = DatabaseSettings.From(new ConfigurationBuilder().Build(), paths);
        _services = new ServiceCollection().AddTrialPersistence(settings).BuildServiceProvider();
        await using var scope = _services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<TrialDbContext>().Database.EnsureCreatedAsync();
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private IWriteGate Gate => _services.GetRequiredService<IWriteGate>();

    /// <summary>Writes one owed document through the gate; returns the connection the write ran on.</summary>
    private async Task<SqliteConnection> WriteAsync(string participantId)
    {
        await using var write = await BeginWriteAsync(participantId);
        var connection = (SqliteConnection)write.Db.Database.GetDbConnection();
        await write.Write.CommitAsync(CancellationToken.None);
        return connection;
    }

    private async Task<List<string>> OwedAsync()
    {
        await using var scope = _services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TrialDbContext>();
        return await db.ProtocolDocuments.OrderBy(d => d.ParticipantId).Select(d => d.ParticipantId).ToListAsync();
    }

    [Fact]
    public async Task ByDefault_TheGatesConnectionAndEveryReadersSyncEachCommit_SoAnAcknowledgedWriteSurvivesAPowerLoss()
    {
        static async Task<long> SynchronousAsync(SqliteConnection connection)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA synchronous";
            return (long)(await command.ExecuteScalarAsync())!;
        }

        const long full = 2; // 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA
        await using var write = await BeginWriteAsync("P-1");
        Assert.Equal(full, await SynchronousAsync((SqliteConnection)write.Db.Database.GetDbConnection()));
        await write.Write.CommitAsync(CancellationToken.None);

        await using var scope = _services.CreateAsyncScope();
        var reader = scope.ServiceProvider.GetRequiredService<TrialDbContext>();
        await reader.Database.OpenConnectionAsync();
        Assert.Equal(full, await SynchronousAsync((SqliteConnection)reader.Database.GetDbConnection()));
    }

    [Fact]
    public async Task Writes_ReuseTheirCompiledStatements_EachWithItsOwnValues()
    {
        var connection = await WriteAsync("P-1");
        var compiled = SqliteStatementCache.CountFor(connection);

        Assert.Same(connection, await WriteAsync("P-2"));
        Assert.Same(connection, await WriteAsync("P-3"));

        Assert.InRange(compiled, 1, SqliteStatementCache.MaxStatements);
        Assert.Equal(compiled, SqliteStatementCache.CountFor(connection)); // the same insert, not compiled again
        Assert.Equal(["P-1", "P-2", "P-3"], await OwedAsync());
    }

    [Fact]
    public async Task AFailedWrite_LeavesNothing_AndTheNextWriteSucceeds()
    {
        await WriteAsync("P-1");

        await Assert.ThrowsAsync<DbUpdateException>(async () =>
        {
            await using var scope = _services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TrialDbContext>();
            await using var write = await Gate.BeginAsync(db, CancellationToken.None);
            db.ProtocolDocuments.Add(new ProtocolDocument("P-2", DateTimeOffset.UnixEpoch));
            db.ProtocolDocuments.Add(new ProtocolDocument("P-1", DateTimeOffset.UnixEpoch)); // already there
            await db.SaveChangesAsync();
            await write.CommitAsync(CancellationToken.None);
        });
        await WriteAsync("P-3");

        Assert.Equal(["P-1", "P-3"], await OwedAsync());
    }

    [Fact]
    public async Task AfterTheGate_TheContextReadsOnItsOwnConnection()
    {
        await using var scope = _services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TrialDbContext>();
        SqliteConnection writeConnection;
        await using (var write = await Gate.BeginAsync(db, CancellationToken.None))
        {
            writeConnection = (SqliteConnection)db.Database.GetDbConnection();
            db.ProtocolDocuments.Add(new ProtocolDocument("P-1", DateTimeOffset.UnixEpoch));
            await db.SaveChangesAsync();
            await write.CommitAsync(CancellationToken.None);
        }

        Assert.NotSame(writeConnection, db.Database.GetDbConnection());
        Assert.Equal(1, await db.ProtocolDocuments.CountAsync());
        Assert.Equal(System.Data.ConnectionState.Open, writeConnection.State); // kept open for the next write
    }

    [Fact]
    public async Task AWriterThatFinishesWhileAnotherWaits_IsCommittedWithIt()
    {
        await using var first = await BeginWriteAsync("P-1");
        await using var second = await WaitBehindAsync(first, "P-2");

        Assert.False(first.Committed.IsCompleted); // its answer waits for the group's commit
        Assert.Empty(await OwedAsync()); // nothing is visible before that commit

        await second.Write.CommitAsync(CancellationToken.None);
        await first.Committed;

        Assert.Equal(["P-1", "P-2"], await OwedAsync());
        await WriteAsync("P-3"); // and the gate starts a new group afterwards
        Assert.Equal(["P-1", "P-2", "P-3"], await OwedAsync());
    }

    [Fact]
    public async Task AWriterThatFailsInAGroup_UndoesOnlyItsOwnWrites()
    {
        await using var first = await BeginWriteAsync("P-1");
        await using (var second = await WaitBehindAsync(first, "P-2"))
        {
            second.Db.ProtocolDocuments.Add(new ProtocolDocument("P-1", DateTimeOffset.UnixEpoch)); // already written
            await Assert.ThrowsAsync<DbUpdateException>(() => second.Db.SaveChangesAsync());
        } // disposed uncommitted: back to its savepoint; nobody else waits, so it commits the group for the first

        await first.Committed;
        Assert.Equal(["P-1"], await OwedAsync());
        await WriteAsync("P-3");
        Assert.Equal(["P-1", "P-3"], await OwedAsync());
    }

    [Fact]
    public async Task AWriterHandedTheGroupThatGivesUpBeforeWriting_StillCommitsItForTheOthers()
    {
        await using var first = await BeginWriteAsync("P-1");
        await using var scope = _services.CreateAsyncScope();
        using var giveUp = new CancellationTokenSource();
        var second = Gate.BeginAsync(scope.ServiceProvider.GetRequiredService<TrialDbContext>(), giveUp.Token);
        while (((GroupCommitGate)Gate).WaitingWriters == 0)
        {
            await Task.Delay(5);
        }

        await giveUp.CancelAsync(); // its request went away while it queued
        first.Committed = first.Write.CommitAsync(CancellationToken.None); // hands the open group to the second

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => second);
        await first.Committed.WaitAsync(TimeSpan.FromSeconds(10)); // committed, not left waiting for a writer that left
        Assert.Equal(["P-1"], await OwedAsync());
        await WriteAsync("P-2");
        Assert.Equal(["P-1", "P-2"], await OwedAsync());
    }

    /// <summary>A writer inside the gate that has saved one owed document and not committed yet.</summary>
    private async Task<OpenWrite> BeginWriteAsync(string participantId)
    {
        var scope = _services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TrialDbContext>();
        var write = await Gate.BeginAsync(db, CancellationToken.None);
        db.ProtocolDocuments.Add(new ProtocolDocument(participantId, DateTimeOffset.UnixEpoch));
        await db.SaveChangesAsync();
        return new OpenWrite(scope, db, write);
    }

    /// <summary>Queues a second writer, then lets the first commit: the second gets its turn in the same group.</summary>
    private async Task<OpenWrite> WaitBehindAsync(OpenWrite first, string participantId)
    {
        var second = BeginWriteAsync(participantId);
        var gate = (GroupCommitGate)Gate;
        while (gate.WaitingWriters == 0)
        {
            await Task.Delay(5);
        }

        first.Committed = first.Write.CommitAsync(CancellationToken.None);
        return await second;
    }

    private sealed class OpenWrite(AsyncServiceScope scope, TrialDbContext db, WriteScope write) : IAsyncDisposable
    {
        public TrialDbContext Db { get; } = db;
        public WriteScope Write { get; } = write;
        public Task Committed { get; set; } = Task.CompletedTask;

        public async ValueTask DisposeAsync()
        {
            await Write.DisposeAsync();
            await scope.DisposeAsync();
        }
    }

    [Fact]
    public async Task Disposing_TheGate_FreesTheStatementsAndClosesTheConnection()
    {
        var connection = await WriteAsync("P-1");
        Assert.True(SqliteStatementCache.CountFor(connection) > 0);

        ((IDisposable)Gate).Dispose();

        Assert.Equal(0, SqliteStatementCache.CountFor(connection));
        Assert.Equal(System.Data.ConnectionState.Closed, connection.State);
    }
}
