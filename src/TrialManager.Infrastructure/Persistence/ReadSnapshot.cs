using System.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace TrialManager.Infrastructure.Persistence;

/// <summary>
/// A read-only transaction in which every statement sees the same committed state, for a read spread over many
/// statements (an export) while writers go on. PostgreSQL: repeatable read. SQLite (WAL): a deferred transaction,
/// which takes no write lock and reads one snapshot from its first read. SQL Server: read committed (its snapshot
/// isolation needs a database option), so each statement sees the state of its own start.
/// </summary>
public sealed class ReadSnapshot : IAsyncDisposable
{
    private readonly TrialDbContext _db;
    private readonly IAsyncDisposable? _handle;
    private readonly IDisposable? _transaction;

    private ReadSnapshot(TrialDbContext db, IAsyncDisposable? handle, IDisposable? transaction = null)
    {
        _db = db;
        _handle = handle;
        _transaction = transaction;
    }

    public static async Task<ReadSnapshot> BeginAsync(TrialDbContext db, CancellationToken cancellationToken)
    {
        if (db.Database.IsNpgsql())
        {
            return new ReadSnapshot(db, await db.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken));
        }

        if (db.Database.IsSqlite())
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
            var transaction = ((SqliteConnection)db.Database.GetDbConnection()).BeginTransaction(deferred: true);
            var handle = await db.Database.UseTransactionAsync(transaction, cancellationToken);
            return new ReadSnapshot(db, handle, transaction);
        }

        return new ReadSnapshot(db, null);
    }

    public async ValueTask DisposeAsync()
    {
        if (_handle is not null)
        {
            // Disposing EF's handle undoes the connection open that joining counted (UseTransaction(null) would not, and
            // a pooled context would then keep its connection "in use" for the next request's write gate).
            await _handle.DisposeAsync();
        }

        if (_transaction is not null)
        {
            _transaction.Dispose();
            await _db.Database.CloseConnectionAsync();
        }
    }
}
