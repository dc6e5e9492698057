using Mediator;
using Microsoft.AspNetCore.Mvc;
using TrialManager.Server.Common;
using TrialManager.Server.Features.Trials;
using TrialManager.Server.Features.Visits;
using TrialManager.Server.Pages.Shared;
using TrialManager.Server.Security;

namespace TrialManager.Server.Pages.Trials;

/// <summary>The trial's due and overdue sessions and visits, by site: for coordinators and for assessors, who see no arm.</summary>
[PagePolicy(Policies.DueList)]
public sealed class VisitsModel(ISender sender) : TrialPageModel
{
    [FromRoute]
    public string TrialId { get; set; } = string.Empty;

    public string? Site { get; private set; }

    public TrialView? Trial { get; private set; }

    public IReadOnlyList<DueView> Due { get; private set; } = [];

    /// <summary>The next page with the same filter, while more remain.</summary>
    public string? NextLink { get; private set; }

    public Task<IActionResult> OnGetAsync(string? site, string? after, CancellationToken ct) => Show(async () =>
    {
        Site = string.IsNullOrEmpty(site) ? null : site;
        // The assessor's trial view has no arms: TrialView withholds them by role.
        Trial = await sender.Send(new GetTrial(TrialId), ct);
        var page = await sender.Send(new GetDueList(TrialId, Site, null, PageRequest.From(null, after)), ct);
        Due = page.Items;
        NextLink = page.Next is { } next ? PageResults.NextPageLink(Request, next) : null;
    });
}
