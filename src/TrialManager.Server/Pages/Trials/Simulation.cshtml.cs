using Mediator;
using Microsoft.AspNetCore.Mvc;
using TrialManager.Server.Features.Statistics;
using TrialManager.Server.Features.Trials;
using TrialManager.Server.Security;
using TrialManager.Server.Web;

namespace TrialManager.Server.Pages.Trials;

/// <summary>The statistician's design simulation: the same SimulateDesign query as POST /api/trials/{id}/design-simulation.</summary>
[PagePolicy(Policies.Statistician)]
public sealed class SimulationModel(ISender sender) : TrialPageModel
{
    [FromRoute]
    public string TrialId { get; set; } = string.Empty;

    [BindProperty]
    public int? Trials { get; set; } = 2_000;

    [BindProperty]
    public int? ParticipantsPerTrial { get; set; } = 200;

    [BindProperty]
    public string? Seed { get; set; }

    public TrialView? Trial { get; private set; }

    public DesignSimulationView? Result { get; private set; }

    public Task<IActionResult> OnGetAsync(CancellationToken ct) => Show(async () => Trial = await sender.Send(new GetTrial(TrialId), ct));

    public Task<IActionResult> OnPostAsync(CancellationToken ct) => Attempt("simulation", async () =>
    {
        Trial = await sender.Send(new GetTrial(TrialId), ct);
        Result = await sender.Send(new SimulateDesign(TrialId, Trials, ParticipantsPerTrial, string.IsNullOrWhiteSpace(Seed) ? null : Seed.Trim(), null), ct);
        return Page();
    });
}
