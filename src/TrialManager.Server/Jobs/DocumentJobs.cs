using Hangfire;
using TrialManager.Infrastructure.Documents;
using TrialManager.Server.Common;

namespace TrialManager.Server.Jobs;

/// <summary>Enqueues document work (and notifications, the other outbox). Jobs take ids, never entities, and each sends one request.</summary>
public sealed class DocumentJobs(IBackgroundJobClient jobs, LowPriorityWork background, ReportSchedule schedule, ILogger<DocumentJobs> logger)
    : IOwedWork
{
    void IOwedWork.ProtocolDocument(string participantId) => EnqueueProtocolDocumentInBackground(participantId);

    void IOwedWork.Report(Guid reportId) => EnqueueReport(reportId);

    void IOwedWork.Notification(Guid notificationId) => EnqueueNotification(notificationId);

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

    public void EnqueueNotification(Guid notificationId) =>
        jobs.Enqueue<NotificationJob>(j => j.RunAsync(notificationId, CancellationToken.None));
}
