using Mediator;
using Microsoft.AspNetCore.Mvc;
using TrialManager.Server.Features.Exports;
using TrialManager.Server.Features.Raters;
using TrialManager.Server.Features.Statistics;
using TrialManager.Server.Features.Trials;
using TrialManager.Server.Security;
using TrialManager.Server.Pages.Shared;

namespace TrialManager.Server.Pages.Trials;

/// <summary>The statistician's view: the allocation table (and its CSV), the analysis export, balance, reliability and the sequence check.</summary>
[PagePolicy(Policies.Statistician)]
public sealed class StatisticsModel(ISender sender) : TrialPageModel
{
    /// <summary>Rows shown on the page; the CSV always holds every row.</summary>
    public const int ShownRows = 500;

    [FromRoute]
    public string TrialId { get; set; } = string.Empty;

    public TrialView? Trial { get; private set; }

    public List<AllocationRow> Allocations { get; } = [];

    public int AllocationCount { get; private set; }

    public BalanceView? Balance { get; private set; }

    public ReliabilityView? Reliability { get; private set; }

    public VerificationView? Verification { get; private set; }

    /// <summary>Each rater's certification and ratings made, from the same query as GET /api/trials/{trialId}/raters.</summary>
    public TrialRatersView? Raters { get; private set; }

    public Task<IActionResult> OnGetAsync(CancellationToken ct) => Show(() => LoadAsync(ct));

    public Task<IActionResult> OnPostVerifyAsync(CancellationToken ct) => Attempt("verify", async () =>
    {
        await LoadAsync(ct);
        Verification = await sender.Send(new VerifyRandomizationPlan(TrialId), ct);
        return Page();
    });

    /// <summary>The same CSV as GET /api/trials/{id}/allocations with Accept: text/csv, streamed.</summary>
    public async Task<IActionResult> OnGetCsvAsync(CancellationToken ct)
    {
        var check = await Show(async () => Trial = await sender.Send(new GetTrial(TrialId), ct));
        if (Problem is not null)
        {
            return check;
        }

        Response.ContentType = "text/csv; charset=utf-8";
        Response.Headers.ContentDisposition = $"attachment; filename=\"{TrialId}-allocations.csv\"";
        await AllocationCsv.WriteAsync(sender.CreateStream(new StreamAllocations(TrialId), ct), Response.Body, ct);
        return new EmptyResult();
    }

    /// <summary>The analysis export, as GET /api/trials/{id}/export gives it, streamed.</summary>
    public async Task<IActionResult> OnGetExportAsync([FromServices] AnalysisExport export, [FromServices] TimeProvider clock, CancellationToken ct)
    {
        Func<Stream, Task>? write = null;
        var check = await Show(async () => write = await export.PrepareAsync(TrialId, clock.GetUtcNow(), ct));
        if (Problem is not null || write is null)
        {
            return check;
        }

        ExportEndpoints.AllowSynchronousClose(HttpContext);
        Response.ContentType = "application/zip";
        Response.Headers.ContentDisposition = $"attachment; filename=\"{TrialId}-export.zip\"";
        await write(Response.Body);
        return new EmptyResult();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Trial = await sender.Send(new GetTrial(TrialId), ct);
        await foreach (var row in sender.CreateStream(new StreamAllocations(TrialId), ct))
        {
            if (AllocationCount++ < ShownRows)
            {
                Allocations.Add(row);
            }
        }

        Balance = await sender.Send(new GetBalance(TrialId), ct);
        Reliability = await sender.Send(new GetReliability(TrialId), ct);
        Raters = await sender.Send(new GetTrialRaters(TrialId), ct);
    }
}
