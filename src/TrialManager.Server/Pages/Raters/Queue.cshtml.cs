using Mediator;
using Microsoft.AspNetCore.Mvc;
using TrialManager.Domain.Common;
using TrialManager.Server.Common;
using TrialManager.Server.Features.Raters;
using TrialManager.Server.Pages.Shared;
using TrialManager.Server.Security;

namespace TrialManager.Server.Pages.Raters;

/// <summary>
/// A rater's queue: the case material of each case waiting for them (as <see cref="RaterCaseView"/>, so never another
/// rater's scores, the status, the arm or the allocation) and a form to rate it through the API's command.
/// </summary>
[PagePolicy(Policies.Rater)]
public sealed class QueueModel(ISender sender) : TrialPageModel
{
    /// <summary>The case the posted form rated; its form shows the errors and what was typed.</summary>
    [BindProperty]
    public string? ParticipantId { get; set; }

    [BindProperty]
    public ScoresInput Scores { get; set; } = new();

    [BindProperty]
    public string? Rationale { get; set; }

    public IReadOnlyList<RaterCaseView> Cases { get; private set; } = [];

    /// <summary>The next page of the queue, while more cases remain.</summary>
    public string? NextLink { get; private set; }

    public Task<IActionResult> OnGetAsync(string? after, CancellationToken ct) => Show(() => LoadAsync(after, ct));

    public Task<IActionResult> OnPostRateAsync(CancellationToken ct) => Attempt("rating", async () =>
    {
        var queue = await LoadAsync(null, ct);
        if (string.IsNullOrEmpty(ParticipantId))
        {
            throw new DomainValidationException("rating", "Choose a case to rate.");
        }

        // A consensus is asked of this rater only when their queue says so; the command decides everything else.
        var waiting = queue.FirstOrDefault(c => c.ParticipantId == ParticipantId);
        await sender.Send(new RateFormulation(ParticipantId, null,
            new ScoresRequest(Scores.Cognitive, Scores.Interpersonal, Scores.Behavioral, Scores.Environmental),
            waiting?.Task == "consensus", Rationale), ct);
        Notice = waiting?.Task == "consensus" ? $"Consensus rating of {ParticipantId} recorded." : $"Rating of {ParticipantId} recorded.";
        return Redirect("/raters/queue");
    });

    /// <summary>Shows a page of the queue (paged as the API's); returns the whole queue.</summary>
    private async Task<IReadOnlyList<RaterCaseView>> LoadAsync(string? after, CancellationToken ct)
    {
        var queue = await sender.Send(new GetRaterQueue(), ct);
        var page = PageResults.PageOf(queue, PageRequest.From(null, after), c => $"{c.TrialId}\u001f{c.ParticipantId}");
        Cases = page.Items;
        NextLink = page.Next is { } next ? PageResults.NextPageLink(Request, next) : null;
        return queue;
    }

    public sealed class ScoresInput
    {
        public int? Cognitive { get; set; }

        public int? Interpersonal { get; set; }

        public int? Behavioral { get; set; }

        public int? Environmental { get; set; }
    }
}
