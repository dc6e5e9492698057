using System.Globalization;

namespace TrialManager.Web.Tests;

/// <summary>
/// The page tests' server with its safety notifications on: e-mail to an SMTP server in this process and signed
/// webhooks to an HTTP listener in this process, which keep what they receive (the settings of appsettings.template.json).
/// </summary>
public sealed class NotifyingWebServer : WebServer
{
    public const string WebhookSecret = "whsec-walk-0123456789abcdef0123456789abcdef";
    public const string PublicBaseUrl = "https://trials.example.org";
    private const string SmtpUser = "trialmanager";
    private const string SmtpPassword = "smtp-walk-pa55word";

    private readonly int _smtpPort = FreePort.Pick();
    private SmtpSink? _smtp;

    public WebhookSink Webhooks { get; } = new(FreePort.Pick());

    public SmtpSink Smtp => _smtp ?? throw new InvalidOperationException("The SMTP server is not started.");

    protected override string ServerLogFile => Path.Combine(AppContext.BaseDirectory, "server-notifying.log");

    protected override IReadOnlyDictionary<string, string> ExtraSettings => new Dictionary<string, string>
    {
        ["TrialManager:Notifications:PublicBaseUrl"] = PublicBaseUrl,
        ["TrialManager:Notifications:Smtp:Host"] = "127.0.0.1",
        ["TrialManager:Notifications:Smtp:Port"] = _smtpPort.ToString(CultureInfo.InvariantCulture),
        ["TrialManager:Notifications:Smtp:From"] = "trialmanager@example.org",
        ["TrialManager:Notifications:Smtp:User"] = SmtpUser,
        ["TrialManager:Notifications:Smtp:Password"] = SmtpPassword,
        ["TrialManager:Notifications:Smtp:Tls"] = "None",
        ["TrialManager:Notifications:Webhooks:Urls:0"] = $"http://127.0.0.1:{Webhooks.Port.ToString(CultureInfo.InvariantCulture)}/hooks/safety",
        ["TrialManager:Notifications:Webhooks:Secret"] = WebhookSecret,
    };

    public override async Task InitializeAsync()
    {
        _smtp = await SmtpSink.StartAsync(_smtpPort, SmtpUser, SmtpPassword);
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Webhooks.Dispose();
        if (_smtp is not null)
        {
            await _smtp.DisposeAsync();
        }
    }
}
