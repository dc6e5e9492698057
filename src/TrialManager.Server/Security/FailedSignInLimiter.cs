using System.Threading.RateLimiting;

namespace TrialManager.Server.Security;

/// <summary>
/// Failed authentications per client address (Authentication:FailureLimit:PermitLimit per WindowSeconds, default
/// 20 a minute). Once spent, the address gets 429 with Retry-After and its keys are not even checked until the
/// window ends. Behind a reverse proxy, configure forwarded headers so the address is the client's.
/// </summary>
public sealed class FailedSignInLimiter(int permitLimit, TimeSpan window) : IDisposable
{
    private const string RetryAfterItem = "TrialManager.SignInRetryAfter";

    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(address =>
        RateLimitPartition.GetFixedWindowLimiter(address, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permitLimit,
            Window = window,
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    public static FailedSignInLimiter From(IConfiguration configuration) => new(
        configuration.GetValue<int?>("Authentication:FailureLimit:PermitLimit") ?? 20,
        TimeSpan.FromSeconds(configuration.GetValue<double?>("Authentication:FailureLimit:WindowSeconds") ?? 60));

    /// <summary>True while the address has spent its failures; marks the request for a 429.</summary>
    public bool IsLockedOut(HttpContext context)
    {
        using var probe = _limiter.AttemptAcquire(AddressOf(context), 0);
        if (probe.IsAcquired)
        {
            return false;
        }

        Mark(context, probe);
        return true;
    }

    /// <summary>Counts one failure; the one over the limit marks the request for a 429.</summary>
    public void RecordFailure(HttpContext context)
    {
        using var lease = _limiter.AttemptAcquire(AddressOf(context));
        if (!lease.IsAcquired)
        {
            Mark(context, lease);
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

    public void Dispose() => _limiter.Dispose();

    private void Mark(HttpContext context, RateLimitLease lease) =>
        context.Items[RetryAfterItem] = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) && retryAfter > TimeSpan.Zero
            ? retryAfter
            : window;

    private static string AddressOf(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}
