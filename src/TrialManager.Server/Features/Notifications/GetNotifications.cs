using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Notifications;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Notifications;

/// <summary>
/// One notification's delivery as an admin sees it. The target is the recipients of an e-mail, or only the scheme and
/// host of a webhook (its path or query may hold the receiver's token); the message itself names no arm.
/// </summary>
public sealed record NotificationView(
    Guid Id, NotificationKind Kind, Guid SubjectId, string Site, string StudyId, NotificationChannel Channel, string Target,
    NotificationStatus Status, DateTimeOffset CreatedAt, int Attempts, DateTimeOffset? LastAttemptAt, string? LastError, DateTimeOffset? SentAt)
{
    public static NotificationView From(Notification n) => new(
        n.Id, n.Kind, n.SubjectId, n.Message.Site, n.Message.StudyId, n.Channel,
        n.Channel == NotificationChannel.Webhook && Uri.TryCreate(n.Target, UriKind.Absolute, out var url) ? $"{url.Scheme}://{url.Authority}" : n.Target,
        n.Status, n.CreatedAt, n.Attempts, n.LastAttemptAt, n.LastError, n.SentAt);
}

/// <summary>GET /api/trials/{trialId}/notifications (admin): the trial's notifications and their delivery, newest first, paged.</summary>
public sealed record GetNotifications(string TrialId, PageRequest Page) : IQuery<Page<NotificationView>>;

public sealed class GetNotificationsHandler(TrialDbContext db) : IQueryHandler<GetNotifications, Page<NotificationView>>
{
    public async ValueTask<Page<NotificationView>> Handle(GetNotifications query, CancellationToken cancellationToken)
    {
        if (!await db.Trials.AnyAsync(t => t.Id == query.TrialId, cancellationToken))
        {
            throw new NotFoundException($"No trial with id {query.TrialId}.");
        }

        var notifications = db.Notifications.AsNoTracking().Where(n => n.TrialId == query.TrialId);
        if (query.Page.Key(2) is [var createdAt, var id])
        {
            var after = PageRequest.Instant(createdAt);
            var afterId = PageRequest.Id(id);
            notifications = notifications.Where(n => n.CreatedAt < after || (n.CreatedAt == after && n.Id.CompareTo(afterId) < 0));
        }

        var rows = await notifications.OrderByDescending(n => n.CreatedAt).ThenByDescending(n => n.Id).Take(query.Page.Limit + 1)
            .ToListAsync(cancellationToken);
        var page = Page<Notification>.From(rows, query.Page, n => PageRequest.Cursor(PageRequest.Text(n.CreatedAt), n.Id.ToString("D")));
        return new Page<NotificationView>([.. page.Items.Select(NotificationView.From)], page.Next);
    }
}
