using TrialManager.Domain.Common;
using TrialManager.Domain.Measures;
using TrialManager.Domain.Participants;

namespace TrialManager.Domain.Notifications;

/// <summary>What a notification tells of. Issue 17 adds serious adverse events and unblindings.</summary>
public enum NotificationKind
{
    SafetyAlert,
    Unblinding,

    /// <summary>An adverse event that meets a seriousness criterion, recorded or corrected to serious.</summary>
    SeriousAdverseEvent,
}

public enum NotificationChannel
{
    Email,
    Webhook,
}

public enum NotificationStatus
{
    /// <summary>Written with its cause, not yet tried (or its job is running).</summary>
    Queued,

    /// <summary>The last attempt failed; Hangfire retries it, and a restart enqueues it again.</summary>
    Failed,

    Sent,
}

/// <summary>
/// What a notification says, fixed when its cause is recorded. Only what every recipient may read: the trial, site,
/// study id, what happened and when, and where to look. Never the arm, the allocation, the stratum or answers beyond
/// what the rule names: safety contacts and webhook receivers (an on-call system) need to act, not to be unblinded.
/// </summary>
public sealed record NotificationMessage(
    NotificationKind Kind, Guid SubjectId, string TrialId, string Site, string StudyId, string? Instrument, string? Rule,
    string Summary, DateTimeOffset OccurredAt, string Link)
{
    /// <summary>A safety alert: its rule by name (e.g. "selfHarm on phq9"), not the answers that raised it.</summary>
    public static NotificationMessage ForAlert(SafetyAlert alert, string link) => new(
        NotificationKind.SafetyAlert, alert.Id, alert.TrialId, alert.Site, alert.ParticipantId, alert.Instrument, alert.Rule,
        $"Safety alert '{alert.Rule}' on {alert.Instrument} for participant {alert.ParticipantId} at site {alert.Site}",
        alert.RaisedAt, link);

    /// <summary>
    /// An unblinding: who was told a participant's arm, and when. Never the arm, and not the reason (free text written
    /// by the person unblinded; the DSMB reads it): the contacts learn that blinding was broken and where to look.
    /// </summary>
    public static NotificationMessage ForUnblinding(Blinding.Unblinding unblinding, string site, string link) => new(
        NotificationKind.Unblinding, unblinding.Id, unblinding.TrialId, site, unblinding.ParticipantId, null, null,
        $"The arm of participant {unblinding.ParticipantId} at site {site} was revealed to {unblinding.UnblindedBy} ({unblinding.Role})",
        unblinding.UnblindedAt, link);

    /// <summary>
    /// A serious adverse event: its criteria and the day it occurred, never its description (free text that may name a
    /// person or the therapy) and never the arm.
    /// </summary>
    public static NotificationMessage ForEvent(string trialId, string site, string studyId, ParticipantEvent recorded, DateTimeOffset now, string link)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        var criteria = string.Join(", ", (recorded.Serious ?? []).Select(c => c.Wire()));
        return new(
            NotificationKind.SeriousAdverseEvent, recorded.Id, trialId, site, studyId, null, null,
            $"Serious adverse event ({criteria}) on {recorded.OccurredOn:yyyy-MM-dd} for participant {studyId} at site {site}", now, link);
    }
}

/// <summary>
/// The outbox row of one notification on one channel to one target (the e-mail to the trial's safety contacts, or one
/// webhook URL): written in the same transaction as its cause, so it is never lost, and sent after the commit.
/// </summary>
public sealed class Notification
{
    /// <summary>The most kept of a failure's message: enough to diagnose, too little to carry a body or a secret.</summary>
    public const int MaxErrorLength = 300;

    private Notification()
    {
        TrialId = Target = string.Empty;
        Message = null!;
    }

    private Notification(NotificationMessage message, NotificationChannel channel, string target, DateTimeOffset now)
    {
        Id = Guid.NewGuid();
        TrialId = message.TrialId;
        Kind = message.Kind;
        SubjectId = message.SubjectId;
        Channel = channel;
        Target = target;
        Message = message;
        CreatedAt = now;
        Status = NotificationStatus.Queued;
    }

    public Guid Id { get; private set; }
    public string TrialId { get; private set; }
    public NotificationKind Kind { get; private set; }

    /// <summary>The alert (or, later, event) it tells of.</summary>
    public Guid SubjectId { get; private set; }

    public NotificationChannel Channel { get; private set; }

    /// <summary>E-mail: the recipients, comma-separated. Webhook: the URL.</summary>
    public string Target { get; private set; }

    public NotificationMessage Message { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public NotificationStatus Status { get; private set; }
    public int Attempts { get; private set; }
    public DateTimeOffset? LastAttemptAt { get; private set; }
    public string? LastError { get; private set; }
    public DateTimeOffset? SentAt { get; private set; }

    public static Notification Email(NotificationMessage message, IEnumerable<string> recipients, DateTimeOffset now)
    {
        var to = string.Join(",", recipients);
        return to.Length == 0 ? throw new ArgumentException("An e-mail needs at least one recipient.", nameof(recipients)) : new(message, NotificationChannel.Email, to, now);
    }

    public static Notification Webhook(NotificationMessage message, Uri url, DateTimeOffset now) =>
        new(message, NotificationChannel.Webhook, url.AbsoluteUri, now);

    public IReadOnlyList<string> Recipients => Channel == NotificationChannel.Email ? Target.Split(',') : [];

    /// <summary>Sent once: a repeated job (the sweep and a retry) finds it sent and does nothing.</summary>
    public void RecordSent(DateTimeOffset now)
    {
        if (Status == NotificationStatus.Sent)
        {
            return;
        }

        Attempts++;
        LastAttemptAt = now;
        SentAt = now;
        Status = NotificationStatus.Sent;
    }

    public void RecordFailure(string error, DateTimeOffset now)
    {
        if (Status == NotificationStatus.Sent)
        {
            return;
        }

        Attempts++;
        LastAttemptAt = now;
        LastError = error.Length <= MaxErrorLength ? error : error[..MaxErrorLength];
        Status = NotificationStatus.Failed;
    }
}
