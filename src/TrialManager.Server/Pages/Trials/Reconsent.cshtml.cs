using Mediator;
using Microsoft.AspNetCore.Mvc;
using TrialManager.Server.Common;
using TrialManager.Server.Features.Participants;
using TrialManager.Server.Features.Trials;
using TrialManager.Server.Pages.Shared;
using TrialManager.Server.Security;

namespace TrialManager.Server.Pages.Trials;

/// <summary>
/// The re-consent list of the coordinator's sites (the query of GET /api/trials/{id}/reconsent): participants consented
/// under an older consent version than the current one, each re-consented here through the API's consent command.
/// </summary>
[PagePolicy(Policies.Coordinator)]
public sealed class ReconsentModel(ISender sender) : TrialPageModel
{
    [FromRoute]
    public string TrialId { get; set; } = string.Empty;

    [BindProperty]
    public string? ParticipantId { get; set; }

    /// <summary>The version re-consented under: the list's current version, sent back so the command checks it.</summary>
    [BindProperty]
    public string? ConsentVersion { get; set; }

    [BindProperty]
    public DateOnly? ConsentedOn { get; set; }

    public TrialView? Trial { get; private set; }

    public IReadOnlyList<ReconsentView> Waiting { get; private set; } = [];

    public string? NextLink { get; private set; }

    public Task<IActionResult> OnGetAsync(string? after, CancellationToken ct) => Show(() => LoadAsync(after, ct));

    public Task<IActionResult> OnPostAsync(CancellationToken ct) => Attempt("reconsent", async () =>
    {
        await LoadAsync(null, ct);
        if (string.IsNullOrWhiteSpace(ParticipantId))
        {
            throw RequestValidationException.For("participantId", "choose the participant who re-consented");
        }

        // One of this trial's participants (another site's is the API's 404).
        var participant = await sender.Send(new GetParticipant(ParticipantId), ct);
        if (participant.TrialId != TrialId)
        {
            throw RequestValidationException.For("participantId", $"is not a participant of {TrialId}");
        }

        var consented = await sender.Send(new RecordConsent(participant.Id, ConsentVersion, ConsentedOn, null), ct);
        Notice = $"{consented.Id} re-consented under version {ConsentVersion} on {ConsentedOn:yyyy-MM-dd}.";
        return Redirect($"/trials/{TrialId}/reconsent");
    });

    private async Task LoadAsync(string? after, CancellationToken ct)
    {
        Trial = await sender.Send(new GetTrial(TrialId), ct);
        var page = PageResults.PageOf(await sender.Send(new GetReconsentList(TrialId), ct), PageRequest.From(null, after), r => r.Key);
        Waiting = page.Items;
        NextLink = page.Next is { } next ? PageResults.NextPageLink(Request, next) : null;
    }
}
