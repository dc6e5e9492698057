using Mediator;
using TrialManager.Infrastructure.Persistence.Writes;
using TrialManager.Infrastructure.Persistence;

namespace TrialManager.Server.Common;

/// <summary>
/// The current command's write transaction, entered through the write gate. Only the pipeline enters it: the
/// transaction behaviour before the handler runs, or, for a command marked <see cref="IReadsBeforeWriteGate"/>,
/// <see cref="TwoPhaseCommandHandler{TCommand, TPrepared, TResponse}"/> between its two phases.
/// </summary>
public sealed class WriteTransaction(TrialDbContext db, IWriteGate gate)
{
    private WriteScope? _scope;

    public bool Entered => _scope is not null;

    internal async Task EnterAsync(CancellationToken cancellationToken) => _scope ??= await gate.BeginAsync(db, cancellationToken);

    internal Task CommitAsync(CancellationToken cancellationToken) =>
        (_scope ?? throw new InvalidOperationException("The write transaction was never entered.")).CommitAsync(cancellationToken);

    internal async ValueTask EndAsync()
    {
        if (_scope is { } scope)
        {
            _scope = null;
            await scope.DisposeAsync();
        }
    }
}

/// <summary>
/// A command whose handler reads before the write gate, in parallel with other requests, so that the serialised part
/// stays short. Its handler is a <see cref="TwoPhaseCommandHandler{TCommand, TPrepared, TResponse}"/> (an
/// architecture test holds the two together).
/// </summary>
public interface IReadsBeforeWriteGate;

/// <summary>What the first phase found: either the answer already (nothing to write: a repeat) or what to apply.</summary>
public readonly record struct Prepared<TPrepared, TResponse>(TPrepared? Value, TResponse? Answer, bool Answered)
{
    public static Prepared<TPrepared, TResponse> Apply(TPrepared value) => new(value, default, false);

    public static Prepared<TPrepared, TResponse> AnswerWith(TResponse answer) => new(default, answer, true);
}

/// <summary>
/// The one shape for handlers that read before the gate: <see cref="PrepareAsync"/> runs outside it (reads only; a
/// change there fails the command), the pipeline then enters the write transaction, and <see cref="ApplyAsync"/>
/// runs inside it, where it must re-check whatever another writer could have changed since the reads.
/// </summary>
public abstract class TwoPhaseCommandHandler<TCommand, TPrepared, TResponse>(WriteTransaction transaction) : ICommandHandler<TCommand, TResponse>
    where TCommand : ICommand<TResponse>, IReadsBeforeWriteGate
{
    public async ValueTask<TResponse> Handle(TCommand command, CancellationToken cancellationToken)
    {
        var prepared = await PrepareAsync(command, cancellationToken);
        if (prepared.Answered)
        {
            return prepared.Answer!;
        }

        await transaction.EnterAsync(cancellationToken);
        return await ApplyAsync(command, prepared.Value!, cancellationToken);
    }

    /// <summary>Outside the write gate: read what the write needs, or answer without writing.</summary>
    protected abstract ValueTask<Prepared<TPrepared, TResponse>> PrepareAsync(TCommand command, CancellationToken cancellationToken);

    /// <summary>Inside the write gate: re-check what the reads assumed, then change tracked entities.</summary>
    protected abstract ValueTask<TResponse> ApplyAsync(TCommand command, TPrepared prepared, CancellationToken cancellationToken);
}
