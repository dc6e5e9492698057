using System.Buffers.Text;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Extensions;

namespace TrialManager.Server.Common;

/// <summary>
/// One page of a list (the contract's convention): <c>?limit=</c> (default 100, at most 1,000) and <c>?after=</c>, an
/// opaque keyset cursor naming the last item of the previous page. Keyset, not offset: a page costs the same at the
/// millionth row, and rows inserted meanwhile neither repeat nor shift items between pages.
/// </summary>
public sealed record PageRequest(int Limit, string? After)
{
    public const int DefaultLimit = 100;

    public const int MaxLimit = 1_000;

    public static readonly PageRequest First = new(DefaultLimit, null);

    /// <summary>Binds <c>limit</c> and <c>after</c> from the query; a malformed one is a 400 naming it.</summary>
    public static ValueTask<PageRequest?> BindAsync(HttpContext context, ParameterInfo parameter) =>
        ValueTask.FromResult<PageRequest?>(From(context.Request.Query["limit"], context.Request.Query["after"]));

    public static PageRequest From(string? limit, string? after)
    {
        var value = DefaultLimit;
        if (limit is not null
            && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out value) || value is < 1 or > MaxLimit))
        {
            throw RequestValidationException.For("limit", $"must be a whole number from 1 to {MaxLimit}");
        }

        if (after is not null && (after.Length is 0 or > 1_000 || !Base64Url.IsValid(after)))
        {
            throw BadCursor();
        }

        return new PageRequest(value, after);
    }

    /// <summary>The cursor's key parts, or null on the first page; a cursor of another shape is a 400.</summary>
    public string[]? Key(int parts)
    {
        if (After is null)
        {
            return null;
        }

        try
        {
            var key = JsonSerializer.Deserialize<string[]>(Base64Url.DecodeFromChars(After));
            return key is { Length: var n } && n == parts && key.All(k => k is not null) ? key : throw BadCursor();
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            throw BadCursor();
        }
    }

    public static string Cursor(params string[] parts) => Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(parts));

    public static string Text(DateTimeOffset instant) => instant.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    public static string Text(long number) => number.ToString(CultureInfo.InvariantCulture);

    public static DateTimeOffset Instant(string part) =>
        DateTimeOffset.TryParseExact(part, "O", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var instant)
            ? instant : throw BadCursor();

    public static long Number(string part) =>
        long.TryParse(part, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) ? number : throw BadCursor();

    public static Guid Id(string part) => Guid.TryParseExact(part, "D", out var id) ? id : throw BadCursor();

    private static RequestValidationException BadCursor() =>
        RequestValidationException.For("after", "is not a cursor this list gave; follow the Link header of the previous page");
}

/// <summary>A page of items and the cursor of the next page, null when none remain.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? Next)
{
    /// <summary>From up to limit + 1 rows read in order: the extra row only tells that more remain.</summary>
    public static Page<T> From(IReadOnlyList<T> rows, PageRequest page, Func<T, string> cursor) =>
        rows.Count > page.Limit ? new Page<T>([.. rows.Take(page.Limit)], cursor(rows[page.Limit - 1])) : new Page<T>(rows, null);
}

public static class PageResults
{
    /// <summary>The items as the JSON array, and while more remain <c>Link: &lt;next&gt;; rel="next"</c> (RFC 8288).</summary>
    public static IResult Paged<T>(this HttpContext http, Page<T> page)
    {
        if (page.Next is not null)
        {
            http.Response.Headers.Link = $"<{NextUrl(http.Request, page.Next)}>; rel=\"next\"";
        }

        return Results.Ok(page.Items);
    }

    /// <summary>
    /// A page of a short list read whole (a participant's measures, a therapist's cases, the instruments): ordered by
    /// <paramref name="key"/> (ordinal; unique per item), so the cursor is the last key and an item added or removed
    /// meanwhile neither repeats nor skips another.
    /// </summary>
    public static IResult PagedList<T>(this HttpContext http, IEnumerable<T> items, PageRequest page, Func<T, string> key) =>
        http.Paged(PageOf(items, page, key));

    /// <summary>The page of <see cref="PagedList{T}"/> itself, for the pages (which render it rather than answer JSON).</summary>
    public static Page<T> PageOf<T>(IEnumerable<T> items, PageRequest page, Func<T, string> key)
    {
        var after = page.Key(1) is [var last] ? last : null;
        var rows = items.Select(i => (Item: i, Key: key(i)))
            .Where(x => after is null || string.CompareOrdinal(x.Key, after) > 0)
            .OrderBy(x => x.Key, StringComparer.Ordinal)
            .Take(page.Limit + 1)
            .ToList();
        var p = Page<(T Item, string Key)>.From(rows, page, x => PageRequest.Cursor(x.Key));
        return new Page<T>([.. p.Items.Select(x => x.Item)], p.Next);
    }

    /// <summary>The request's own URL, every filter kept, with the next page's cursor.</summary>
    public static string NextUrl(HttpRequest request, string next)
    {
        var query = new QueryBuilder(request.Query.Where(q => q.Key != "after")) { { "after", next } };
        return UriHelper.BuildAbsolute(request.Scheme, request.Host, request.PathBase, request.Path, query.ToQueryString());
    }

    /// <summary>For the pages: the same path and filters with the next cursor, relative to the site (one-off actions dropped).</summary>
    public static string NextPageLink(HttpRequest request, string next, params string[] drop)
    {
        var query = new QueryBuilder(request.Query.Where(q => q.Key != "after" && !drop.Contains(q.Key))) { { "after", next } };
        return UriHelper.BuildRelative(request.PathBase, request.Path, query.ToQueryString());
    }
}
