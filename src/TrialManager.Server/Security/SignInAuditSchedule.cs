using System.Collections.Concurrent;
using TrialManager.Server.Common;

namespace TrialManager.Server.Security;

/// <summary>
/// Sign-ins are audited once per key (or token subject) per process per Authentication:SignInAuditMinutes
/// (default 15): a trail of who used the API when, without one write per request.
/// </summary>
public sealed class SignInAuditSchedule(IConfiguration configuration, TimeProvider clock)
{
    private readonly TimeSpan _interval = TimeSpan.FromMinutes(configuration.GetValue<double?>("Authentication:SignInAuditMinutes") ?? 15);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _last = new(StringComparer.Ordinal);

    /// <summary>True for the one request that should record the actor's sign-in now.</summary>
    public bool IsDue(string actor)
    {
        var now = clock.GetUtcNow();
        while (true)
        {
            if (!_last.TryGetValue(actor, out var last))
            {
                if (_last.TryAdd(actor, now))
                {
                    return true;
                }

                continue;
            }

            return now - last >= _interval && _last.TryUpdate(actor, now, last);
        }
    }
}
