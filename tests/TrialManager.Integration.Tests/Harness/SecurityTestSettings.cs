using TrialManager.Server.Common;
using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using TrialManager.Server.Security;

namespace TrialManager.Integration.Tests.Harness;

/// <summary>
/// Configuration every test server gets for the security tests: keys limited to sites, a key used only by the
/// sign-in audit test, and offline JWT validation against an RSA key generated for this test run.
/// </summary>
public static class SecurityTestSettings
{
    public const string SiteLimitedCoordinatorKey = "test-coordinator-site-aaa-0d7c";
    public const string SiteLimitedCoordinatorName = "coordinator-aaa";
    public const string SignInProbeKey = "test-signin-probe-key-5e1a";
    public const string SignInProbeName = "signin-probe";
    public const string DenialProbeKey = "test-denial-probe-key-93b4";
    public const string DenialProbeName = "denial-probe";
    public const string JwtIssuer = "https://idp.trialmanager.test";
    public const string JwtAudience = "trialmanager-tests";
    public const string JwtSitesClaim = "sites";

    /// <summary>The identity provider's signing key; the server is given only its public half.</summary>
    public static readonly RSA JwtSigningKey = RSA.Create(2048);

    /// <summary>Header a test sends to choose its client address (for the per-address failure limit).</summary>
    public const string ClientAddressHeader = "X-Test-Client-Address";

    public static IReadOnlyDictionary<string, string> Values { get; } = new Dictionary<string, string>
    {
        ["Authentication:ApiKeys:0:Name"] = SiteLimitedCoordinatorName,
        ["Authentication:ApiKeys:0:Role"] = Roles.Coordinator,
        ["Authentication:ApiKeys:0:Sha256"] = ApiKeyStore.HashOf(SiteLimitedCoordinatorKey),
        ["Authentication:ApiKeys:0:Sites:0"] = "AAA",
        ["Authentication:ApiKeys:1:Name"] = SignInProbeName,
        ["Authentication:ApiKeys:1:Role"] = Roles.Statistician,
        ["Authentication:ApiKeys:1:Sha256"] = ApiKeyStore.HashOf(SignInProbeKey),
        ["Authentication:ApiKeys:5:Name"] = DenialProbeName,
        ["Authentication:ApiKeys:5:Role"] = Roles.Ethics,
        ["Authentication:ApiKeys:5:Sha256"] = ApiKeyStore.HashOf(DenialProbeKey),
        ["Authentication:Jwt:SigningKeyPem"] = JwtSigningKey.ExportSubjectPublicKeyInfoPem(),
        ["Authentication:Jwt:Issuer"] = JwtIssuer,
        ["Authentication:Jwt:Audience"] = JwtAudience,
        ["Authentication:Jwt:SitesClaim"] = JwtSitesClaim,
        // Permission failures are counted per actor per second here (a minute in production), so tests see them soon.
        ["Authentication:PermissionDeniedAuditSeconds"] = "1",
    };
}

/// <summary>
/// The test host has no network peer: each request gets a fresh client address unless it names one, so the
/// per-address failure limit only ever trips in the test that means to trip it.
/// </summary>
public sealed class TestClientAddressStartupFilter : IStartupFilter
{
    private static int _next;

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((HttpContext context, RequestDelegate following) =>
        {
            context.Connection.RemoteIpAddress = context.Request.Headers.TryGetValue(SecurityTestSettings.ClientAddressHeader, out var named)
                ? IPAddress.Parse(named.ToString())
                : new IPAddress(BitConverter.GetBytes(0x0A000000 + Interlocked.Increment(ref _next)).Reverse().ToArray());
            return following(context);
        });
        next(app);
    };
}

/// <summary>Keeps every log message the server writes (debug and up) that contains a watched secret.</summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentDictionary<string, byte> _watched = new();
    private readonly ConcurrentQueue<string> _leaks = new();
    private long _messages;

    public long Messages => Interlocked.Read(ref _messages);

    public IReadOnlyCollection<string> Leaks => _leaks;

    /// <summary>Error-level messages with their exceptions (the last 200), to explain a 500 in a test's failure message.</summary>
    public IReadOnlyCollection<string> Errors => _errors;

    private readonly ConcurrentQueue<string> _errors = new();

    public void Watch(string secret) => _watched.TryAdd(secret, 0);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private void Write(LogLevel level, string category, string text)
    {
        Interlocked.Increment(ref _messages);
        if (level >= LogLevel.Error)
        {
            _errors.Enqueue($"{category}: {text}");
            while (_errors.Count > 200 && _errors.TryDequeue(out _))
            {
            }
        }

        foreach (var secret in _watched.Keys)
        {
            if (text.Contains(secret, StringComparison.Ordinal))
            {
                _leaks.Enqueue($"{category}: {text}");
            }
        }
    }

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var text = formatter(state, exception) + " " + exception;
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
            {
                text += " " + string.Join(" ", values.Select(v => v.Value));
            }

            capture.Write(logLevel, category, text);
        }
    }
}
