using Mediator;
using TrialManager.Server.Common;

namespace TrialManager.Server.Security;

/// <summary>Appends one security event to the chain inside the usual write transaction; by the caller unless an actor is named.</summary>
public sealed record RecordSecurityEvent(string Action, string Changes, Actor? Actor = null) : ICommand<Unit>;

public sealed class RecordSecurityEventHandler(AuditTrail trail) : ICommandHandler<RecordSecurityEvent, Unit>
{
    public async ValueTask<Unit> Handle(RecordSecurityEvent command, CancellationToken cancellationToken)
    {
        await trail.AppendAsync(command.Action, null, "Security", null, command.Changes, cancellationToken, command.Actor);
        return Unit.Value;
    }
}
