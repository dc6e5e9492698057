using Mediator;
using TrialManager.Infrastructure.Persistence;

namespace TrialManager.Server.Pipeline;

/// <summary>
/// Every command runs in one write transaction: the gate serialises writers, the handler changes tracked
/// entities, the audit behaviour inside appends its event, and all of it commits together or not at all.
/// </summary>
public sealed class TransactionBehavior<TMessage, TResponse>(
    TrialDbContext db, IWriteGate gate, AfterCommit afterCommit, ILogger<TransactionBehavior<TMessage, TResponse>> logger)
    : IPipelineBehavior<TMessage, TResponse>
    where TMessage : IBaseCommand
{
    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        // Each command sees the database as it is once the gate is held: entities tracked by an earlier command
        // in the same scope (a job sends several) would otherwise be stale, the audit chain head above all.
        db.ChangeTracker.Clear();
        TResponse response;
        try
        {
            await using var scope = await gate.BeginAsync(db, cancellationToken);
            response = await next(message, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await scope.CommitAsync(cancellationToken);
        }
        finally
        {
            db.ChangeTracker.Clear();
        }

        afterCommit.Run(logger);
        return response;
    }
}
