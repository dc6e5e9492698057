using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using TrialManager.Infrastructure.Auditing;

namespace TrialManager.Infrastructure.Persistence.Writes;

/// <summary>
/// Serialises write transactions. Every command appends to the one audit hash chain, so writers take turns:
/// on SQLite (one process, one writer) with an in-process lock, on server databases with a row lock on the
/// chain head that every server instance respects (queueing in process first, so waiters hold no connection).
/// Readers never wait.
/// </summary>
public interface IWriteGate
{
    Task<WriteScope> BeginAsync(TrialDbContext db, CancellationToken cancellationToken);
}
