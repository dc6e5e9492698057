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
        var action = (message as INamedAuditAction)?.AuditAction ?? typeof(TMessage).Name;
        await trail.RecordChangesAsync(action, (message as IAuditedCommand)?.AuditTrialId, cancellationToken);
        return response;
    }
}

/// <summary>
/// A command shared by several kinds of record names its event by the kind ("StartReport", "StartProtocolDocument"):
/// the trail's action names stay those the readers of the trail know. Every other command's event is its type's name.
/// </summary>
public interface INamedAuditAction
{
    string AuditAction { get; }
}

/// <summary>Commands that belong to a trial say which, so the trail can be filtered by trial.</summary>
public interface IAuditedCommand
{
    string? AuditTrialId { get; }
}
