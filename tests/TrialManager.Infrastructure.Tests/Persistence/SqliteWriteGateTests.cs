using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using TrialManager.Domain.Documents;
using TrialManager.Infrastructure.Persistence;

namespace TrialManager.Infrastructure.Tests.Persistence;

/// <summary>
/// The SQLite gate runs every write on one connection that stays open and keeps its compiled statements. These
/// tests pin what that must not change: each write sees its own values, a failed write leaves nothing behind and
/// does not spoil the next one, and a request's context gets its own connection back afterwards.
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
        await using var scope = _services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TrialDbContext>();
        await using var write = await Gate.BeginAsync(db, CancellationToken.None);
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        db.ProtocolDocuments.Add(new ProtocolDocument(participantId, DateTimeOffset.UnixEpoch));
        await db.SaveChangesAsync();
        await write.CommitAsync(CancellationToken.None);
        return connection;
    }

    private async Task<List<string>> OwedAsync()
    {
        await using var scope = _services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TrialDbContext>();
        return await db.ProtocolDocuments.OrderBy(d => d.ParticipantId).Select(d => d.ParticipantId).ToListAsync();
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
    public async Task Disposing_TheGate_FreesTheStatementsAndClosesTheConnection()
    {
        var connection = await WriteAsync("P-1");
        Assert.True(SqliteStatementCache.CountFor(connection) > 0);

        ((IDisposable)Gate).Dispose();

        Assert.Equal(0, SqliteStatementCache.CountFor(connection));
        Assert.Equal(System.Data.ConnectionState.Closed, connection.State);
    }
}
