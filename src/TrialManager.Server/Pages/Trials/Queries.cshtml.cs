using Mediator;
using Microsoft.AspNetCore.Mvc;
using TrialManager.Domain.Participants;
using TrialManager.Server.Common;
using TrialManager.Server.Features.Corrections;
using TrialManager.Server.Features.Trials;
using TrialManager.Server.Pages.Shared;
using TrialManager.Server.Security;

namespace TrialManager.Server.Pages.Trials;

/// <summary>
/// The trial's open data queries (a coordinator's: of their sites): the site answers one, a statistician or an admin
/// (as monitor) raises one; each through the API's command and with the API's roles. An answer may carry the corrected
/// value, applied with the answer as its reason in the same command as the API's.
/// </summary>
[PagePolicy(Policies.DataQueries)]
public sealed class QueriesModel(ISender sender) : TrialPageModel
{
    [FromRoute]
    public string TrialId { get; set; } = string.Empty;

    [BindProperty]
    public Guid? QueryId { get; set; }

    [BindProperty]
    public string? Answer { get; set; }

    /// <summary>The corrected value of the queried field, when the answer corrects it (blank: an answer without a correction).</summary>
    [BindProperty]
    public string? CorrectionValue { get; set; }

    [BindProperty]
    public string? ParticipantId { get; set; }

    [BindProperty]
    public string? Target { get; set; }

    [BindProperty]
    public string? Field { get; set; }

    [BindProperty]
    public string? Question { get; set; }

    public TrialView? Trial { get; private set; }

    public IReadOnlyList<DataQueryView> Open { get; private set; } = [];

    /// <summary>The next page of open queries, while more remain.</summary>
    public string? NextLink { get; private set; }

    public bool MayAnswer => Actor.Role == Roles.Coordinator;

    public bool MayRaise => Policies.RolesByPolicy[Policies.RaiseDataQuery].Contains(Actor.Role);

    public Task<IActionResult> OnGetAsync(string? after, CancellationToken ct) => Show(() => LoadAsync(after, ct));

    public Task<IActionResult> OnPostAnswerAsync(CancellationToken ct) => Attempt("queryId", async () =>
    {
        await LoadAsync(null, ct);
        if (!MayAnswer)
        {
            return ShowProblem(StatusCodes.Status403Forbidden, "Only the coordinator of the participant's site answers a data query.");
        }

        if (QueryId is not { } id)
        {
            throw RequestValidationException.For("queryId", "choose the query to answer");
        }

        // The value typed as the API takes it for the queried field; the correction and the answer are one command, so a
        // refused value leaves the query open and nothing corrected.
        var field = Open.FirstOrDefault(q => q.Id == id)?.Field;
        var correction = string.IsNullOrWhiteSpace(CorrectionValue) ? null : new QueryCorrectionRequest(CorrectionForm.ValueJson(field, CorrectionValue));
        var answered = await sender.Send(new AnswerDataQuery(id, Answer, correction), ct);
        Notice = $"The query on {answered.ParticipantId} ({answered.Field}) is answered.";
        return Redirect($"/trials/{TrialId}/queries");
    });

    public Task<IActionResult> OnPostRaiseAsync(CancellationToken ct) => Attempt("raise", async () =>
    {
        await LoadAsync(null, ct);
        if (!MayRaise)
        {
            return ShowProblem(StatusCodes.Status403Forbidden, "Only a statistician or an admin (as monitor) raises a data query.");
        }

        if (string.IsNullOrWhiteSpace(ParticipantId))
        {
            throw RequestValidationException.For("participantId", "is required: the study id of the participant");
        }

        // A participant of another trial is not one of this page's.
        Features.Participants.ParticipantView participant;
        try
        {
            participant = await sender.Send(new Features.Participants.GetParticipant(ParticipantId.Trim()), ct);
        }
        catch (NotFoundException e)
        {
            throw RequestValidationException.For("participantId", e.Message);
        }

        if (participant.TrialId != TrialId)
        {
            throw RequestValidationException.For("participantId", $"is not a participant of {TrialId}");
        }

        var target = string.IsNullOrWhiteSpace(Target) ? Correction.ParticipantTarget : Target.Trim();
        var raised = await sender.Send(new RaiseDataQuery(participant.Id, target, Field?.Trim(), Question), ct);
        Notice = $"Query raised on {raised.ParticipantId} ({raised.Field}); site {raised.Site} answers it.";
        return Redirect($"/trials/{TrialId}/queries");
    });

    private async Task LoadAsync(string? after, CancellationToken ct)
    {
        Trial = await sender.Send(new GetTrial(TrialId), ct);
        var page = PageResults.PageOf(await sender.Send(new ListDataQueries(TrialId, "open"), ct), PageRequest.From(null, after),
            q => $"{PageRequest.Text(q.RaisedAt)}|{q.Id:D}");
        Open = page.Items;
        NextLink = page.Next is { } next ? PageResults.NextPageLink(Request, next) : null;
    }
}
