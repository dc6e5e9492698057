using Mediator;

namespace TrialManager.Server.Common;

/// <summary>
/// Innermost behaviour for commands: after the handler ran, the changes it made (read from the change tracker)
/// become one audit event in the same transaction. Commands that changed nothing leave no event.
/// </summary>
public sealed class AuditBehavior<TMessage, TResponse>(AuditTrail trail) : IPipelineBehavior<TMessage, TResponse>
    where TMessage : IBaseCommand
{
    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        var response = await next(message, cancellationToken);
        await trail.RecordChangesAsync(typeof(TMessage).Name, (message as IAuditedCommand)?.AuditTrialId, cancellationToken);
        return response;
    }
}

/// <summary>Commands that belong to a trial say which, so the trail can be filtered by trial.</summary>
public interface IAuditedCommand
{
    string? AuditTrialId { get; }
}
