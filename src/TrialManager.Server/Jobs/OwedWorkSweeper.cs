using Hangfire;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Documents;
using TrialManager.Domain.Notifications;
using TrialManager.Infrastructure.Persistence;

namespace TrialManager.Server.Jobs;

/// <summary>
/// Re-enqueues documents, reports and notifications still owed (their outbox rows). On start, all of them. While running, those
/// queued or running for longer than one interval while Hangfire's queue is empty: their job was lost, fetched
/// by a process that died or during a database outage, when the job storage hides it for its invisibility
/// timeout (30 minutes on PostgreSQL). Jobs are idempotent, so an extra one costs a look-up. Failed rows are
/// left to Hangfire's retries, which would otherwise be multiplied.
/// </summary>
public sealed class OwedWorkSweeper(IServiceScopeFactory scopes, JobStorage storage, TimeProvider clock, ILogger<OwedWorkSweeper> logger)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    /// <summary>Enqueues every owed row (owedBefore null) or the queued and running ones owed since before it.</summary>
    public static async Task<(int Documents, int Reports, int Notifications)> EnqueueOwedAsync(
        TrialDbContext db, DocumentJobs jobs, DateTimeOffset? owedBefore, CancellationToken cancellationToken)
    {
        // Filtered in SQL on every provider (instants compare in the database, SQLite included).
        var documents = db.ProtocolDocuments.AsNoTracking().Where(d => d.Status != DocumentStatus.Ready);
        var reports = db.Reports.AsNoTracking().Where(r => r.Status != DocumentStatus.Ready);
        var notifications = db.Notifications.AsNoTracking().Where(n => n.Status != NotificationStatus.Sent);
        if (owedBefore is { } before)
        {
            documents = documents.Where(d => (d.Status == DocumentStatus.Queued || d.Status == DocumentStatus.Running) && d.RequestedAt < before);
            reports = reports.Where(r => (r.Status == DocumentStatus.Queued || r.Status == DocumentStatus.Running) && r.CreatedAt < before);
            notifications = notifications.Where(n => n.Status == NotificationStatus.Queued && n.CreatedAt < before);
        }

        var documentIds = await documents.Select(d => d.ParticipantId).ToListAsync(cancellationToken);
        var reportIds = await reports.Select(r => r.Id).ToListAsync(cancellationToken);
        var notificationIds = await notifications.Select(n => n.Id).ToListAsync(cancellationToken);
        documentIds.ForEach(jobs.EnqueueProtocolDocument);
        reportIds.ForEach(jobs.EnqueueReport);
        notificationIds.ForEach(jobs.EnqueueNotification);
        return (documentIds.Count, reportIds.Count, notificationIds.Count);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                if (storage.GetMonitoringApi().EnqueuedCount("default") > 0)
                {
                    continue;
                }

                await using var scope = scopes.CreateAsyncScope();
                var (documents, reports, notifications) = await EnqueueOwedAsync(
                    scope.ServiceProvider.GetRequiredService<TrialDbContext>(), scope.ServiceProvider.GetRequiredService<DocumentJobs>(),
                    clock.GetUtcNow() - Interval, stoppingToken);
                if (documents + reports + notifications > 0)
                {
                    logger.LogWarning("Re-enqueued {Documents} documents, {Reports} reports and {Notifications} notifications whose jobs were lost.",
                        documents, reports, notifications);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The database or the job storage is unavailable: try again at the next tick.
                logger.LogWarning("The owed-work sweep could not run ({Error}); it tries again in {Interval}.", e.Message, Interval);
            }
        }
    }
}
