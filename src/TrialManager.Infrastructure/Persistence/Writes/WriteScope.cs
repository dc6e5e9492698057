using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using TrialManager.Infrastructure.Auditing;

namespace TrialManager.Infrastructure.Persistence.Writes;

/// <summary>One command's turn at the gate: commit it, or dispose it uncommitted to undo what it wrote.</summary>
public sealed class WriteScope : IAsyncDisposable
{
    private readonly GroupCommitGate _gate;

    internal WriteScope(GroupCommitGate gate, TrialDbContext db)
    {
        _gate = gate;
        Db = db;
    }

    internal TrialDbContext Db { get; }
    internal GroupCommitGate.WriteGroup? Group { get; set; }
    internal string? LentConnectionString { get; set; }
    internal bool HasSavepoint { get; set; }
    internal bool Ended { get; set; }

    /// <summary>Returns once this command's writes are committed (with those of the group it joined).</summary>
    public Task CommitAsync(CancellationToken cancellationToken) => _gate.CommitAsync(this);

    public async ValueTask DisposeAsync()
    {
        if (!Ended)
        {
            await _gate.AbandonAsync(this);
        }
    }
}
