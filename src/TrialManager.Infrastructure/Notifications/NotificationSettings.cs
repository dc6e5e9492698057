using MailKit.Security;
using Microsoft.Extensions.Configuration;

namespace TrialManager.Infrastructure.Notifications;

/// <summary>How the server reaches a mail server: MailKit's TLS modes by name.</summary>
public sealed record SmtpSettings(string Host, int Port, string From, string? User, string? Password, SecureSocketOptions Tls);

/// <summary>
/// TrialManager:Notifications: SMTP (off while Smtp:Host is empty) and webhooks (off while Webhooks:Urls is empty).
/// Off by default: alerts are still created and shown, only nobody is told outside the server. Checked at start: a
/// half-configured channel stops the server rather than losing notifications at the first alert.
/// </summary>
public sealed record NotificationSettings(SmtpSettings? Smtp, IReadOnlyList<Uri> WebhookUrls, string? WebhookSecret, string? PublicBaseUrl)
{
    public const string Section = "TrialManager:Notifications";

    /// <summary>The shortest webhook secret accepted: 32 characters, as from `openssl rand -hex 16`.</summary>
    public const int MinSecretLength = 32;

    public static readonly NotificationSettings Off = new(null, [], null, null);

    public bool EmailEnabled => Smtp is not null;

    public static NotificationSettings From(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        var errors = new List<string>();

        SmtpSettings? smtp = null;
        var smtpSection = section.GetSection("Smtp");
        if (smtpSection["Host"] is { Length: > 0 } host)
        {
            var port = 587;
            if (smtpSection["Port"] is { Length: > 0 } portText && (!int.TryParse(portText, out port) || port is < 1 or > 65_535))
            {
                errors.Add($"{Section}:Smtp:Port must be a port number (1 to 65535), not '{portText}'.");
            }

            var from = smtpSection["From"];
            if (!Domain.Trials.SafetyContacts.IsAddress(from))
            {
                errors.Add($"{Section}:Smtp:From must be a plain e-mail address (the sender of the notifications).");
            }

            var tls = SecureSocketOptions.StartTls;
            if (smtpSection["Tls"] is { Length: > 0 } tlsText && !TryTls(tlsText, out tls))
            {
                errors.Add($"{Section}:Smtp:Tls must be StartTls (default), SslOnConnect or None, not '{tlsText}'.");
            }

            var user = smtpSection["User"] is { Length: > 0 } u ? u : null;
            var password = smtpSection["Password"] is { Length: > 0 } p ? p : null;
            if (user is not null && password is null)
            {
                errors.Add($"{Section}:Smtp:Password is required with {Section}:Smtp:User.");
            }

            smtp = new SmtpSettings(host, port, from ?? string.Empty, user, password, tls);
        }

        var urls = new List<Uri>();
        var webhooks = section.GetSection("Webhooks");
        foreach (var entry in webhooks.GetSection("Urls").GetChildren())
        {
            if (Uri.TryCreate(entry.Value, UriKind.Absolute, out var url) && url.Scheme is "https" or "http" && url.UserInfo.Length == 0)
            {
                urls.Add(url);
            }
            else
            {
                errors.Add($"{Section}:Webhooks:Urls:{entry.Key} must be an absolute http or https URL without user information.");
            }
        }

        var secret = webhooks["Secret"] is { Length: > 0 } s ? s : null;
        if (urls.Count > 0 && (secret is null || secret.Length < MinSecretLength))
        {
            errors.Add($"{Section}:Webhooks:Secret must be at least {MinSecretLength} characters when webhooks are configured (it signs every request).");
        }

        var baseUrl = section["PublicBaseUrl"] is { Length: > 0 } b ? b.TrimEnd('/') : null;
        if (baseUrl is not null && !(Uri.TryCreate(baseUrl, UriKind.Absolute, out var parsed) && parsed.Scheme is "https" or "http"))
        {
            errors.Add($"{Section}:PublicBaseUrl must be the absolute http or https address the server is reached at.");
        }

        return errors.Count > 0
            ? throw new InvalidOperationException("Notification settings are invalid: " + string.Join(" ", errors))
            : new NotificationSettings(smtp, urls, secret, baseUrl);
    }

    /// <summary>A link to a page of the server: absolute with PublicBaseUrl, else the path alone.</summary>
    public string Link(string path) => (PublicBaseUrl ?? string.Empty) + path;

    private static bool TryTls(string text, out SecureSocketOptions tls)
    {
        tls = text.ToUpperInvariant() switch
        {
            "STARTTLS" => SecureSocketOptions.StartTls,
            "SSLONCONNECT" => SecureSocketOptions.SslOnConnect,
            "NONE" => SecureSocketOptions.None,
            _ => (SecureSocketOptions)(-1),
        };
        return (int)tls >= 0;
    }
}
