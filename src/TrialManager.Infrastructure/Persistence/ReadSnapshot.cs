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
    private readonly IDisposable? _transaction;
    private readonly bool _closeConnection;

    private ReadSnapshot(TrialDbContext db, IDisposable? transaction, bool closeConnection)
    {
        _db = db;
        _transaction = transaction;
        _closeConnection = closeConnection;
    }

    public static async Task<ReadSnapshot> BeginAsync(TrialDbContext db, CancellationToken cancellationToken)
    {
        if (db.Database.IsNpgsql())
        {
            return new ReadSnapshot(db, await db.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken), closeConnection: false);
        }

        if (db.Database.IsSqlite())
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
            var transaction = ((SqliteConnection)db.Database.GetDbConnection()).BeginTransaction(deferred: true);
            await db.Database.UseTransactionAsync(transaction, cancellationToken);
            return new ReadSnapshot(db, transaction, closeConnection: true);
        }

        return new ReadSnapshot(db, null, closeConnection: false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_closeConnection)
        {
            await _db.Database.UseTransactionAsync(null);
        }

        _transaction?.Dispose();
        if (_closeConnection)
        {
            await _db.Database.CloseConnectionAsync();
        }
    }
}
