using Mediator;
using Microsoft.AspNetCore.Mvc;
using TrialManager.Domain.Common;
using TrialManager.Infrastructure.Documents;
using TrialManager.Server.Common;
using TrialManager.Server.Features.Documents;
using TrialManager.Server.Features.Statistics;
using TrialManager.Server.Features.Trials;
using TrialManager.Server.Security;
using TrialManager.Server.Pages.Shared;

namespace TrialManager.Server.Pages.Trials;

/// <summary>The ethics board's view: the CONSORT flow, recruitment, and the reports (download, request a new one).</summary>
[PagePolicy(Policies.Reports)]
public sealed class EthicsModel(ISender sender, SecurityAudit securityAudit) : TrialPageModel
{
    [FromRoute]
    public string TrialId { get; set; } = string.Empty;

    public TrialView? Trial { get; private set; }

    public ConsortView? Consort { get; private set; }

    public IReadOnlyList<MonthlyCount> ByMonth { get; private set; } = [];

    public IReadOnlyList<SiteRecruitment> BySite { get; private set; } = [];

    public IReadOnlyList<ReportView> Reports { get; private set; } = [];

    /// <summary>The freezes a report can be made from, newest first: the request form offers them beside the data now.</summary>
    public IReadOnlyList<ReportFreeze> Freezes { get; private set; } = [];

    /// <summary>The signatures of the listed reports, by report.</summary>
    public ILookup<Guid, SignatureView> Signatures { get; private set; } = Array.Empty<SignatureView>().ToLookup(s => s.ReportId);

    /// <summary>The board member may sign the reports of their audience (the ethics progress report).</summary>
    public bool MaySign(ReportView report) => ReportSigning.MaySign(Actor, report);

    /// <summary>Older reports, while more remain.</summary>
    public string? NextLink { get; private set; }

    public Task<IActionResult> OnGetAsync(string? after, CancellationToken ct) => Show(() => LoadAsync(after, ct));

    public Task<IActionResult> OnPostReportAsync(string? freezeId, CancellationToken ct) => Attempt("report", async () =>
    {
        await LoadAsync(null, ct);
        var report = await sender.Send(new RequestReport(TrialId, "ethicsProgress", FreezeId: ReportFreezes.Parse(freezeId)), ct);
        Notice = $"Report requested ({report.Id.ToString()[..8]}…){ReportFreezes.Of(report)}; it is {report.Status.Wire()}. Refresh to see it ready.";
        return Redirect($"/trials/{TrialId}/ethics#reports");
    });

    /// <summary>Signing re-enters the key the page was signed in with: the same command and checks as the API's.</summary>
    public Task<IActionResult> OnPostSignAsync(Guid reportId, string? meaning, string? key, CancellationToken ct) => Attempt("sign", async () =>
    {
        await LoadAsync(null, ct);
        Notice = await ReportSigning.SignAsync(sender, securityAudit, HttpContext, reportId, meaning, key, ct);
        return Redirect($"/trials/{TrialId}/ethics#reports");
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
            return Redirect($"/trials/{TrialId}/ethics#reports");
        }
    }

    private async Task LoadAsync(string? after, CancellationToken ct)
    {
        Trial = await sender.Send(new GetTrial(TrialId), ct);
        Consort = await sender.Send(new GetConsort(TrialId), ct);
        var data = await sender.Send(new GetEthicsReportData(TrialId), ct);
        ByMonth = data.RecruitmentByMonth;
        BySite = data.RecruitmentBySite;
        var page = await sender.Send(new ListReports(TrialId, PageRequest.From(null, after)), ct);
        Reports = page.Items;
        Freezes = await sender.Send(new ListReportFreezes(TrialId), ct);
        Signatures = (await sender.Send(new ListReportSignatures([.. Reports.Select(r => r.Id)]), ct)).ToLookup(s => s.ReportId);
        NextLink = page.Next is { } next ? PageResults.NextPageLink(Request, next, "handler") + "#reports" : null;
    }
}
