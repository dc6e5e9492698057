using System.Diagnostics.CodeAnalysis;

namespace TrialManager.Server.Common;

/// <summary>Enum values read from the wire: lower camelCase strings, compared case-insensitively (written by <see cref="Domain.Common.WireNames"/>).</summary>
public static class Wire
{
    public static bool TryParse<T>([NotNullWhen(true)] string? text, out T value) where T : struct, Enum
    {
        value = default;
        return !string.IsNullOrWhiteSpace(text) && !char.IsAsciiDigit(text[0]) && text[0] != '-'
            && Enum.TryParse(text, ignoreCase: true, out value) && Enum.IsDefined(value);
    }

    public static T Parse<T>(string? text) where T : struct, Enum =>
        TryParse<T>(text, out var value) ? value : throw new ArgumentException($"'{text}' is not a {typeof(T).Name}.", nameof(text));
}
