using Hangfire;
using Mediator;
using TrialManager.Infrastructure.Documents;
using TrialManager.Server.Common;
using TrialManager.Server.Features.Documents;

namespace TrialManager.Server.Jobs;

/// <summary>Enqueues document work. Jobs take ids, never entities, and each sends one request.</summary>
public sealed class DocumentJobs(IBackgroundJobClient jobs, LowPriorityWork background, ReportSchedule schedule, ILogger<DocumentJobs> logger)
    : IOwedWork
{
    void IOwedWork.ProtocolDocument(string participantId) => EnqueueProtocolDocumentInBackground(participantId);

    void IOwedWork.Report(Guid reportId) => EnqueueReport(reportId);

    void IOwedWork.ScheduleReports(string trialId, bool recruiting) => schedule.Apply(trialId, recruiting);

    public void EnqueueProtocolDocument(string participantId) =>
        jobs.Enqueue<ProtocolDocumentJob>(j => j.RunAsync(participantId, CancellationToken.None));

    /// <summary>
    /// Enqueues from a background-priority thread: building and storing a Hangfire job costs a randomization about
    /// a fifth of its CPU, which the coordinator waiting for the allocation need not pay. The owed row is already
    /// committed, so a job lost here (a crash, storage down) is enqueued again by the owed-work sweep.
    /// </summary>
    public void EnqueueProtocolDocumentInBackground(string participantId) => background.Post(() =>
    {
        try
        {
            EnqueueProtocolDocument(participantId);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not enqueue the protocol document of {ParticipantId}; the owed-work sweep will.", participantId);
        }
    });

    public void EnqueueReport(Guid reportId) =>
        jobs.Enqueue<ReportJob>(j => j.RunAsync(reportId, CancellationToken.None));
}

/// <summary>Renders a participant's protocol document. Idempotent; retried with backoff on failure.</summary>
[AutomaticRetry(Attempts = 5, DelaysInSeconds = [2, 10, 30, 120, 600])]
public sealed class ProtocolDocumentJob(ISender sender)
{
    public async Task RunAsync(string participantId, CancellationToken cancellationToken) =>
        await sender.Send(new GenerateProtocolDocument(participantId), cancellationToken);
}

/// <summary>Renders an ethics-board report. Idempotent; retried with backoff on failure.</summary>
[AutomaticRetry(Attempts = 5, DelaysInSeconds = [2, 10, 30, 120, 600])]
public sealed class ReportJob(ISender sender)
{
    public async Task RunAsync(Guid reportId, CancellationToken cancellationToken) =>
        await sender.Send(new GenerateReport(reportId), cancellationToken);
}

/// <summary>The scheduled ethics report of one recruiting trial: requests it like a person would.</summary>
public sealed class ScheduledReportJob(ISender sender)
{
    public async Task RunAsync(string trialId, CancellationToken cancellationToken) =>
        await sender.Send(new RequestReport(trialId, "ethicsProgress", Scheduled: true), cancellationToken);
}

/// <summary>One recurring ethics report per recruiting trial; the cron comes from configuration (default monthly).</summary>
public sealed class ReportSchedule(IRecurringJobManager recurring, IConfiguration configuration)
{
    public const string DefaultCron = "0 6 1 * *";

    public string Cron => configuration["TrialManager:Reports:EthicsProgressCron"] is { Length: > 0 } cron ? cron : DefaultCron;

    public static string JobId(string trialId) => $"ethics-progress:{trialId}";

    public void Apply(string trialId, bool recruiting)
    {
        if (recruiting)
        {
            recurring.AddOrUpdate<ScheduledReportJob>(JobId(trialId), j => j.RunAsync(trialId, CancellationToken.None), Cron,
                new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
        }
        else
        {
            recurring.RemoveIfExists(JobId(trialId));
        }
    }
}
