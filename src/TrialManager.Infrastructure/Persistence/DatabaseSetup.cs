using System.Runtime.CompilerServices;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using TrialManager.Infrastructure.Persistence.Writes;

namespace TrialManager.Infrastructure.Persistence;

public enum DatabaseProvider
{
    Sqlite,
    SqlServer,
    PostgreSql,
}

/// <summary>
/// Where the server keeps everything it writes, resolved from configuration here and nowhere else: one folder is one
/// backup (TrialManager:DataDirectory, ./data by default), the documents inside it unless TrialManager:Documents:Path
/// puts them elsewhere (a shared volume when several servers run).
/// </summary>
public sealed record DataPaths(string DataDirectory, string? DocumentsPath = null)
{
    public string SqliteFile => Path.Combine(DataDirectory, "trialmanager.db");

    public string DocumentsDirectory => DocumentsPath ?? Path.Combine(DataDirectory, "documents");

    public static DataPaths From(IConfiguration configuration) => new(
        Path.GetFullPath(configuration["TrialManager:DataDirectory"] is { Length: > 0 } dir ? dir : "data"),
        configuration["TrialManager:Documents:Path"] is { Length: > 0 } documents ? Path.GetFullPath(documents) : null);
}

/// <summary>
/// SQLite's <c>synchronous</c> in WAL mode. Normal: a commit survives a crash of the process, but the last commits
/// before a power loss or OS crash can vanish (the WAL is synced only at checkpoints). Full: the WAL is synced at
/// every commit, so an acknowledged allocation survives a power loss too.
/// </summary>
public enum SqliteSynchronous
{
    Normal,
    Full,
}

public sealed record DatabaseSettings(DatabaseProvider Provider, string ConnectionString, bool MigrateOnStart)
{
    /// <summary>Database:SqliteSynchronous; Full unless configured (an acknowledged allocation must not vanish).</summary>
    public SqliteSynchronous SqliteSynchronous { get; init; } = SqliteSynchronous.Full;

    public static DatabaseSettings From(IConfiguration configuration, DataPaths paths)
    {
        var providerName = configuration["Database:Provider"] is { Length: > 0 } p ? p : nameof(DatabaseProvider.Sqlite);
        if (!Enum.TryParse<DatabaseProvider>(providerName, ignoreCase: true, out var provider))
        {
            throw new InvalidOperationException(
                $"Database:Provider '{providerName}' is not one of Sqlite, SqlServer, PostgreSql.");
        }

        var connectionString = configuration.GetConnectionString("TrialManager");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            if (provider != DatabaseProvider.Sqlite)
            {
                throw new InvalidOperationException($"ConnectionStrings:TrialManager is required for the {provider} provider.");
            }

            connectionString = new SqliteConnectionStringBuilder { DataSource = paths.SqliteFile, DefaultTimeout = 30 }.ToString();
        }

        if (provider == DatabaseProvider.PostgreSql)
        {
            connectionString = WithStatementPreparation(connectionString);
        }

        // The embedded database is ours to create; a server database is migrated on start only when asked
        // (DBAs usually apply the idempotent script or run the `migrate` verb).
        var migrate = configuration.GetValue<bool?>("Database:MigrateOnStart") ?? provider == DatabaseProvider.Sqlite;
        var synchronousName = configuration["Database:SqliteSynchronous"] is { Length: > 0 } y ? y : nameof(SqliteSynchronous.Full);
        if (!Enum.TryParse<SqliteSynchronous>(synchronousName, ignoreCase: true, out var synchronous) || !Enum.IsDefined(synchronous))
        {
            throw new InvalidOperationException($"Database:SqliteSynchronous '{synchronousName}' is not one of Full, Normal.");
        }

        return new DatabaseSettings(provider, connectionString, migrate) { SqliteSynchronous = synchronous };
    }

    /// <summary>Statements prepared on the server after five uses, unless the connection string says otherwise.</summary>
    public const int DefaultMaxAutoPrepare = 64;

    /// <summary>
    /// Npgsql sends every statement as text to be parsed and planned again unless automatic preparation is on. The
    /// randomization runs the same few statements under the write gate, so that planning was most of the serialised
    /// time: 201-216 -> 290-315 randomizations/s in the load run. An explicit "Max Auto Prepare" (0 turns it off,
    /// e.g. behind a pooler that cannot keep prepared statements) is left as written.
    /// </summary>
    private static string WithStatementPreparation(string connectionString)
    {
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        if (given.ContainsKey("Max Auto Prepare") || given.ContainsKey("MaxAutoPrepare"))
        {
            return connectionString;
        }

        return new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { MaxAutoPrepare = DefaultMaxAutoPrepare }.ToString();
    }
}

