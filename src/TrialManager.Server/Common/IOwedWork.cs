namespace TrialManager.Server.Common;

/// <summary>
/// Background work a command owes once it has committed; its outbox row (a queued document or report) is already
/// written, this only hands it on. The features owe the work and <c>Jobs/</c> does it by sending the features' own
/// commands, so the features know this and not the jobs.
/// </summary>
public interface IOwedWork
{
    /// <summary>A randomized participant's protocol document, enqueued off the request's thread.</summary>
    void ProtocolDocument(string participantId);

    void Report(Guid reportId);

    /// <summary>A notification's outbox row (an e-mail or a webhook), sent by a job with retries.</summary>
    void Notification(Guid notificationId);

    /// <summary>A recruiting trial gets its recurring ethics report; any other loses it.</summary>
    void ScheduleReports(string trialId, bool recruiting);
}
