using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace TrialManager.Infrastructure.Persistence.Writes;

internal sealed class SqliteWriteGate(DbContextOptions<TrialDbContext> options) : GroupCommitGate, IDisposable
{
    // Every write runs on this one connection, opened once and kept: its statements stay compiled between commands
    // (SqliteStatementCache). A context of its own creates and opens it, so EF's SQL functions and our pragmas apply.
    private TrialDbContext? _owner;
    private SqliteConnection? _connection;

    protected override async Task<WriteGroup> StartGroupAsync(TrialDbContext db, CancellationToken cancellationToken)
    {
        var connection = _connection ??= await OpenAsync(cancellationToken);
        return new WriteGroup(connection, await connection.BeginTransactionAsync(cancellationToken), connectionOwner: null);
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var owner = new TrialDbContext(options);
        try
        {
            await owner.Database.OpenConnectionAsync(cancellationToken);
        }
        catch
        {
            await owner.DisposeAsync();
            throw;
        }

        _owner = owner;
        var connection = (SqliteConnection)owner.Database.GetDbConnection();
        SqliteStatementCache.Enable(connection);
        return connection;
    }

    public void Dispose()
    {
        if (_connection is not null)
        {
            SqliteStatementCache.Release(_connection);
            _connection = null;
        }

        _owner?.Dispose(); // closes the connection
        _owner = null;
    }
}
