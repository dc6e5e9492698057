using System.Collections.Frozen;
using System.Text.Json;

namespace TrialManager.Domain.Common;

/// <summary>
/// The one way an enum value is written outside the process (JSON, CSV, pages, PDFs, messages): its name in lower
/// camelCase, the text the server's JSON enum converter writes for the same value.
/// </summary>
public static class WireNames
{
    public static string Wire<T>(this T value) where T : struct, Enum =>
        Names<T>.ByValue.TryGetValue(value, out var name)
            ? name
            : throw new ArgumentOutOfRangeException(nameof(value), value, $"Not a {typeof(T).Name}.");

    // Computed once per enum: the allocation export writes two of these per row.
    private static class Names<T> where T : struct, Enum
    {
        public static readonly FrozenDictionary<T, string> ByValue = Enum.GetValues<T>().Distinct()
            .ToFrozenDictionary(v => v, v => JsonNamingPolicy.CamelCase.ConvertName(v.ToString()));
    }
}