public static class DatabaseSetup
{
    public static IServiceCollection AddTrialPersistence(this IServiceCollection services, DatabaseSettings settings)
    {
        services.AddSingleton(settings);
        // Pooled: a request's context is reset and reused instead of built, which every request would otherwise pay.
        services.AddDbContextPool<TrialDbContext>(options => Configure(options, settings));
        if (settings.Provider == DatabaseProvider.Sqlite)
        {
            services.AddSingleton<IWriteGate>(_ =>
            {
                var options = new DbContextOptionsBuilder<TrialDbContext>();
                Configure(options, settings);
                return new SqliteWriteGate(options.Options);
            });
        }
        else
        {
            services.AddSingleton<IWriteGate>(new RowLockWriteGate(settings.Provider));
        }
        return services;
    }

    // A participant is read with its ratings and events (owned collections): a handful of rows each, so one joined
    // query costs less than a round trip per collection. Said explicitly, EF stops warning about it on every start.
    private const QuerySplittingBehavior OneQuery = QuerySplittingBehavior.SingleQuery;

    public static void Configure(DbContextOptionsBuilder options, DatabaseSettings settings)
    {
        switch (settings.Provider)
        {
            case DatabaseProvider.Sqlite:
                options.UseSqlite(settings.ConnectionString, o => o.MigrationsAssembly("TrialManager.Migrations.Sqlite").UseQuerySplittingBehavior(OneQuery))
                    .AddInterceptors(SqlitePragmas.For(settings.SqliteSynchronous), SqliteStatementCache.Instance);
                break;
            case DatabaseProvider.SqlServer:
                options.UseSqlServer(settings.ConnectionString, o => o.MigrationsAssembly("TrialManager.Migrations.SqlServer").UseQuerySplittingBehavior(OneQuery));
                break;
            case DatabaseProvider.PostgreSql:
                options.UseNpgsql(settings.ConnectionString, o => o.MigrationsAssembly("TrialManager.Migrations.PostgreSql").UseQuerySplittingBehavior(OneQuery));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(settings), settings.Provider, null);
        }

        // Migrate would otherwise rebuild the snapshot model and diff it against the model on every start (about a
        // tenth of start-up); MigrationsTests fails the build instead when a provider's migrations lag the model.
        options.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
    }

    /// <summary>Creates the data folder and applies migrations; on SQLite also switches the file to WAL.</summary>
    public static async Task MigrateAsync(TrialDbContext db, DatabaseSettings settings, CancellationToken cancellationToken)
    {
        if (settings.Provider == DatabaseProvider.Sqlite)
        {
            var file = new SqliteConnectionStringBuilder(settings.ConnectionString).DataSource;
            if (Path.GetDirectoryName(Path.GetFullPath(file)) is { } folder)
            {
                Directory.CreateDirectory(folder);
            }
        }

        await db.Database.MigrateAsync(cancellationToken);
        if (settings.Provider == DatabaseProvider.Sqlite)
        {
            // WAL lets readers run beside the single writer; the setting is stored in the file.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
    }
}

/// <summary>
/// Per-connection SQLite settings: synchronous as configured (FULL by default, see <see cref="SqliteSynchronous"/>);
/// foreign keys are on by default in Microsoft.Data.Sqlite.
/// </summary>
internal sealed class SqlitePragmas : DbConnectionInterceptor
{
    private static readonly SqlitePragmas Full = new("PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000;");
    private static readonly SqlitePragmas Normal = new("PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;");

    private readonly string _pragmas;

    private SqlitePragmas(string pragmas) => _pragmas = pragmas;

    public static SqlitePragmas For(SqliteSynchronous synchronous) => synchronous == SqliteSynchronous.Normal ? Normal : Full;

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    // Pragmas belong to the native connection, which the pool keeps open across SqliteConnection.Open calls (and EF
    // opens one per query): apply them once per native handle, not on every open.
    private readonly ConditionalWeakTable<object, object> _applied = [];

    private void Apply(DbConnection connection)
    {
        if (connection is SqliteConnection { Handle: { } handle })
        {
            if (_applied.TryGetValue(handle, out _))
            {
                return;
            }

            _applied.AddOrUpdate(handle, handle);
        }

        using var command = connection.CreateCommand();
        command.CommandText = _pragmas;
        command.ExecuteNonQuery();
    }
}
