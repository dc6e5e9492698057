using Mediator;
using Microsoft.AspNetCore.Mvc;
using TrialManager.Domain.Common;
using TrialManager.Domain.Trials;
using TrialManager.Server.Common;
using TrialManager.Server.Features.Statistics;
using TrialManager.Server.Features.Trials;
using TrialManager.Server.Security;
using TrialManager.Server.Pages.Shared;

namespace TrialManager.Server.Pages.Trials;

/// <summary>
/// The statistician's design simulation and power simulation: the same SimulateDesign and SimulatePower queries as
/// POST /api/trials/{id}/design-simulation and /power-simulation.
/// </summary>
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

    /// <summary>The assumed mean of each cell, keyed "formulation-arm" (SD units).</summary>
    [BindProperty]
    public Dictionary<string, double?> Cells { get; set; } = [];

    [BindProperty]
    public double? Dropout { get; set; }

    [BindProperty]
    public int? PowerParticipants { get; set; }

    [BindProperty]
    public int? PowerTrials { get; set; } = 2_000;

    [BindProperty]
    public string? PowerSeed { get; set; }

    public PowerSimulationView? Power { get; private set; }

    public static string CellKey(Formulation formulation, ArmCode arm) => $"{formulation.Wire()}-{arm.Wire()}";

    public Task<IActionResult> OnGetAsync(CancellationToken ct) => Show(async () => Trial = await sender.Send(new GetTrial(TrialId), ct));

    public Task<IActionResult> OnPostAsync(CancellationToken ct) => Attempt("simulation", async () =>
    {
        Trial = await sender.Send(new GetTrial(TrialId), ct);
        Result = await sender.Send(new SimulateDesign(TrialId, Trials, ParticipantsPerTrial, string.IsNullOrWhiteSpace(Seed) ? null : Seed.Trim(), null), ct);
        return Page();
    });

    public Task<IActionResult> OnPostPowerAsync(CancellationToken ct) => Attempt("power", async () =>
    {
        Trial = await sender.Send(new GetTrial(TrialId), ct);
        var effects = Trial.Formulations.ToDictionary(
            f => f.Wire(),
            f => (Dictionary<string, double?>?)(Trial.Arms ?? []).ToDictionary(a => a.Code.Wire(), a => Cells.GetValueOrDefault(CellKey(f, a.Code))));
        try
        {
            Power = await sender.Send(new SimulatePower(TrialId, effects, null, null, null, Dropout, PowerParticipants, PowerTrials, null,
                string.IsNullOrWhiteSpace(PowerSeed) ? null : PowerSeed.Trim()), ct);
        }
        catch (RequestValidationException e)
        {
            // The design simulation's form above has fields of the same names: keep each form's errors on its own.
            throw new RequestValidationException(e.Errors.ToDictionary(x => "power." + x.Key, x => x.Value));
        }

        return Page();
    });
}
