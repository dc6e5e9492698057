using System.Collections.Concurrent;
using System.Text.Json;

namespace TrialManager.Infrastructure.Persistence;

/// <summary>
/// Parsed values of JSON columns that hold immutable values read far more often than written (a trial's base definition
/// and its amendments: every trial read parses them, a list of 100 trials 200 times). Keyed by the column's exact text,
/// so an entry can never be stale: a definition changed by this server, another server on the same database or by hand
/// is different text, parsed afresh; the same text is the same value. Bounded by the characters it keeps (when full it
/// starts again empty: correct, only slower for the next reads).
/// </summary>
internal sealed class ParsedJsonCache<T>(int maxCharacters)
    where T : class
{
    private readonly ConcurrentDictionary<string, T> _values = new(StringComparer.Ordinal);
    private long _characters;

    /// <summary>The characters of text kept; at most the bound given.</summary>
    public long Characters => Interlocked.Read(ref _characters);

    public int Count => _values.Count;

    /// <summary>The value of <paramref name="json"/>: shared between readers, so <typeparamref name="T"/> must never be changed in place.</summary>
    public T Parse(string json, JsonSerializerOptions options)
    {
        if (_values.TryGetValue(json, out var cached))
        {
            return cached;
        }

        var value = JsonSerializer.Deserialize<T>(json, options)!;
        if (json.Length > maxCharacters / 16)
        {
            // Too large to share the bound fairly (an amendments list near its 100,000 characters): parsed each time.
            return value;
        }

        if (Interlocked.Add(ref _characters, json.Length) > maxCharacters)
        {
            _values.Clear();
            Interlocked.Exchange(ref _characters, json.Length);
        }

        if (_values.TryAdd(json, value))
        {
            return value;
        }

        Interlocked.Add(ref _characters, -json.Length);
        return _values.GetValueOrDefault(json, value);
    }
}
