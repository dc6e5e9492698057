using TrialManager.Domain.Notifications;

namespace TrialManager.Domain.Tests.Notifications;

public sealed class NotificationTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 4, 0, 0, TimeSpan.Zero);

    private static Notification Email() => Notification.Email(
        new NotificationMessage(NotificationKind.SafetyAlert, Guid.NewGuid(), "t", "NYC", "t-NYC-0001", "phq9", "selfHarm", "s", Now, "/participants/t-NYC-0001"),
        ["a@example.org", "b@example.org"], Now);

    [Fact]
    public void Failures_CountAttempts_KeepAShortError_AndASentNotificationStaysSent()
    {
        var notification = Email();
        Assert.Equal(NotificationStatus.Queued, notification.Status);
        Assert.Equal(["a@example.org", "b@example.org"], notification.Recipients);

        notification.RecordFailure(new string('x', 1_000), Now);
        notification.RecordFailure("connection refused", Now.AddSeconds(2));
        Assert.Equal((NotificationStatus.Failed, 2, "connection refused"), (notification.Status, notification.Attempts, notification.LastError));

        notification.RecordSent(Now.AddSeconds(12));
        notification.RecordSent(Now.AddSeconds(30));
        notification.RecordFailure("late duplicate", Now.AddSeconds(31));
        Assert.Equal((NotificationStatus.Sent, 3, Now.AddSeconds(12)), (notification.Status, notification.Attempts, notification.SentAt));
    }

    [Fact]
    public void AStoredError_IsCutToItsLimit()
    {
        var notification = Email();
        notification.RecordFailure(new string('x', 1_000), Now);
        Assert.Equal(Notification.MaxErrorLength, notification.LastError!.Length);
    }

    [Fact]
    public void AnEmailWithoutRecipients_IsRefused() =>
        Assert.Throws<ArgumentException>(() => Notification.Email(
            new NotificationMessage(NotificationKind.SafetyAlert, Guid.NewGuid(), "t", "NYC", "p", null, null, "s", Now, "/"), [], Now));
}
