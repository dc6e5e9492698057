using Mediator;
using Microsoft.AspNetCore.Mvc;
using TrialManager.Server.Common;
using TrialManager.Server.Features.Measures;
using TrialManager.Server.Pages.Shared;
using TrialManager.Server.Security;

namespace TrialManager.Server.Pages.Trials;

/// <summary>
/// The trial's safety alerts at the coordinator's sites (the query of <c>GET /api/trials/{trialId}/alerts</c>), each
/// open one with a form to acknowledge it with the action taken, through the API's <c>AcknowledgeAlert</c>.
/// </summary>
[PagePolicy(Policies.Coordinator)]
public sealed class AlertsModel(ISender sender) : TrialPageModel
{
    [FromRoute]
    public string TrialId { get; set; } = string.Empty;

    [BindProperty]
    public Guid? AlertId { get; set; }

    [BindProperty]
    public string? Action { get; set; }

    /// <summary>Acknowledged alerts are listed too (<c>?status=all</c>).</summary>
    public bool All { get; private set; }

    public IReadOnlyList<AlertView> Alerts { get; private set; } = [];

    public Task<IActionResult> OnGetAsync(string? status, CancellationToken ct) => Show(() => LoadAsync(status, ct));

    public Task<IActionResult> OnPostAcknowledgeAsync(CancellationToken ct) => Attempt("ack-" + AlertId, async () =>
    {
        await LoadAsync(null, ct);
        AlertView acknowledged;
        try
        {
            acknowledged = await sender.Send(new AcknowledgeAlert(AlertId ?? Guid.Empty, Action), ct);
        }
        catch (RequestValidationException e)
        {
            // Keyed by alert: each open alert has its own form.
            throw new RequestValidationException(e.Errors.ToDictionary(kv => $"{kv.Key}-{AlertId}", kv => kv.Value));
        }

        Notice = $"The {acknowledged.Rule} alert of {acknowledged.ParticipantId} is acknowledged: {acknowledged.Action}";
        return Redirect($"/trials/{TrialId}/alerts");
    });

    private async Task LoadAsync(string? status, CancellationToken ct)
    {
        All = status == "all";
        Alerts = await sender.Send(new GetAlerts(TrialId, All ? "all" : "open"), ct);
    }
}
