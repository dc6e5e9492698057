using Mediator;
using Microsoft.AspNetCore.Mvc;
using TrialManager.Server.Common;
using TrialManager.Server.Features.Safety;
using TrialManager.Server.Features.Trials;
using TrialManager.Server.Pages.Shared;
using TrialManager.Server.Security;

namespace TrialManager.Server.Pages.Trials;

/// <summary>
/// The serious adverse events awaiting medical review (the query of GET /api/trials/{id}/events; ?review=all lists every
/// one) and a form per event recording the review through the API's <see cref="ReviewEvent"/>. For the admin and the
/// DSMB alike the page shows what the API's list does, which names no arm: the reviewer judges seriousness, relatedness
/// and expectedness from the event itself, and the board reads harms by arm in its closed report.
/// </summary>
[PagePolicy(Policies.SafetyReview)]
public sealed class SeriousEventsModel(ISender sender) : TrialPageModel
{
    [FromRoute]
    public string TrialId { get; set; } = string.Empty;

    /// <summary>pending (the default) or all, as the API's <c>review</c>.</summary>
    [FromQuery(Name = "review")]
    public string? Review { get; set; }

    [BindProperty]
    public Guid? EventId { get; set; }

    [BindProperty]
    public string? Comment { get; set; }

    public TrialView? Trial { get; private set; }

    public IReadOnlyList<TrialEventView> Events { get; private set; } = [];

    public string? NextLink { get; private set; }

    public bool All => Review == "all";

    public Task<IActionResult> OnGetAsync(string? after, CancellationToken ct) => Show(() => LoadAsync(after, ct));

    public Task<IActionResult> OnPostAsync(CancellationToken ct) => Attempt("eventId", async () =>
    {
        await LoadAsync(null, ct);
        if (EventId is not { } id)
        {
            throw RequestValidationException.For("eventId", "choose the event to review");
        }

        // The command decides (another site's event is its 404, a repeated review its 409).
        var reviewed = await sender.Send(new ReviewEvent(id, Comment), ct);
        Notice = $"Your review of serious event {reviewed.Id.ToString()[..8]}… (recorded {reviewed.RecordedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC) is recorded.";
        return Redirect($"/trials/{TrialId}/serious-events{(All ? "?review=all" : "")}");
    });

    private async Task LoadAsync(string? after, CancellationToken ct)
    {
        Trial = await sender.Send(new GetTrial(TrialId), ct);
        var page = PageResults.PageOf(await sender.Send(new GetSeriousEvents(TrialId, Review), ct), PageRequest.From(null, after),
            e => $"{PageRequest.Text(e.Event.RecordedAt)}|{e.Event.Id:D}");
        Events = page.Items;
        NextLink = page.Next is { } next ? PageResults.NextPageLink(Request, next) : null;
    }
}
