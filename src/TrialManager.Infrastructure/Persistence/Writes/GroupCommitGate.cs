using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using TrialManager.Infrastructure.Auditing;

namespace TrialManager.Infrastructure.Persistence.Writes;

/// <summary>
/// Group commit. Writers still take turns, one at a time, but a writer that finishes while others are queued does not
/// commit: it hands the open transaction to the next writer and waits, and the last writer of the group commits for
/// all of them, so a burst of writes pays for one commit (on PostgreSQL one durable flush; on SQLite one set of WAL
/// pages) instead of one each. Each later writer works behind a savepoint, so one that fails undoes only its own part.
/// Every writer's call still returns only once its writes are committed, and fails if the group's commit fails.
/// </summary>
internal abstract class GroupCommitGate : IWriteGate
{
    // Bounds the wait of a group's first writer, and keeps PostgreSQL's subtransactions (one per savepoint) within
    // the 64 a backend caches.
    internal const int MaxGroupSize = 32;
    private const string Savepoint = "tm_write";

    private readonly SemaphoreSlim _lock = new(1, 1);
    private int _waiting;

    // The open group's transaction; touched only by the writer holding the lock.
    private WriteGroup? _group;

    /// <summary>Writers queued for their turn (for tests).</summary>
    internal int WaitingWriters => Volatile.Read(ref _waiting);

    public async Task<WriteScope> BeginAsync(TrialDbContext db, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Interlocked.Increment(ref _waiting);
        // Not cancellable: a writer that saw this one waiting handed it an open group, and a waiter that walked away
        // would leave that group's writers waiting for a commit nobody makes. The turn itself then checks the token.
        await _lock.WaitAsync(CancellationToken.None);
        Interlocked.Decrement(ref _waiting);
        var scope = new WriteScope(this, db);
        try
        {
            await JoinAsync(scope, cancellationToken);
            return scope;
        }
        catch
        {
            await AbandonAsync(scope);
            throw;
        }
    }

    private async Task JoinAsync(WriteScope scope, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var db = scope.Db;
        var starts = _group is null;
        var group = _group ??= await StartGroupAsync(db, cancellationToken);
        scope.Group = group;
        if (!ReferenceEquals(db.Database.GetDbConnection(), group.Connection))
        {
            // The writer's context lends its own connection out for the write and gets it back afterwards.
            scope.LentConnectionString = db.Database.GetConnectionString();
            db.Database.SetDbConnection(group.Connection, contextOwnsConnection: false);
        }

        await db.Database.UseTransactionAsync(group.Transaction, CancellationToken.None);
        // A failed write is undone by the gate (the whole transaction, or this writer's savepoint), never retried in
        // place, so EF's own savepoint around every SaveChanges would be two statements for nothing.
        db.Database.AutoSavepointsEnabled = false;
        if (starts)
        {
            await OnGroupStartedAsync(db, cancellationToken);
        }
        else
        {
            await group.Transaction.SaveAsync(Savepoint, CancellationToken.None);
            scope.HasSavepoint = true;
            if (group.Head is { } head)
            {
                // The chain head as the group's last committed writer left it, in this same transaction: no read.
                db.AuditChainHeads.Attach(new AuditChainHead { LastSequence = head.LastSequence, LastHash = head.LastHash });
            }
        }
    }

