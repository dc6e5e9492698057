namespace TrialManager.Server.Common;

/// <summary>
/// Endpoint metadata for a route that pages by <c>?limit=</c> and <c>?after=</c> without binding a <see cref="PageRequest"/>
/// (the allocation list pages its JSON only: its CSV is whole, and a paging parameter must not refuse it), so the
/// OpenAPI document names the two there as on every other list.
/// </summary>
public sealed class PagedQuery
{
    public static readonly PagedQuery Instance = new();

    private PagedQuery()
    {
    }
}
