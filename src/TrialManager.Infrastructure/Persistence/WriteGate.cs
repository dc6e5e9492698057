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

/// <summary>One command's turn at writing. Commit makes its changes durable (possibly together with the next writers').</summary>
public abstract class WriteScope : IAsyncDisposable
{
    public abstract Task CommitAsync(CancellationToken cancellationToken);

    public abstract ValueTask DisposeAsync();
}

/// <summary>A transaction of its own, released with the process lock that ordered it.</summary>
internal sealed class TransactionWriteScope(IDbContextTransaction transaction, SemaphoreSlim processLock) : WriteScope
{
    private bool _released;

    public override Task CommitAsync(CancellationToken cancellationToken) => transaction.CommitAsync(cancellationToken);

    public override async ValueTask DisposeAsync()
    {
        await transaction.DisposeAsync();
        if (!_released)
        {
            _released = true;
            processLock.Release();
        }
    }
}

/// <summary>
/// SQLite, one process, one writer: writers take turns on one long-lived write connection, and a writer that finds
/// others queued behind it leaves its transaction open for them (group commit). Each command runs inside a savepoint
/// of the shared transaction, so a failing command undoes only its own changes; the last writer of a group commits it,
/// and every member's commit returns only then. Under load this saves a BEGIN and a COMMIT (the WAL write) per
/// command; alone, a writer commits at once, as before.
/// </summary>
internal sealed class SqliteWriteGate(string connectionString) : IWriteGate, IDisposable
{
    private const int MaxGroup = 32;
    private const string Savepoint = "command";

    private readonly SemaphoreSlim _turn = new(1, 1);
    private int _queued;

    /// <summary>Writers waiting for their turn (for tests that need a group to form).</summary>
    internal int Queued => Volatile.Read(ref _queued);

    // Touched only by the writer holding the turn.
    private SqliteConnection? _connection;
    private Group? _group;

    public async Task<WriteScope> BeginAsync(TrialDbContext db, CancellationToken cancellationToken)
    {
        // Not cancellable once queued: a writer ahead may be leaving its group open because this one is waiting.
        Interlocked.Increment(ref _queued);
        await _turn.WaitAsync(CancellationToken.None);
        Interlocked.Decrement(ref _queued);

        Group group;
        try
        {
            _connection ??= Open(connectionString);
            group = _group ??= new Group(_connection.BeginTransaction());
        }
        catch
        {
            _turn.Release();
            throw;
        }

        var scope = new GroupWriteScope(this, group, db, db.Database.GetConnectionString()!);
        try
        {
            db.Database.SetDbConnection(_connection, contextOwnsConnection: false);
            await db.Database.UseTransactionAsync(group.Transaction, cancellationToken);
            group.Transaction.Save(Savepoint);
            scope.SavepointSet = true;
            return scope;
        }
        catch
        {
            await scope.DisposeAsync();
            throw;
        }
    }

    /// <summary>At shutdown (the container disposes the gate): close the write connection, so the file is let go.</summary>
    public void Dispose()
    {
        if (_turn.Wait(TimeSpan.FromSeconds(5)))
        {
            _connection?.Dispose();
            _connection = null;
        }
    }

    private static SqliteConnection Open(string connectionString)
    {
        // Opened here, not by EF, so its interceptor does not see it: the same pragmas, applied by hand.
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        SqlitePragmas.Apply(connection);
        return connection;
    }

    /// <summary>The writer holding the turn is done: pass the open group on to the next, or commit it.</summary>
    private void Leave(Group group)
    {
        if (!group.Poisoned && group.Members > 0 && group.Members < MaxGroup && Volatile.Read(ref _queued) > 0)
        {
            _turn.Release(); // the queued writer takes the turn, and with it the duty to finish the group
            return;
        }

        _group = null;
        try
        {
            if (group.Members > 0 && !group.Poisoned)
            {
                group.Transaction.Commit();
                group.Done.SetResult();
            }
            else
            {
                group.Transaction.Rollback();
                if (group.Members > 0)
                {
                    group.Done.SetException(new InvalidOperationException("A command's changes could not be undone alone, so its whole write group was rolled back."));
                }
            }
        }
        catch (Exception e)
        {
            group.Done.TrySetException(e);
        }
        finally
        {
            group.Transaction.Dispose();
            _turn.Release();
        }
    }

    private sealed class Group(SqliteTransaction transaction)
    {
        public SqliteTransaction Transaction { get; } = transaction;

        public int Members { get; set; }

        /// <summary>A savepoint could not be undone, so the group's state is unknown: it must be rolled back whole.</summary>
        public bool Poisoned { get; set; }

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class GroupWriteScope(SqliteWriteGate gate, Group group, TrialDbContext db, string ownConnectionString) : WriteScope
    {
        private bool _left;

        public bool SavepointSet { get; set; }

        public override async Task CommitAsync(CancellationToken cancellationToken)
        {
            group.Transaction.Release(Savepoint);
            group.Members++;
            LeaveGate();
            await group.Done.Task;
        }

        public override ValueTask DisposeAsync()
        {
            if (!_left)
            {
                try
                {
                    if (SavepointSet)
                    {
                        group.Transaction.Rollback(Savepoint);
                        group.Transaction.Release(Savepoint);
                    }
                }
                catch (SqliteException)
                {
                    group.Poisoned = true;
                }

                LeaveGate();
            }

            return ValueTask.CompletedTask;
        }

        private void LeaveGate()
        {
            _left = true;
            try
            {
                // The context goes back to a connection of its own for whatever the request reads afterwards.
                db.Database.UseTransaction(null);
                db.Database.SetDbConnection(new SqliteConnection(ownConnectionString), contextOwnsConnection: true);
            }
            finally
            {
                gate.Leave(group); // whatever happened to the context, the turn must move on
            }
        }
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
            return new TransactionWriteScope(transaction, _lock);
        }
        catch
        {
            await transaction.DisposeAsync();
            _lock.Release();
            throw;
        }
    }
}
