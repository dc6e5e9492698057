using Mediator;
using Microsoft.AspNetCore.Mvc;
using TrialManager.Server.Features.Trials;
using TrialManager.Server.Security;
using TrialManager.Server.Pages.Shared;
using TrialManager.Server.Common;

namespace TrialManager.Server.Pages.Trials;

[PagePolicy(Policies.AnyRole)]
public sealed class TrialListModel(ISender sender) : TrialPageModel
{
    public IReadOnlyList<TrialView> Trials { get; private set; } = [];

    /// <summary>The next page of trials, while more remain.</summary>
    public string? NextLink { get; private set; }

    public Task<IActionResult> OnGetAsync(string? after, CancellationToken ct) => Show(async () =>
    {
        var page = await sender.Send(new GetTrials(PageRequest.From(null, after)), ct);
        Trials = page.Items;
        NextLink = page.Next is { } next ? PageResults.NextPageLink(Request, next) : null;
    });
}
