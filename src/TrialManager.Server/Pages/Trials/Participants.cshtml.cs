using Mediator;
using Microsoft.AspNetCore.Mvc;
using TrialManager.Server.Features.Participants;
using TrialManager.Server.Features.Trials;
using TrialManager.Server.Security;
using TrialManager.Server.Pages.Shared;
using TrialManager.Server.Common;

namespace TrialManager.Server.Pages.Trials;

[PagePolicy(Policies.Coordinator)]
public sealed class ParticipantsModel(ISender sender) : TrialPageModel
{
    [FromRoute]
    public string TrialId { get; set; } = string.Empty;

    public string? Status { get; private set; }

    public string? Search { get; private set; }

    public TrialView? Trial { get; private set; }

    public IReadOnlyList<ParticipantSummary> Participants { get; private set; } = [];

    /// <summary>The next page with the same filters, while more participants remain.</summary>
    public string? NextLink { get; private set; }

    public Task<IActionResult> OnGetAsync(string? status, string? search, string? after, CancellationToken ct) => Show(async () =>
    {
        Status = string.IsNullOrEmpty(status) ? null : status;
        Search = search;
        Trial = await sender.Send(new GetTrial(TrialId), ct);
        var page = await sender.Send(new ListParticipants(TrialId, Status, null, search, PageRequest.From(null, after)), ct);
        Participants = page.Items;
        NextLink = page.Next is { } next ? PageResults.NextPageLink(Request, next) : null;
    });
}
