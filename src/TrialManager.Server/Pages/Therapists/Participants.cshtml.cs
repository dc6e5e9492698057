using Mediator;
using Microsoft.AspNetCore.Mvc;
using TrialManager.Server.Common;
using TrialManager.Server.Features.Therapy;
using TrialManager.Server.Pages.Shared;
using TrialManager.Server.Security;

namespace TrialManager.Server.Pages.Therapists;

/// <summary>A therapist's home: their own participants, from the query of GET /api/therapists/me/participants.</summary>
[PagePolicy(Policies.Therapist)]
public sealed class ParticipantsModel(ISender sender) : TrialPageModel
{
    public IReadOnlyList<TherapistParticipant> Participants { get; private set; } = [];

    /// <summary>The next page, while more participants remain.</summary>
    public string? NextLink { get; private set; }

    public Task<IActionResult> OnGetAsync(string? after, CancellationToken ct) => Show(async () =>
    {
        var page = PageResults.PageOf(await sender.Send(new GetMyParticipants(), ct), PageRequest.From(null, after), p => $"{p.TrialId}\u001f{p.Id}");
        Participants = page.Items;
        NextLink = page.Next is { } next ? PageResults.NextPageLink(Request, next) : null;
    });
}
