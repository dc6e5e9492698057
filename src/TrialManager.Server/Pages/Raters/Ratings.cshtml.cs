using System.Globalization;
using Mediator;
using Microsoft.AspNetCore.Mvc;
using TrialManager.Domain.Common;
using TrialManager.Domain.Participants;
using TrialManager.Server.Common;
using TrialManager.Server.Features.Raters;
using TrialManager.Server.Pages.Shared;
using TrialManager.Server.Security;

namespace TrialManager.Server.Pages.Raters;

/// <summary>
/// The ratings the rater made themselves, each named by the trial and when it was made, with the corrections they made
/// of them; one at a time opens the shared correction form, sent through the API's <c>CorrectRecord</c> so the rules
/// are the API's. The page never carries a study id (a randomized participant's has left the rater's queue) nor a
/// rating's number (it tells a blind rater how many ratings came before theirs): the rating is found server-side.
/// </summary>
[PagePolicy(Policies.Rater)]
public sealed class RatingsModel(ISender sender) : TrialPageModel, ICorrectingPage
{
    /// <summary>
    /// The domain's 409 for a correction that would change a decided primary formulation, said without its rating number.
    /// It is the only conflict a rating's correction can meet.
    /// </summary>
    public const string DecidedMessage =
        "Nothing was corrected: this correction would change the primary formulation of your rating, and the case's formulation was decided on it. " +
        "A decided formulation changes only through a consensus rating; ask the trial's coordinator.";

    /// <summary>The address of the rating whose form is open (<see cref="RaterRatingView.Address"/>); the shared form posts it under this name.</summary>
    [BindProperty]
    public string? CorrectionParticipantId { get; set; }

    [BindProperty]
    public string? CorrectionField { get; set; }

    [BindProperty]
    public string? CorrectionValue { get; set; }

    [BindProperty]
    public string? CorrectionReason { get; set; }

    public IReadOnlyList<RaterRatingView> Ratings { get; private set; } = [];

    /// <summary>The rating being corrected, when one is chosen.</summary>
    public RaterRatingView? Correcting { get; private set; }

    public string? NextLink { get; private set; }

    /// <summary>Its status follows the API's: a refused correction of a deciding rating is a 409.</summary>
    protected override int ConflictStatus => StatusCodes.Status409Conflict;

    public Task<IActionResult> OnGetAsync(string? after, string? correct, CancellationToken ct) => Show(() =>
    {
        CorrectionParticipantId = string.IsNullOrEmpty(correct) ? null : correct;
        return LoadAsync(after, ct);
    });

    public Task<IActionResult> OnPostCorrectAsync(CancellationToken ct) => Attempt("correction", async () =>
    {
        await LoadAsync(null, ct);
        // The choices are this rating's values ("rating/cognitive"); anything else, a number included, is not offered here.
        var (target, field) = CorrectionForm.Parse(CorrectionField);
        if (!string.IsNullOrEmpty(CorrectionField) && target != "rating")
        {
            throw RequestValidationException.For("correction.field", "must be one of the values of your rating offered here");
        }

        var rating = await sender.Send(new FindRaterRating(CorrectionParticipantId), ct);
        try
        {
            Notice = await CorrectionForm.SendAsync(sender, rating.ParticipantId,
                string.Create(CultureInfo.InvariantCulture, $"rating:{rating.Number}/{field}"), CorrectionValue, CorrectionReason, ct);
        }
        catch (WorkflowConflictException)
        {
            throw new WorkflowConflictException(DecidedMessage);
        }

        return Redirect($"/raters/ratings?correct={Uri.EscapeDataString(CorrectionParticipantId!)}#correction");
    });

    /// <summary>The rating's values the form offers, each with what it holds now.</summary>
    public static IReadOnlyList<CorrectionChoice> Choices(RaterRatingView r) =>
    [
        new("rating", "cognitive", $"Cognitive ({FormulationScores.Anchored(r.Scores.Cognitive)})"),
        new("rating", "interpersonal", $"Interpersonal ({FormulationScores.Anchored(r.Scores.Interpersonal)})"),
        new("rating", "behavioral", $"Behavioral ({FormulationScores.Anchored(r.Scores.Behavioral)})"),
        new("rating", "environmental", $"Environmental ({FormulationScores.Anchored(r.Scores.Environmental)})"),
        new("rating", "rationale", "Rationale"),
    ];

    /// <summary>When the rater rated, to the second: how the page names a rating to them.</summary>
    public static string When(RaterRatingView r) => r.RatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";

    private async Task LoadAsync(string? after, CancellationToken ct)
    {
        var all = await sender.Send(new GetRaterRatings(), ct);
        if (CorrectionParticipantId is { } address)
        {
            // Another rater's rating, or none: the same 404 as the correction itself would meet.
            Correcting = all.FirstOrDefault(r => r.Address == address)
                         ?? throw new NotFoundException("That is not one of your ratings; nothing was corrected.");
        }

        // Newest first: a rating mistyped a moment ago is at the top.
        var page = PageResults.PageOf(all, PageRequest.From(null, after),
            r => string.Create(CultureInfo.InvariantCulture, $"{long.MaxValue - r.RatedAt.UtcTicks:D19}|{r.Address}"));
        Ratings = page.Items;
        NextLink = page.Next is { } next ? PageResults.NextPageLink(Request, next, "correct") : null;
    }
}
