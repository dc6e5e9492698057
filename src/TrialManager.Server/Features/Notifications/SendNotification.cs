using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Notifications;
using TrialManager.Infrastructure.Notifications;
using TrialManager.Infrastructure.Persistence;

namespace TrialManager.Server.Features.Notifications;

/// <summary>
/// The notification job's one request: send the row unless it was sent, then record the attempt. The sending is
/// outside any write transaction (a slow mail server holds no lock); a failure is recorded and thrown again, short
/// and without secrets, for Hangfire to retry.
/// </summary>
public sealed record SendNotification(Guid NotificationId) : IRequest;

public sealed class SendNotificationHandler(TrialDbContext db, NotificationSender notifications, ISender sender, ILogger<SendNotificationHandler> logger)
    : IRequestHandler<SendNotification>
{
    public async ValueTask<Unit> Handle(SendNotification request, CancellationToken cancellationToken)
    {
        var notification = await db.Notifications.AsNoTracking().SingleOrDefaultAsync(n => n.Id == request.NotificationId, cancellationToken);
        if (notification is null or { Status: NotificationStatus.Sent })
        {
            return Unit.Value;
        }

        try
        {
            await notifications.SendAsync(notification, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var reason = e is NotificationFailedException ? e.Message : $"{e.GetType().Name}: {e.Message}";
            logger.LogWarning("Notification {NotificationId} ({Channel}) failed: {Reason}; Hangfire retries it.", notification.Id, notification.Channel, reason);
            await sender.Send(new RecordNotificationAttempt(notification.Id, reason), cancellationToken);
            throw new NotificationFailedException(reason);
        }

        await sender.Send(new RecordNotificationAttempt(notification.Id, null), cancellationToken);
        return Unit.Value;
    }
}

/// <summary>The outcome of one attempt: sent (no error) or the short reason it failed.</summary>
public sealed record RecordNotificationAttempt(Guid NotificationId, string? Error) : ICommand;

public sealed class RecordNotificationAttemptHandler(TrialDbContext db, TimeProvider clock) : ICommandHandler<RecordNotificationAttempt>
{
    public async ValueTask<Unit> Handle(RecordNotificationAttempt command, CancellationToken cancellationToken)
    {
        var notification = await db.Notifications.SingleAsync(n => n.Id == command.NotificationId, cancellationToken);
        if (command.Error is { } error)
        {
            notification.RecordFailure(error, clock.GetUtcNow());
        }
        else
        {
            notification.RecordSent(clock.GetUtcNow());
        }

        return Unit.Value;
    }
}
