using Mediator;
using Microsoft.AspNetCore.Mvc;
using TrialManager.Server.Features.Participants;
using TrialManager.Server.Features.Trials;
using TrialManager.Server.Security;
using TrialManager.Server.Pages.Shared;

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

    public Task<IActionResult> OnGetAsync(string? status, string? search, CancellationToken ct) => Show(async () =>
    {
        Status = string.IsNullOrEmpty(status) ? null : status;
        Search = search;
        Trial = await sender.Send(new GetTrial(TrialId), ct);
        Participants = await sender.Send(new ListParticipants(TrialId, Status, null, search), ct);
    });
}
