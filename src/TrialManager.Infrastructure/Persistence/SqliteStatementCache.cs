using System.Data;
using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace TrialManager.Infrastructure.Persistence;

/// <summary>
/// Keeps compiled SQLite statements for the write connection. EF Core makes a new command for every execution and
/// Microsoft.Data.Sqlite keeps a command's compiled statements only for that command's life, so every statement of
/// every write was parsed and planned again, inside the write gate, where nothing else can run. On a connection
/// that stays open (the write gate's own), this interceptor swaps EF's fresh command for a kept one with the same
/// text, whose compiled statements are reused; other connections are left alone.
/// </summary>
internal sealed class SqliteStatementCache : DbCommandInterceptor
{
    public static readonly SqliteStatementCache Instance = new();

    // Bounded: commands built from data (an IN list of n values) would otherwise grow it without end.
    internal const int MaxStatements = 200;

    private static readonly ConditionalWeakTable<SqliteConnection, Statements> Caches = [];

    /// <summary>Caches statements for a connection that stays open until <see cref="Release"/>.</summary>
    public static void Enable(SqliteConnection connection) => Caches.AddOrUpdate(connection, new Statements());

    /// <summary>Frees the compiled statements; call before closing the connection.</summary>
    public static void Release(SqliteConnection connection)
    {
        if (Caches.TryGetValue(connection, out var statements))
        {
            Caches.Remove(connection);
            statements.Dispose();
        }
    }

    /// <summary>How many compiled commands the connection keeps (for tests).</summary>
    public static int CountFor(SqliteConnection connection) => Caches.TryGetValue(connection, out var s) ? s.Count : 0;

    public override DbCommand CommandInitialized(CommandEndEventData eventData, DbCommand result) =>
        result is SqliteCommand { Connection: { } connection } created && Caches.TryGetValue(connection, out var statements)
            ? statements.Rent(created)
            : result;

    private sealed class Statements : IDisposable
    {
        private readonly Dictionary<string, KeptCommand> _byText = new(StringComparer.Ordinal);

        public int Count
        {
            get
            {
                lock (_byText)
                {
                    return _byText.Count;
                }
            }
        }

        public DbCommand Rent(SqliteCommand created)
        {
            KeptCommand? kept;
            lock (_byText)
            {
                if (!_byText.TryGetValue(created.CommandText, out kept))
                {
                    if (_byText.Count >= MaxStatements)
                    {
                        return created;
                    }

                    kept = new KeptCommand { Connection = created.Connection, CommandText = created.CommandText };
                    _byText.Add(created.CommandText, kept);
                }

                if (kept.InUse)
                {
                    return created; // the same text run again while its reader is open: compile a second copy
                }

                kept.InUse = true;
            }

            kept.Transaction = created.Transaction;
            kept.CommandTimeout = created.CommandTimeout;
            foreach (SqliteParameter parameter in created.Parameters)
            {
                kept.Parameters.Add(parameter);
            }

            created.Parameters.Clear();
            created.Dispose();
            return kept;
        }

        public void Dispose()
        {
            lock (_byText)
            {
                foreach (var kept in _byText.Values)
                {
                    kept.Evict();
                }

                _byText.Clear();
            }
        }
    }

    /// <summary>A command whose Dispose (EF disposes every command it ran) only makes it ready for the next use.</summary>
    private sealed class KeptCommand : SqliteCommand
    {
        private bool _evicted;

        public bool InUse { get; set; }

        public void Evict()
        {
            _evicted = true;
            Dispose();
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing && !_evicted && Connection?.State == ConnectionState.Open)
            {
                Parameters.Clear();
                Transaction = null;
                InUse = false;
                return;
            }

            base.Dispose(disposing);
        }
    }
}
