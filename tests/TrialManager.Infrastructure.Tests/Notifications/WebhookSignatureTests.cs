using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using TrialManager.Domain.Notifications;
using TrialManager.Infrastructure.Notifications;

namespace TrialManager.Infrastructure.Tests.Notifications;

public sealed class WebhookSignatureTests
{
    private const string Secret = "0123456789abcdef0123456789abcdef";
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("{\"kind\":\"safetyAlert\"}");

    [Fact]
    public void Sign_IsHmacSha256OfTimestampDotBody_AsComputedOutsideDotnet()
    {
        // Computed with Python: hmac.new(secret, b'1764650000.' + body, hashlib.sha256).hexdigest()
        Assert.Equal("sha256=9c6cd442e09db5d387fc0d6305037405e40b2d45f5f2fdc49f5250154f57b923", WebhookSignature.Sign(Secret, 1764650000, Body));
    }

    [Fact]
    public void Sign_CoversTheTimestamp_TheBody_AndTheSecret()
    {
        var signature = WebhookSignature.Sign(Secret, 1764650000, Body);
        // A replay with a fresh timestamp (the receiver's check) needs a new MAC, which only the secret gives.
        Assert.Equal("sha256=ab87f2626f24fecdba0b9a6449cabb2027e21f2bc3d7c7fb0677974ccd74a796", WebhookSignature.Sign(Secret, 1764650001, Body));
        Assert.NotEqual(signature, WebhookSignature.Sign(Secret, 1764650000, Encoding.UTF8.GetBytes("{\"kind\":\"safetyAlert\" }")));
        Assert.NotEqual(signature, WebhookSignature.Sign(Secret.ToUpperInvariant(), 1764650000, Body));
    }

    private static Notification AlertNotification(NotificationChannel channel)
    {
        var message = new NotificationMessage(
            NotificationKind.SafetyAlert, Guid.NewGuid(), "trial-1", "NYC", "trial-1-NYC-0001", "phq9", "selfHarm",
            "Safety alert 'selfHarm' on phq9 for participant trial-1-NYC-0001 at site NYC", DateTimeOffset.UnixEpoch, "https://tm.example.org/participants/trial-1-NYC-0001");
        return channel == NotificationChannel.Email
            ? Notification.Email(message, ["pi@example.org", "safety@example.org"], DateTimeOffset.UnixEpoch)
            : Notification.Webhook(message, new Uri("https://hooks.example.org/in?token=x"), DateTimeOffset.UnixEpoch);
    }

    /// <summary>Who gets a webhook is set by the server's operator, not the trial: it carries only these fields.</summary>
    [Fact]
    public void WebhookBody_CarriesExactlyTheListedFields_AndNoArm()
    {
        using var body = JsonDocument.Parse(NotificationSender.WebhookBody(AlertNotification(NotificationChannel.Webhook)));
        Assert.Equal(
            ["id", "kind", "subjectId", "trialId", "site", "studyId", "instrument", "rule", "summary", "occurredAt", "link"],
            body.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal("safetyAlert", body.RootElement.GetProperty("kind").GetString());
    }

    [Fact]
    public void Email_GoesToEveryContact_AndNamesTrialSiteParticipantRuleAndLink()
    {
        using var email = NotificationSender.Email(AlertNotification(NotificationChannel.Email), "trialmanager@example.org");
        Assert.Equal(["pi@example.org", "safety@example.org"], email.To.Mailboxes.Select(m => m.Address));
        Assert.Equal("[TrialManager] Safety alert in trial-1, site NYC, participant trial-1-NYC-0001", email.Subject);
        foreach (var expected in new[] { "selfHarm", "phq9", "https://tm.example.org/participants/trial-1-NYC-0001", "1970-01-01 00:00:00" })
        {
            Assert.Contains(expected, email.TextBody, StringComparison.Ordinal);
        }
    }

    private static NotificationSettings Settings(params (string Key, string Value)[] values) =>
        NotificationSettings.From(new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>("TrialManager:Notifications:" + v.Key, v.Value))).Build());

    [Fact]
    public void Settings_AreOffByDefault_AndAHalfConfiguredChannelIsRefused()
    {
        var off = Settings();
        Assert.False(off.EmailEnabled);
        Assert.Empty(off.WebhookUrls);

        var on = Settings(("Smtp:Host", "mail.example.org"), ("Smtp:From", "tm@example.org"), ("Smtp:Tls", "none"), ("Smtp:Port", "2525"),
            ("Webhooks:Urls:0", "https://hooks.example.org/in"), ("Webhooks:Secret", Secret));
        Assert.Equal(2525, on.Smtp!.Port);
        Assert.Equal(MailKit.Security.SecureSocketOptions.None, on.Smtp.Tls);
        Assert.Equal([new Uri("https://hooks.example.org/in")], on.WebhookUrls);

        Assert.Contains("Smtp:From", Assert.Throws<InvalidOperationException>(() => Settings(("Smtp:Host", "mail.example.org"))).Message, StringComparison.Ordinal);
        Assert.Contains("Smtp:Tls", Assert.Throws<InvalidOperationException>(() => Settings(("Smtp:Host", "m.example.org"), ("Smtp:From", "tm@example.org"), ("Smtp:Tls", "yes"))).Message, StringComparison.Ordinal);
        Assert.Contains("Secret", Assert.Throws<InvalidOperationException>(() => Settings(("Webhooks:Urls:0", "https://hooks.example.org/in"), ("Webhooks:Secret", "short"))).Message, StringComparison.Ordinal);
        Assert.Contains("Urls:0", Assert.Throws<InvalidOperationException>(() => Settings(("Webhooks:Urls:0", "ftp://hooks.example.org"), ("Webhooks:Secret", Secret))).Message, StringComparison.Ordinal);
    }
}
