using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using TrialManager.Infrastructure.Auditing;

namespace TrialManager.Infrastructure.Persistence.Writes;

/// <summary>
/// Server databases: a group runs on its first writer's own (pooled) connection, and begins by locking the audit
/// chain head row, which orders writers across server instances. Writers of this process queue in the gate before
/// they touch the database: queueing on the row lock instead held one connection per waiting request, so a few
/// hundred concurrent commands exhausted the pool (503s).
/// </summary>
internal sealed class RowLockWriteGate(DatabaseProvider provider) : GroupCommitGate
{
    protected override async Task<WriteGroup> StartGroupAsync(TrialDbContext db, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var connection = db.Database.GetDbConnection();
            return new WriteGroup(connection, await connection.BeginTransactionAsync(cancellationToken), connectionOwner: db);
        }
        catch
        {
            await db.Database.CloseConnectionAsync();
            throw;
        }
    }

    protected override async Task OnGroupStartedAsync(TrialDbContext db, CancellationToken cancellationToken)
    {
        // Tracked, so the first writer's audit event needs no second read of the head; later writers of the group
        // are handed it by the gate (see JoinAsync), the lock already held by this transaction.
        var head = provider == DatabaseProvider.PostgreSql
            ? db.AuditChainHeads.FromSqlInterpolated($"""SELECT * FROM "AuditChainHead" WHERE "Id" = {AuditChainHead.SingletonId} FOR UPDATE""")
            : db.AuditChainHeads.FromSqlInterpolated($"SELECT * FROM [AuditChainHead] WITH (UPDLOCK, HOLDLOCK) WHERE [Id] = {AuditChainHead.SingletonId}");
        await head.AsTracking().SingleAsync(cancellationToken);
    }

    protected override async ValueTask OnLeftGroupAsync(WriteScope scope)
    {
        // The group ran on this writer's connection, opened by the gate; the group is over, so close it (to the pool).
        if (ReferenceEquals(scope.Group?.ConnectionOwner, scope.Db))
        {
            await scope.Db.Database.CloseConnectionAsync();
        }
    }
}
