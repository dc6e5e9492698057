using Mediator;
using TrialManager.Infrastructure.Persistence;

namespace TrialManager.Server.Common;

/// <summary>
/// Every command runs in one write transaction: the gate serialises writers, the handler changes tracked
/// entities, the audit behaviour inside appends its event, and all of it commits together or not at all.
/// </summary>
public sealed class TransactionBehavior<TMessage, TResponse>(
    TrialDbContext db, WriteTransaction transaction, AfterCommit afterCommit, ILogger<TransactionBehavior<TMessage, TResponse>> logger)
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
            // A two-phase command's handler reads first; its base class enters between the phases.
            if (message is not IReadsBeforeWriteGate)
            {
                await transaction.EnterAsync(cancellationToken);
            }

            response = await next(message, cancellationToken);
            if (!transaction.Entered)
            {
                // The handler answered from its reads alone (a repeat). Writing outside the gate would break the
                // audit chain's order, so a handler that changed something without entering is a bug, not a write.
                if (db.ChangeTracker.HasChanges())
                {
                    throw new InvalidOperationException($"{typeof(TMessage).Name} changed entities without entering the write transaction.");
                }

                return response;
            }

            await DerivedState.TrackAsync(db, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        finally
        {
            await transaction.EndAsync();
            db.ChangeTracker.Clear();
        }

        afterCommit.Run(logger);
        return response;
    }
}
