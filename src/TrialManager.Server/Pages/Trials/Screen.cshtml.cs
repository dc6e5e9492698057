using Mediator;
using Microsoft.AspNetCore.Mvc;
using TrialManager.Domain.Participants;
using TrialManager.Server.Features.Participants;
using TrialManager.Server.Features.Trials;
using TrialManager.Server.Security;
using TrialManager.Server.Pages.Shared;

namespace TrialManager.Server.Pages.Trials;

[PagePolicy(Policies.Coordinator)]
public sealed class ScreenModel(ISender sender) : TrialPageModel
{
    [FromRoute]
    public string TrialId { get; set; } = string.Empty;

    [BindProperty]
    public string? Site { get; set; }

    [BindProperty]
    public int? AgeYears { get; set; }

    [BindProperty]
    public int? Severity { get; set; }

    [BindProperty]
    public List<string> Exclusions { get; set; } = [];

    [BindProperty]
    public int? Motivation { get; set; }

    [BindProperty]
    public int? Expectancy { get; set; }

    public TrialView? Trial { get; private set; }

    /// <summary>The participant just recorded as screenFailed, shown with the failed criteria by their fields.</summary>
    public ParticipantView? Screened { get; private set; }

    public Task<IActionResult> OnGetAsync(CancellationToken ct) => Show(async () => Trial = await sender.Send(new GetTrial(TrialId), ct));

    public Task<IActionResult> OnPostAsync(CancellationToken ct) => Attempt("screening", async () =>
    {
        Trial = await sender.Send(new GetTrial(TrialId), ct);
        var participant = await sender.Send(
            new ScreenParticipant(TrialId, Site, AgeYears, Severity, [.. Exclusions], Motivation, Expectancy), ct);
        if (participant.Status == ParticipantStatus.Eligible)
        {
            Notice = $"{participant.Id} is eligible. Record consent next.";
            return Redirect($"/participants/{participant.Id}");
        }

        Screened = participant;
        foreach (var reason in participant.Reasons)
        {
            ModelState.AddModelError(FieldOf(reason), reason);
        }

        return Page();
    });

    /// <summary>Which field a failed criterion belongs to (the domain words its reasons by criterion).</summary>
    private static string FieldOf(string reason) =>
        reason.StartsWith("age", StringComparison.Ordinal) ? "ageYears" :
        reason.StartsWith("severity", StringComparison.Ordinal) ? "severity" :
        reason.StartsWith("exclusion", StringComparison.Ordinal) ? "exclusions" : "screening";
}
