using System.Globalization;
using Mediator;
using Microsoft.AspNetCore.Mvc;
using TrialManager.Server.Features.Audit;
using TrialManager.Server.Security;
using TrialManager.Server.Pages.Shared;
using TrialManager.Server.Common;

namespace TrialManager.Server.Pages.Admin;

/// <summary>
/// Admin: the audit trail a page at a time. The hash chain is verified on request only: verifying reads every event
/// there is, which a page load (repeated by every visit and every "next page") must not cost.
/// </summary>
[PagePolicy(Policies.Admin)]
public sealed class AuditModel(ISender sender) : TrialPageModel
{
    public const int PageSize = 200;

    public string? TrialId { get; private set; }

    public string? After { get; private set; }

    /// <summary>The next page's link with the same filter, while more events remain.</summary>
    public string? NextLink { get; private set; }

    public IReadOnlyList<AuditEventView> Events { get; private set; } = [];

    public AuditVerification? Verification { get; private set; }

    public Task<IActionResult> OnGetAsync(string? trialId, string? after, bool verify, CancellationToken ct) => Show(async () =>
    {
        TrialId = string.IsNullOrWhiteSpace(trialId) ? null : trialId.Trim();
        After = after;
        Verification = verify ? await sender.Send(new VerifyAuditChain(), ct) : null;
        var page = await sender.Send(new GetAuditTrail(TrialId, PageRequest.From(PageSize.ToString(CultureInfo.InvariantCulture), after)), ct);
        Events = page.Items;
        NextLink = page.Next is { } next ? PageResults.NextPageLink(Request, next, "verify") : null;
    });
}
