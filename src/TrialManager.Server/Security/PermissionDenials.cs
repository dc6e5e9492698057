using TrialManager.Server.Common;

namespace TrialManager.Server.Security;

/// <summary>
/// Permission failures (403s of the API and of the pages), counted per actor per window
/// (Authentication:PermissionDeniedAuditSeconds, default 60) instead of one audited write each: a key holder
/// repeating a refused request cannot flood the chain or hold the write gate. A window's counts are written when it
/// has closed (and on shutdown); a crash loses at most the open window's counts, the log keeps every refusal.
/// </summary>
public sealed class PermissionDenials(IConfiguration configuration, TimeProvider clock)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Actor, string Role, string Sites, long Window), Dictionary<(string Method, string Route, string Reason), int>> _open = [];

    public TimeSpan Window { get; } = TimeSpan.FromSeconds(Math.Max(1, configuration.GetValue<double?>("Authentication:PermissionDeniedAuditSeconds") ?? 60));

    public void Count(Actor actor, string method, string route, string reason)
    {
        var key = (actor.Name, actor.Role, string.Join(',', actor.Sites), clock.GetUtcNow().Ticks / Window.Ticks);
        lock (_lock)
        {
            if (!_open.TryGetValue(key, out var counts))
            {
                _open[key] = counts = [];
            }

            counts[(method, route, reason)] = counts.GetValueOrDefault((method, route, reason)) + 1;
        }
    }

    /// <summary>Removes and returns the counts of every window that has closed (all of them when <paramref name="all"/>).</summary>
    public IReadOnlyList<RecordSecurityEvent> TakeClosed(bool all)
    {
        var current = clock.GetUtcNow().Ticks / Window.Ticks;
        lock (_lock)
        {
            var closed = _open.Where(w => all || w.Key.Window < current).OrderBy(w => w.Key.Window).ToList();
            closed.ForEach(w => _open.Remove(w.Key));
            return [.. closed.Select(w => Event(w.Key, w.Value))];
        }
    }

    private RecordSecurityEvent Event((string Actor, string Role, string Sites, long Window) key, Dictionary<(string Method, string Route, string Reason), int> counts)
    {
        var from = new DateTimeOffset(key.Window * Window.Ticks, TimeSpan.Zero);
        var changes = AuditChanges.Serialize(new
        {
            from = from.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            seconds = Window.TotalSeconds,
            role = key.Role,
            sites = key.Sites.Length == 0 ? [] : key.Sites.Split(','),
            count = counts.Values.Sum(),
            denials = counts.OrderBy(c => c.Key.Route, StringComparer.Ordinal).ThenBy(c => c.Key.Method, StringComparer.Ordinal)
                .Select(c => new { method = c.Key.Method, route = c.Key.Route, reason = c.Key.Reason, count = c.Value }),
        });
        return new RecordSecurityEvent("permissionDenied", changes, new Actor(key.Actor, key.Role, []));
    }
}
