using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using TrialManager.Infrastructure.Auditing;

namespace TrialManager.Infrastructure.Persistence;

/// <summary>
/// Serialises write transactions. Every command appends to the one audit hash chain, so writers take turns:
/// on SQLite (one process, one writer) with an in-process lock, on server databases with a row lock on the
/// chain head that every server instance respects (queueing in process first, so waiters hold no connection).
/// Readers never wait.
/// </summary>
public interface IWriteGate
{
    Task<WriteScope> BeginAsync(TrialDbContext db, CancellationToken cancellationToken);
}

public sealed class WriteScope(IDbContextTransaction transaction, SemaphoreSlim? processLock, Action? onEnd = null) : IAsyncDisposable
{
    private bool _released;

    public Task CommitAsync(CancellationToken cancellationToken) => transaction.CommitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await transaction.DisposeAsync();
        if (!_released)
        {
            _released = true;
            onEnd?.Invoke();
            processLock?.Release();
        }
    }
}

internal sealed class SqliteWriteGate(DbContextOptions<TrialDbContext> options) : IWriteGate, IDisposable
{
    // One per process: the embedded database has a single writer, so waiting here is cheaper than SQLITE_BUSY.
    private readonly SemaphoreSlim _lock = new(1, 1);

    // Every write runs on this one connection, opened once and kept: its statements stay compiled between commands
    // (SqliteStatementCache). A context of its own creates and opens it, so EF's SQL functions and our pragmas apply.
    private TrialDbContext? _owner;
    private SqliteConnection? _connection;

    public async Task<WriteScope> BeginAsync(TrialDbContext db, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        // The request's context lends its own connection out for the write and gets it back (re-created) afterwards.
        var connectionString = db.Database.GetConnectionString();
        void GiveBack()
        {
            db.Database.SetDbConnection(null);
            db.Database.SetConnectionString(connectionString);
        }

        try
        {
            var connection = _connection ??= await OpenAsync(cancellationToken);
            db.Database.SetDbConnection(connection, contextOwnsConnection: false);
            var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            return new WriteScope(transaction, _lock, GiveBack);
        }
        catch
        {
            if (_connection is not null && ReferenceEquals(db.Database.GetDbConnection(), _connection))
            {
                GiveBack();
            }

            _lock.Release();
            throw;
        }
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var owner = new TrialDbContext(options);
        try
        {
            await owner.Database.OpenConnectionAsync(cancellationToken);
        }
        catch
        {
            await owner.DisposeAsync();
            throw;
        }

        _owner = owner;
        var connection = (SqliteConnection)owner.Database.GetDbConnection();
        SqliteStatementCache.Enable(connection);
        return connection;
    }

    public void Dispose()
    {
        if (_connection is not null)
        {
            SqliteStatementCache.Release(_connection);
            _connection = null;
        }

        _owner?.Dispose(); // closes the connection
        _owner = null;
    }
}

internal sealed class RowLockWriteGate(DatabaseProvider provider) : IWriteGate
{
    // Writers of this process queue here before they take a pooled connection: queueing on the row lock instead
    // held one connection per waiting request, so a few hundred concurrent commands exhausted the pool (503s).
    // The row lock still orders writers across server instances.
    private readonly SemaphoreSlim _lock = new(1, 1);

    public async Task<WriteScope> BeginAsync(TrialDbContext db, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        IDbContextTransaction transaction;
        try
        {
            transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        }
        catch
        {
            _lock.Release();
            throw;
        }

        try
        {
            var head = provider == DatabaseProvider.PostgreSql
                ? db.AuditChainHeads.FromSqlInterpolated($"""SELECT * FROM "AuditChainHead" WHERE "Id" = {AuditChainHead.SingletonId} FOR UPDATE""")
                : db.AuditChainHeads.FromSqlInterpolated($"SELECT * FROM [AuditChainHead] WITH (UPDLOCK, HOLDLOCK) WHERE [Id] = {AuditChainHead.SingletonId}");
            await head.AsTracking().SingleAsync(cancellationToken);
            return new WriteScope(transaction, _lock);
        }
        catch
        {
            await transaction.DisposeAsync();
            _lock.Release();
            throw;
        }
    }
}
