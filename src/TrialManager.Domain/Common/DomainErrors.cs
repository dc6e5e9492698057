namespace TrialManager.Domain.Common;

/// <summary>A rule of the domain refused the request; the message is safe to show to the client.</summary>
public abstract class DomainException(string message) : Exception(message);

/// <summary>The workflow does not allow this request in the current state (HTTP 409). The message names the state.</summary>
public sealed class WorkflowConflictException(string message) : DomainException(message);

/// <summary>The request is well-formed but breaks a rule about one field (HTTP 400 keyed by that field).</summary>
public sealed class DomainValidationException(string field, string message) : DomainException(message)
{
    public string Field { get; } = field;
}
