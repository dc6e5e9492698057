using Mediator;
using Microsoft.AspNetCore.Mvc;
using TrialManager.Server.Features.Trials;
using TrialManager.Server.Security;
using TrialManager.Server.Web;

namespace TrialManager.Server.Pages.Trials;

[PagePolicy(Policies.AnyRole)]
public sealed class TrialListModel(ISender sender) : TrialPageModel
{
    public IReadOnlyList<TrialView> Trials { get; private set; } = [];

    public Task<IActionResult> OnGetAsync(CancellationToken ct) => Show(async () => Trials = await sender.Send(new GetTrials(), ct));
}
