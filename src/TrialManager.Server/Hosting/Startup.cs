using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Auditing;
using TrialManager.Infrastructure.Documents;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;
using TrialManager.Server.Features.Audit;
using TrialManager.Server.Jobs;
using TrialManager.Server.Security;

namespace TrialManager.Server.Hosting;

public static class Startup
{
    /// <summary>
    /// First thing after Build: bring the schema up to date (or refuse to start on an outdated server database).
    /// It runs before the pipeline is mapped, because mapping the job dashboard opens the job storage, which on a
    /// server database lives in the very database the migrations may still have to create.
    /// </summary>
    public static async Task EnsureSchemaAsync(this WebApplication app, CancellationToken cancellationToken = default)
    {
        var settings = app.Services.GetRequiredService<DatabaseSettings>();
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TrialDbContext>();
        if (settings.MigrateOnStart)
        {
            await DatabaseSetup.MigrateAsync(db, settings, cancellationToken);
        }
        else if ((await db.Database.GetPendingMigrationsAsync(cancellationToken)).Any())
        {
            throw new InvalidOperationException(
                "The database schema is behind this server version. Apply the migrations first: " +
                "`dotnet run --project src/TrialManager.Server -- migrate` (or the idempotent script, see README).");
        }
    }

    /// <summary>
    /// Before serving: re-enqueue every document and report still owed (the outbox rows), so nothing is lost across
    /// a crash or a lost enqueue, sweep the temporary files of writes a crash cut short, and put every recruiting
    /// trial on the report schedule.
    /// </summary>
    public static async Task PrepareAsync(this WebApplication app, CancellationToken cancellationToken = default)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("TrialManager.Startup");
        var settings = app.Services.GetRequiredService<DatabaseSettings>();
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TrialDbContext>();

        var key = app.Services.GetRequiredService<AuditKey>();
        if (key.Generated)
        {
            logger.LogWarning("Generated the audit chain's key in {Path}. Back it up apart from the database, or better, configure {Setting}.", key.Source, AuditKey.Setting);
        }

        if (await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new SealAuditChain(), cancellationToken))
        {
            logger.LogWarning("The audit chain ended on events written before it was keyed; a keyed event now seals them.");
        }

        // Once after the S11NextDue migration: the due list's next-due dates it could not compute in SQL.
        var nextDues = await NextDues.RecomputeAsync(db, db.Participants.Where(p => p.NextDue == NextDues.Unknown), cancellationToken);
        if (nextDues > 0)
        {
            logger.LogInformation("Computed the next-due date of {Count} followed participants.", nextDues);
        }

        var (owedDocuments, owedReports, owedNotifications) = await OwedWorkSweeper.EnqueueOwedAsync(
            db, scope.ServiceProvider.GetRequiredService<DocumentJobs>(), owedBefore: null, cancellationToken);

        var schedule = scope.ServiceProvider.GetRequiredService<ReportSchedule>();
        var recruiting = await db.Trials.AsNoTracking().Where(t => t.Status == TrialStatus.Recruiting).Select(t => t.Id).ToListAsync(cancellationToken);
        recruiting.ForEach(id => schedule.Apply(id, recruiting: true));

        var abandoned = app.Services.GetRequiredService<DocumentStore>().RemoveAbandonedWrites(
            TimeSpan.FromHours(1), app.Services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime);
        if (abandoned > 0)
        {
            logger.LogWarning("Removed {Count} unfinished document writes left by an earlier crash.", abandoned);
        }

        var paths = app.Services.GetRequiredService<DataPaths>();
        logger.LogInformation(
            "Database: {Provider}{Location}. Re-enqueued {Documents} owed documents, {Reports} owed reports and {Notifications} owed notifications; {Trials} trials on the report schedule ({Cron}).",
            settings.Provider,
            settings.Provider == DatabaseProvider.Sqlite ? $" in {paths.DataDirectory}" : string.Empty,
            owedDocuments, owedReports, owedNotifications, recruiting.Count, schedule.Cron);
        if (app.Environment.IsDevelopment())
        {
            logger.LogInformation("Development demo API keys (header X-Api-Key, or sign in to the pages with them): {Keys}",
                string.Join(", ", ApiKeyStore.DemoKeys.Select(k => $"{k.Key} ({k.Role})")));
        }

        app.Lifetime.ApplicationStarted.Register(() =>
            logger.LogInformation("TrialManager is listening on {Urls}. Open {Url}/ in a browser to sign in; API reference at /docs, job dashboard at /jobs (admin).",
                string.Join(", ", app.Urls), app.Urls.FirstOrDefault()?.TrimEnd('/') ?? "http://127.0.0.1:5080"));
    }

    /// <summary>The `migrate` verb: apply migrations to the configured database and exit.</summary>
    public static async Task MigrateAsync(this WebApplication app, CancellationToken cancellationToken = default)
    {
        var settings = app.Services.GetRequiredService<DatabaseSettings>();
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TrialDbContext>();
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        await DatabaseSetup.MigrateAsync(db, settings, cancellationToken);
        app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("TrialManager.Migrate")
            .LogInformation("Applied {Count} migrations to the {Provider} database: {Names}", pending.Count, settings.Provider,
                pending.Count == 0 ? "none pending" : string.Join(", ", pending));
    }
}
