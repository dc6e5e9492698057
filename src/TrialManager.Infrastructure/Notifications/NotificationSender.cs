using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using MailKit;
using MailKit.Net.Smtp;
using MimeKit;
using TrialManager.Domain.Notifications;

namespace TrialManager.Infrastructure.Notifications;

/// <summary>A delivery that did not happen, with a short reason safe to store and show (no body, no secret).</summary>
public sealed class NotificationFailedException(string reason, Exception? inner = null) : Exception(reason, inner);

/// <summary>
/// Sends one notification row on its channel: an e-mail through SMTP (MailKit) or a signed JSON POST. Throws
/// <see cref="NotificationFailedException"/> with a short reason; the caller records it and Hangfire retries.
/// </summary>
public sealed class NotificationSender(NotificationSettings settings, TimeProvider clock)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private static readonly JsonSerializerOptions PayloadJson = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    // One client for the process: its handler pools connections; redirects are not followed (a signed body must not
    // be replayed to wherever a receiver points).
    private static readonly HttpClient Http = new(new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = Timeout,
    };

    public Task SendAsync(Notification notification, CancellationToken cancellationToken) => notification.Channel switch
    {
        NotificationChannel.Email => EmailAsync(notification, cancellationToken),
        NotificationChannel.Webhook => WebhookAsync(notification, cancellationToken),
        _ => throw new NotificationFailedException($"Unknown channel {notification.Channel}."),
    };

    /// <summary>The webhook's JSON body: the message's fields, plus the notification's id and channel-independent kind.</summary>
    public static byte[] WebhookBody(Notification notification)
    {
        var m = notification.Message;
        return JsonSerializer.SerializeToUtf8Bytes(new
        {
            id = notification.Id,
            kind = m.Kind,
            subjectId = m.SubjectId,
            trialId = m.TrialId,
            site = m.Site,
            studyId = m.StudyId,
            instrument = m.Instrument,
            rule = m.Rule,
            summary = m.Summary,
            occurredAt = m.OccurredAt,
            link = m.Link,
        }, PayloadJson);
    }

    public static MimeMessage Email(Notification notification, string from)
    {
        var m = notification.Message;
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(from));
        foreach (var recipient in notification.Recipients)
        {
            message.To.Add(MailboxAddress.Parse(recipient));
        }

        message.Subject = $"[TrialManager] {Title(m.Kind)} in {m.TrialId}, site {m.Site}, participant {m.StudyId}";
        message.Headers.Add("X-TrialManager-Notification", notification.Id.ToString("D"));
        var body = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"{m.Summary}.")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Trial:       {m.TrialId}")
            .AppendLine(CultureInfo.InvariantCulture, $"Site:        {m.Site}")
            .AppendLine(CultureInfo.InvariantCulture, $"Participant: {m.StudyId}");
        if (m.Instrument is not null)
        {
            body.AppendLine(CultureInfo.InvariantCulture, $"Instrument:  {m.Instrument}");
        }

        if (m.Rule is not null)
        {
            body.AppendLine(CultureInfo.InvariantCulture, $"Rule:        {m.Rule}");
        }

        body.AppendLine(CultureInfo.InvariantCulture, $"Time (UTC):  {m.OccurredAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}")
            .AppendLine(CultureInfo.InvariantCulture, $"Open:        {m.Link}")
            .AppendLine()
            .AppendLine(m.Kind switch
            {
                NotificationKind.SeriousAdverseEvent => "An admin or the DSMB records the medical review of the event in TrialManager.",
                NotificationKind.Unblinding => "The unblinding, with its reason, is on the participant's record for the DSMB and in the audit trail.",
                _ => "The participant's site acknowledges the alert in TrialManager with the action taken.",
            })
            .AppendLine("This message is sent to the trial's safety contacts; it names no treatment arm.");
        message.Body = new TextPart("plain") { Text = body.ToString() };
        return message;
    }

    private static string Title(NotificationKind kind) => kind switch
    {
        NotificationKind.SafetyAlert => "Safety alert",
        NotificationKind.Unblinding => "Unblinding",
        NotificationKind.SeriousAdverseEvent => "Serious adverse event",
        _ => kind.ToString(),
    };

    private async Task EmailAsync(Notification notification, CancellationToken cancellationToken)
    {
        var smtp = settings.Smtp ?? throw new NotificationFailedException("E-mail is not configured (TrialManager:Notifications:Smtp:Host).");
        using var message = Email(notification, smtp.From);
        using var client = new SmtpClient { Timeout = (int)Timeout.TotalMilliseconds };
        try
        {
            await client.ConnectAsync(smtp.Host, smtp.Port, smtp.Tls, cancellationToken);
            if (smtp.User is not null)
            {
                await client.AuthenticateAsync(smtp.User, smtp.Password ?? string.Empty, cancellationToken);
            }

            await client.SendAsync(message, cancellationToken);
            await client.DisconnectAsync(quit: true, cancellationToken);
        }
        catch (Exception e) when (e is SocketException or IOException or MailKit.Security.SslHandshakeException or MailKit.Security.AuthenticationException
                                      or SmtpCommandException or SmtpProtocolException or ServiceNotConnectedException or TimeoutException)
        {
            // MailKit's messages name the server and the SMTP reply, never the password.
            throw new NotificationFailedException($"SMTP {smtp.Host}:{smtp.Port}: {e.GetType().Name}: {e.Message}", e);
        }
    }

    private async Task WebhookAsync(Notification notification, CancellationToken cancellationToken)
    {
        var secret = settings.WebhookSecret ?? throw new NotificationFailedException("Webhooks are not configured (TrialManager:Notifications:Webhooks:Secret).");
        var url = new Uri(notification.Target);
        var body = WebhookBody(notification);
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(secret, timestamp, body));
        request.Headers.Add(WebhookSignature.DeliveryHeader, notification.Id.ToString("D"));
        // The URL's host only: its path or query may carry a receiver's token.
        var where = $"webhook {url.Scheme}://{url.Authority}";
        try
        {
            using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new NotificationFailedException($"{where} answered {(int)response.StatusCode} {response.ReasonPhrase}.");
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new NotificationFailedException(e is TaskCanceledException ? $"{where} did not answer within {Timeout.TotalSeconds:0} s." : $"{where}: {e.Message}", e);
        }
    }
}
