using Mediator;
using Microsoft.AspNetCore.Mvc;
using TrialManager.Domain.Common;
using TrialManager.Server.Features.Raters;
using TrialManager.Server.Pages.Shared;
using TrialManager.Server.Security;

namespace TrialManager.Server.Pages.Raters;

/// <summary>
/// A rater's practice on the trials' reference cases: the material only (never the experts' answer), rated through the
/// API's practice command, then whether it agreed and the rater's own certification status; nothing of other raters.
/// </summary>
[PagePolicy(Policies.Rater)]
public sealed class PracticeModel(ISender sender) : TrialPageModel
{
    /// <summary>The trial and case the posted form rated; its form shows the errors and what was typed.</summary>
    [BindProperty]
    public string? TrialId { get; set; }

    [BindProperty]
    public string? Code { get; set; }

    [BindProperty]
    public QueueModel.ScoresInput Scores { get; set; } = new();

    public IReadOnlyList<PracticeTrialView> Trials { get; private set; } = [];

    public Task<IActionResult> OnGetAsync(CancellationToken ct) => Show(async () => Trials = await sender.Send(new GetRaterPractice(), ct));

    public Task<IActionResult> OnPostPractiseAsync(CancellationToken ct) => Attempt("practice", async () =>
    {
        Trials = await sender.Send(new GetRaterPractice(), ct);
        if (string.IsNullOrEmpty(TrialId) || string.IsNullOrEmpty(Code))
        {
            throw new DomainValidationException("practice", "Choose a reference case to rate.");
        }

        var outcome = await sender.Send(new RateReferenceCase(TrialId, Code,
            new ScoresRequest(Scores.Cognitive, Scores.Interpersonal, Scores.Behavioral, Scores.Environmental)), ct);
        Notice = $"Practice rating of {Code} recorded: your primary formulation {(outcome.Agreed ? "agreed" : "did not agree")} with the experts'. "
            + (outcome.Certified ? $"You are certified for trial {TrialId}." : $"You are not certified for trial {TrialId} yet.");
        return Redirect("/raters/practice");
    });
}