    /// <summary>The chain head the writer's context holds after its write, if it read or moved it.</summary>
    private static AuditChainHead? TrackedHead(TrialDbContext db)
    {
        // Its changes were saved and nothing changed since, so no need for the change detection Local would run.
        var detecting = db.ChangeTracker.AutoDetectChangesEnabled;
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            return db.AuditChainHeads.Local.FirstOrDefault(h => h.Id == AuditChainHead.SingletonId);
        }
        finally
        {
            db.ChangeTracker.AutoDetectChangesEnabled = detecting;
        }
    }

    internal async Task CommitAsync(WriteScope scope)
    {
        if (scope.Ended || scope.Group is not { } group)
        {
            throw new InvalidOperationException("The write is not in a transaction.");
        }

        scope.Ended = true;
        group.Writers++;
        if (TrackedHead(scope.Db) is { } head)
        {
            group.Head = (head.LastSequence, head.LastHash);
        }

        await PassOnAsync(scope);
        try
        {
            await group.Committed.Task;
        }
        finally
        {
            await OnLeftGroupAsync(scope);
        }
    }

    /// <summary>The writer ends without committing: what it wrote is undone, and the group goes on without it.</summary>
    internal async Task AbandonAsync(WriteScope scope)
    {
        scope.Ended = true;
        // The open group, whether or not this writer got as far as joining it.
        if (_group is { } group)
        {
            try
            {
                if (group.Writers == 0)
                {
                    // This writer began the group and nobody else has written in it: undo all of it.
                    _group = null;
                    await DisposeQuietlyAsync(group.Transaction, rollBack: true);
                }
                else if (scope.HasSavepoint)
                {
                    await group.Transaction.RollbackAsync(Savepoint);
                }
            }
            catch (Exception e)
            {
                // The transaction itself is broken (a lost connection): the writers before this one fail with it.
                _group = null;
                await DisposeQuietlyAsync(group.Transaction, rollBack: true);
                group.Committed.TrySetException(e);
            }
        }

        await PassOnAsync(scope);
        await OnLeftGroupAsync(scope);
    }

    /// <summary>
    /// Ends the holder's turn: the open group goes on if another writer waits for its turn (and the group has room),
    /// otherwise it commits now. Every way out of a turn comes here, so an open group always has a writer to end it.
    /// </summary>
    private async Task PassOnAsync(WriteScope scope)
    {
        WriteGroup? finished = null;
        Exception? failure = null;
        try
        {
            if (_group is { } open && (open.Writers >= MaxGroupSize || Volatile.Read(ref _waiting) == 0))
            {
                _group = null;
                finished = open;
                try
                {
                    await open.Transaction.CommitAsync(CancellationToken.None); // its writers are owed an answer either way
                }
                catch (Exception e)
                {
                    failure = e;
                }

                await DisposeQuietlyAsync(open.Transaction, rollBack: false);
            }
        }
        finally
        {
            try
            {
                await LeaveAsync(scope);
            }
            finally
            {
                _lock.Release();
                if (failure is not null)
                {
                    finished?.Committed.TrySetException(failure);
                }
                else
                {
                    finished?.Committed.TrySetResult();
                }
            }
        }
    }

    /// <summary>The writer's context lets go of the group's transaction and gets its own connection back.</summary>
    private static async ValueTask LeaveAsync(WriteScope scope)
    {
        var database = scope.Db.Database;
        if (database.CurrentTransaction is { } joined)
        {
            // Disposing EF's handle on a transaction it did not begin leaves the transaction alone, and undoes the
            // connection open that joining it counted (forgetting it with UseTransaction(null) would not).
            await joined.DisposeAsync();
        }

        database.AutoSavepointsEnabled = true;

        if (scope.LentConnectionString is { } connectionString)
        {
            database.SetDbConnection(null);
            database.SetConnectionString(connectionString);
            scope.LentConnectionString = null;
        }
    }

    private static async Task DisposeQuietlyAsync(DbTransaction transaction, bool rollBack)
    {
        try
        {
            if (rollBack)
            {
                await transaction.RollbackAsync(CancellationToken.None);
            }
        }
        catch (Exception)
        {
            // Rolling back a transaction whose connection is gone fails too; disposing it below is what matters.
        }

        try
        {
            await transaction.DisposeAsync();
        }
        catch (Exception)
        {
            // Likewise: a broken connection's transaction is gone with it.
        }
    }

    /// <summary>Begins the transaction a group of writers shares, on a connection that outlives each of them.</summary>
    protected abstract Task<WriteGroup> StartGroupAsync(TrialDbContext db, CancellationToken cancellationToken);

    /// <summary>Runs in the group's first writer once it has joined, e.g. to take locks the whole group needs.</summary>
    protected virtual Task OnGroupStartedAsync(TrialDbContext db, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs in every writer once its group has ended (committed, failed or rolled back).</summary>
    protected virtual ValueTask OnLeftGroupAsync(WriteScope scope) => ValueTask.CompletedTask;

    internal sealed class WriteGroup(DbConnection connection, DbTransaction transaction, TrialDbContext? connectionOwner)
    {
        public DbConnection Connection { get; } = connection;
        public DbTransaction Transaction { get; } = transaction;

        /// <summary>The writer whose own connection the group runs on (server databases); null when the gate keeps one.</summary>
        public TrialDbContext? ConnectionOwner { get; } = connectionOwner;

        /// <summary>The audit chain head as the last writer to finish left it, once one has read it.</summary>
        public (long LastSequence, string LastHash)? Head { get; set; }

        /// <summary>Writers that finished and wait for the commit; changed only by the lock holder.</summary>
        public int Writers { get; set; }

        public TaskCompletionSource Committed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
