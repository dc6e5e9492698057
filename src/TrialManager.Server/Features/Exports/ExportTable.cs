using System.Globalization;

namespace TrialManager.Server.Features.Exports;

/// <summary>
/// One variable of the export as the codebook describes it. <paramref name="Role"/> follows Kraemer et al. (2002):
/// <c>baseline</c> is measured before randomization and independent of it, <c>process</c> during treatment;
/// <c>id</c> names a record, <c>design</c> is fixed by the trial's design and allocation, <c>outcome</c> is what it is judged on.
/// </summary>
public sealed record ExportColumn(
    string Variable, string Label, string Type, string Role, string Unit = "", string Values = "", string Missing = "", string Derivation = "", string Source = "");

/// <summary>One CSV file of the export: its columns (header and codebook alike) and its rows, read as they are written.</summary>
public sealed record ExportTable(string File, IReadOnlyList<ExportColumn> Columns, Func<CancellationToken, IAsyncEnumerable<string[]>> Rows);

/// <summary>How values are written: invariant culture, ISO dates, empty for missing.</summary>
internal static class ExportText
{
    public static string Int(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? string.Empty;

    public static string Bool(bool? value) => value switch { true => "true", false => "false", null => string.Empty };

    // Fixed format, no exponent: the same number is always the same text (the freeze's bytes depend on it).
    public static string Number(double? value) => value?.ToString("0.##########", CultureInfo.InvariantCulture) ?? string.Empty;

    public static string Instant(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    public static DateOnly Date(DateTimeOffset value) => DateOnly.FromDateTime(value.UtcDateTime);

    /// <summary>Days from the randomization date (negative before it); empty for a participant never randomized.</summary>
    public static string Day(DateOnly? date, DateTimeOffset? randomizedAt) =>
        date is { } d && randomizedAt is { } r ? Int(d.DayNumber - Date(r).DayNumber) : string.Empty;

    public static string Day(DateTimeOffset? instant, DateTimeOffset? randomizedAt) => Day(instant is { } i ? Date(i) : null, randomizedAt);

    public const string NotRandomized = "empty when the participant was never randomized";
}
