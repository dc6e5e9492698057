using System.Collections.Concurrent;

namespace TrialManager.Server.Security;

/// <summary>
/// Counts events per key in fixed windows: a key's first event starts its window, and once the window has passed the
/// next event starts a fresh one. Our own rather than <c>PartitionedRateLimiter</c>, whose idle-partition clean-up
/// disposes a partition's limiter while a request may be acquiring from it (an ObjectDisposedException, a 500:
/// dotnet/runtime#99865). A key's state is one immutable value, replaced only if unchanged since it was read; the
/// clean-up removes only the exact ended value it saw, so a window renewed or counted meanwhile is never lost.
/// </summary>
public sealed class FixedWindowCounter
{
    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);
    private readonly int _limit;
    private readonly TimeSpan _length;
    private readonly TimeProvider _clock;
    private long _lastSweep;

    /// <param name="clock">Read by its timestamps, which never jump (the demo clock moves the date, not these).</param>
    public FixedWindowCounter(int limit, TimeSpan length, TimeProvider clock)
    {
        _limit = limit;
        _length = length;
        _clock = clock;
        _lastSweep = clock.GetTimestamp();
    }

    /// <summary>Null while the key may count more in its window; else the time until the window ends.</summary>
    public TimeSpan? Spent(string key)
    {
        var now = _clock.GetTimestamp();
        return _windows.TryGetValue(key, out var current) && !Ended(current, now) && current.Count >= _limit ? Remaining(current, now) : null;
    }

    /// <summary>Counts one event; null when counted, else (the window's limit already reached) the time until it ends.</summary>
    public TimeSpan? TryCount(string key)
    {
        var now = _clock.GetTimestamp();
        SweepIfDue(now);
        while (true)
        {
            if (!_windows.TryGetValue(key, out var current))
            {
                if (_windows.TryAdd(key, new Window(now, 1)))
                {
                    return null;
                }
            }
            else if (Ended(current, now))
            {
                if (_windows.TryUpdate(key, new Window(now, 1), current))
                {
                    return null;
                }
            }
            else if (current.Count >= _limit)
            {
                return Remaining(current, now);
            }
            else if (_windows.TryUpdate(key, current with { Count = current.Count + 1 }, current))
            {
                return null;
            }
        }
    }

    /// <summary>Forgets the keys whose window has ended (an ended window counts as none); returns how many.</summary>
    public int RemoveEnded()
    {
        var now = _clock.GetTimestamp();
        var removed = 0;
        foreach (var entry in _windows)
        {
            // Only the value seen: a key renewed or counted since is another value and stays.
            if (Ended(entry.Value, now) && _windows.TryRemove(entry))
            {
                removed++;
            }
        }

        return removed;
    }

    /// <summary>At most once a window, by the one count that claims the sweep: the keys of past windows do not pile up.</summary>
    private void SweepIfDue(long now)
    {
        var last = Interlocked.Read(ref _lastSweep);
        if (_clock.GetElapsedTime(last, now) >= _length && Interlocked.CompareExchange(ref _lastSweep, now, last) == last)
        {
            RemoveEnded();
        }
    }

    private bool Ended(Window window, long now) => _clock.GetElapsedTime(window.Start, now) >= _length;

    private TimeSpan Remaining(Window window, long now) => _length - _clock.GetElapsedTime(window.Start, now);

    /// <summary>Compared by value: start timestamp and count.</summary>
    private readonly record struct Window(long Start, int Count);
}
