using Hangfire;
using Mediator;
using TrialManager.Server.Features.Notifications;

namespace TrialManager.Server.Jobs;

/// <summary>
/// Sends one notification. Idempotent (a sent row is skipped); retried with backoff over about a day, and a row still
/// unsent after that is enqueued again by the next start's sweep.
/// </summary>
[AutomaticRetry(Attempts = 10, DelaysInSeconds = [2, 10, 30, 60, 300, 900, 1800, 3600, 7200, 14400])]
public sealed class NotificationJob(ISender sender)
{
    public async Task RunAsync(Guid notificationId, CancellationToken cancellationToken) =>
        await sender.Send(new SendNotification(notificationId), cancellationToken);
}
