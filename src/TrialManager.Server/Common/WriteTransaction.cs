using TrialManager.Infrastructure.Persistence.Writes;
using TrialManager.Infrastructure.Persistence;

namespace TrialManager.Server.Common;

/// <summary>
/// The current command's write transaction, entered through the write gate. The transaction behaviour enters it
/// before the handler runs, except for commands marked <see cref="IReadsBeforeWriteGate"/>: their handlers read
/// first, outside the gate (in parallel with other requests), and enter it themselves before they change anything.
/// </summary>
public sealed class WriteTransaction(TrialDbContext db, IWriteGate gate)
{
    private WriteScope? _scope;

    public bool Entered => _scope is not null;

    public async Task EnterAsync(CancellationToken cancellationToken) => _scope ??= await gate.BeginAsync(db, cancellationToken);

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
/// A command whose handler does its reads before the write gate and calls <see cref="WriteTransaction.EnterAsync"/>
/// itself. Once inside, it must re-check whatever another writer could have changed since it read.
/// </summary>
public interface IReadsBeforeWriteGate;
