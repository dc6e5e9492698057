namespace TrialManager.Server.Security;

/// <summary>
/// Failed authentications per client address (Authentication:FailureLimit:PermitLimit per WindowSeconds, default
/// 20 a minute). Once spent, the address gets 429 with Retry-After and its keys are not even checked until the
/// window ends. Behind a reverse proxy, configure forwarded headers so the address is the client's.
/// </summary>
public sealed class FailedSignInLimiter(int permitLimit, TimeSpan window, TimeProvider clock)
{
    private const string RetryAfterItem = "TrialManager.SignInRetryAfter";

    private readonly FixedWindowCounter _failures = new(permitLimit, window, clock);

    public static FailedSignInLimiter From(IConfiguration configuration, TimeProvider clock) => new(
        configuration.GetValue<int?>("Authentication:FailureLimit:PermitLimit") ?? 20,
        TimeSpan.FromSeconds(configuration.GetValue<double?>("Authentication:FailureLimit:WindowSeconds") ?? 60),
        clock);

    /// <summary>True while the address has spent its failures; marks the request for a 429.</summary>
    public bool IsLockedOut(HttpContext context)
    {
        if (_failures.Spent(AddressOf(context)) is not { } retryAfter)
        {
            return false;
        }

        context.Items[RetryAfterItem] = retryAfter;
        return true;
    }

    /// <summary>Counts one failure; the one over the limit marks the request for a 429.</summary>
    public void RecordFailure(HttpContext context)
    {
        if (_failures.TryCount(AddressOf(context)) is { } retryAfter)
        {
            context.Items[RetryAfterItem] = retryAfter;
        }
    }

    public static TimeSpan? RetryAfter(HttpContext context) => context.Items[RetryAfterItem] as TimeSpan?;

    /// <summary>Sets Retry-After (whole seconds, rounded up) on a request marked for a 429; returns the seconds.</summary>
    public static int WriteRetryAfter(HttpContext context)
    {
        var seconds = (int)Math.Ceiling((RetryAfter(context) ?? TimeSpan.FromSeconds(1)).TotalSeconds);
        context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return seconds;
    }

    private static string AddressOf(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}
