using System.Globalization;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace TrialManager.Infrastructure.Persistence;

/// <summary>
/// How SQLite stores an instant: fixed-width ISO 8601 in UTC with all seven fractional digits
/// (<c>2026-12-02T00:46:04.1234560Z</c>). Text of one width sorts and compares in time order, so lists order,
/// filter and page in SQL; EF's default text (<c>+00:00</c> offset, trailing zeros trimmed) does neither, and EF
/// refuses to translate it. Every tick is kept, so an audit event's time reads back exactly and its hash recomputes.
/// PostgreSQL (timestamptz) and SQL Server (datetimeoffset) order instants natively and keep their own types.
/// </summary>
public sealed class SortableInstantConverter() : ValueConverter<DateTimeOffset, string>(
    instant => Format(instant),
    text => Parse(text))
{
    public const string Pattern = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    public static string Format(DateTimeOffset instant) => instant.UtcDateTime.ToString(Pattern, CultureInfo.InvariantCulture);

    public static DateTimeOffset Parse(string text) =>
        DateTimeOffset.ParseExact(text, Pattern, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
