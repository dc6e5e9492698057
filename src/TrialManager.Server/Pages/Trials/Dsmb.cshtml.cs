using Mediator;
using Microsoft.AspNetCore.Mvc;
using TrialManager.Domain.Common;
using TrialManager.Domain.Documents;
using TrialManager.Server.Common;
using TrialManager.Server.Features.Documents;
using TrialManager.Server.Features.Trials;
using TrialManager.Server.Pages.Shared;
using TrialManager.Server.Security;

namespace TrialManager.Server.Pages.Trials;

/// <summary>
/// The DSMB's page: request the closed report (or the open one), download them, and sign the closed ones, through the
/// API's commands.
/// </summary>
[PagePolicy(Policies.Dsmb)]
public sealed class DsmbModel(ISender sender, SecurityAudit securityAudit) : TrialPageModel
{
    [FromRoute]
    public string TrialId { get; set; } = string.Empty;

    public TrialView? Trial { get; private set; }

    public IReadOnlyList<ReportView> Reports { get; private set; } = [];

    /// <summary>The freezes a report can be made from, newest first: the request form offers them beside the data now.</summary>
    public IReadOnlyList<ReportFreeze> Freezes { get; private set; } = [];

    /// <summary>The signatures of the listed reports, by report.</summary>
    public ILookup<Guid, SignatureView> Signatures { get; private set; } = Array.Empty<SignatureView>().ToLookup(s => s.ReportId);

    /// <summary>Older reports, while more remain.</summary>
    public string? NextLink { get; private set; }

    public Task<IActionResult> OnGetAsync(string? after, CancellationToken ct) => Show(() => LoadAsync(after, ct));

    public Task<IActionResult> OnPostReportAsync(string? kind, string? freezeId, CancellationToken ct) => Attempt("report", async () =>
    {
        await LoadAsync(null, ct);
        var report = await sender.Send(new RequestReport(TrialId, kind, FreezeId: ReportFreezes.Parse(freezeId)), ct);
        Notice = $"{report.Kind.Wire()} report requested ({report.Id.ToString()[..8]}…){ReportFreezes.Of(report)}; it is {report.Status.Wire()}. Refresh to see it ready.";
        return Redirect($"/trials/{TrialId}/dsmb#reports");
    });

    /// <summary>The board signs its closed reports as the ethics page signs the progress report: the same command and checks.</summary>
    public Task<IActionResult> OnPostSignAsync(Guid reportId, string? meaning, string? key, CancellationToken ct) => Attempt("sign", async () =>
    {
        await LoadAsync(null, ct);
        Notice = await ReportSigning.SignAsync(sender, securityAudit, HttpContext, reportId, meaning, key, ct);
        return Redirect($"/trials/{TrialId}/dsmb#reports");
    });

    public async Task<IActionResult> OnGetPdfAsync(Guid reportId, CancellationToken ct)
    {
        try
        {
            return File(await sender.Send(new GetReportPdf(reportId), ct), "application/pdf", $"report-{reportId}.pdf");
        }
        catch (Exception e) when (e is NotFoundException or WorkflowConflictException)
        {
            Notice = e.Message;
            return Redirect($"/trials/{TrialId}/dsmb#reports");
        }
    }

    public static string KindText(ReportKind kind) => kind == ReportKind.DsmbClosed ? "closed (by arm)" : "ethics progress (pooled)";

    private async Task LoadAsync(string? after, CancellationToken ct)
    {
        Trial = await sender.Send(new GetTrial(TrialId), ct);
        var page = await sender.Send(new ListReports(TrialId, PageRequest.From(null, after)), ct);
        Reports = page.Items;
        Freezes = await sender.Send(new ListReportFreezes(TrialId), ct);
        Signatures = (await sender.Send(new ListReportSignatures([.. Reports.Select(r => r.Id)]), ct)).ToLookup(s => s.ReportId);
        NextLink = page.Next is { } next ? PageResults.NextPageLink(Request, next, "handler") + "#reports" : null;
    }
}
