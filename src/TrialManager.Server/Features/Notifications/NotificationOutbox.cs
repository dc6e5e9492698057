using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Measures;
using TrialManager.Domain.Notifications;
using TrialManager.Domain.Participants;
using TrialManager.Infrastructure.Notifications;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Notifications;

/// <summary>
/// Writes a command's notifications as outbox rows in the command's own transaction, one per channel and target, and
/// hands them to the jobs once it has committed: a crash in between leaves rows the sweep enqueues on the next start.
/// With no channel configured it writes nothing; the cause (an alert) is still recorded and shown.
/// </summary>
public sealed class NotificationOutbox(TrialDbContext db, NotificationSettings settings, AfterCommit afterCommit, IOwedWork owedWork, TimeProvider clock)
{
    public string Link(string path) => settings.Link(path);

    public void Add(NotificationMessage message, IReadOnlyList<string> safetyContacts)
    {
        var now = clock.GetUtcNow();
        var rows = new List<Notification>();
        if (settings.EmailEnabled && safetyContacts.Count > 0)
        {
            rows.Add(Notification.Email(message, safetyContacts, now));
        }

        rows.AddRange(settings.WebhookUrls.Select(url => Notification.Webhook(message, url, now)));
        db.Notifications.AddRange(rows);
        foreach (var row in rows)
        {
            afterCommit.Add(() => owedWork.Notification(row.Id));
        }
    }

    /// <summary>
    /// Tells the trial's safety contacts of each alert just raised, whether by a new measure or a corrected one, in the
    /// same transaction's outbox: an alert is never committed untold.
    /// </summary>
    public async Task AddAlertsAsync(string trialId, IReadOnlyList<SafetyAlert> alerts, CancellationToken cancellationToken)
    {
        if (alerts.Count == 0)
        {
            return;
        }

        // Safety contacts are no amendment's: the base definition's are the ones in force.
        var definition = await db.Trials.AsNoTracking().Where(t => t.Id == trialId).Select(t => t.BaseDefinition).SingleAsync(cancellationToken);
        foreach (var alert in alerts)
        {
            Add(NotificationMessage.ForAlert(alert, Link($"/participants/{Uri.EscapeDataString(alert.ParticipantId)}")), definition.SafetyContacts);
        }
    }

    /// <summary>
    /// Tells the trial's safety contacts of an event that has just become serious, whether recorded so or corrected to
    /// serious, in the same transaction's outbox.
    /// </summary>
    public async Task AddSeriousEventAsync(Participant participant, ParticipantEvent recorded, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(participant);
        if (!recorded.IsSerious)
        {
            return;
        }

        var definition = await db.Trials.AsNoTracking().Where(t => t.Id == participant.TrialId).Select(t => t.Definition).SingleAsync(cancellationToken);
        var link = Link($"/participants/{Uri.EscapeDataString(participant.Id)}");
        Add(NotificationMessage.ForEvent(participant.TrialId, participant.Site, participant.Id, recorded, clock.GetUtcNow(), link), definition.SafetyContacts);
    }
}
