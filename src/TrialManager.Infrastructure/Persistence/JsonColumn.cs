using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace TrialManager.Infrastructure.Persistence;

/// <summary>Stores a small immutable value (a definition, a list of codes) as JSON text: the same on every provider.</summary>
internal static class JsonColumn
{
    internal static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static PropertyBuilder<T> HasJsonConversion<T>(this PropertyBuilder<T> property) =>
        property.HasJsonConversionParsedBy(v => JsonSerializer.Deserialize<T>(v, Options)!, v => JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(v, Options), Options)!);

    /// <summary>
    /// As <see cref="HasJsonConversion{T}"/>, for an immutable value read on every request that touches its row: each
    /// distinct text is parsed once (<see cref="ParsedJsonCache{T}"/>), and readers share the value.
    /// </summary>
    public static PropertyBuilder<T> HasCachedJsonConversion<T>(this PropertyBuilder<T> property, ParsedJsonCache<T> cache)
        where T : class =>
        // The value is never changed in place (readers share it), so the change tracker's snapshot is the value itself,
        // and an unchanged property is the same instance: no copy on tracking, no serialising to compare.
        property.HasJsonConversionParsedBy(v => cache.Parse(v, Options), v => v);

    private static PropertyBuilder<T> HasJsonConversionParsedBy<T>(
        this PropertyBuilder<T> property, System.Linq.Expressions.Expression<Func<string, T>> parse, System.Linq.Expressions.Expression<Func<T, T>> snapshot)
    {
        property.HasConversion(
            v => JsonSerializer.Serialize(v, Options),
            parse,
            new ValueComparer<T>(
                (a, b) => ReferenceEquals(a, b) || JsonSerializer.Serialize(a, Options) == JsonSerializer.Serialize(b, Options),
                v => JsonSerializer.Serialize(v, Options).GetHashCode(StringComparison.Ordinal),
                snapshot));
        return property;
    }
}
