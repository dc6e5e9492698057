using Mediator;
using Microsoft.AspNetCore.Mvc;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;
using TrialManager.Server.Features.Exports;
using TrialManager.Server.Features.Trials;
using TrialManager.Server.Pages.Shared;
using TrialManager.Server.Security;

namespace TrialManager.Server.Pages.Trials;

/// <summary>
/// The statistician's exports: the live zip and ODM, the codebook alone, freezing the data now and the freezes with
/// their hashes. Downloads are plain links; the live ones are written to the response as they are read (no
/// Content-Length), so the browser's download shows the size received while a large trial is exported.
/// </summary>
[PagePolicy(Policies.Statistician)]
public sealed class ExportsModel(ISender sender) : TrialPageModel
{
    [FromRoute]
    public string TrialId { get; set; } = string.Empty;

    public TrialView? Trial { get; private set; }

    public IReadOnlyList<FreezeListItem> Freezes { get; private set; } = [];

    /// <summary>Older freezes, while more remain.</summary>
    public string? NextLink { get; private set; }

    public Task<IActionResult> OnGetAsync(string? after, CancellationToken ct) => Show(() => LoadAsync(after, ct));

    /// <summary>Freezes the data as of now through the API's <see cref="TrialFreezer"/> (the audited FreezeTrial command).</summary>
    public Task<IActionResult> OnPostFreezeAsync([FromServices] TrialFreezer freezer, CancellationToken ct) => Attempt("freeze", async () =>
    {
        var freeze = await freezer.FreezeAsync(TrialId, ct);
        Notice = $"Frozen at {freeze.FrozenAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC: freeze {freeze.Id}, SHA-256 {freeze.Sha256}.";
        return Redirect($"/trials/{TrialId}/exports#freezes");
    });

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

    /// <summary>The ODM document, as GET /api/trials/{id}/export?format=odm gives it, streamed.</summary>
    public async Task<IActionResult> OnGetOdmAsync([FromServices] OdmExport odm, [FromServices] TrialDbContext db, [FromServices] TimeProvider clock, CancellationToken ct)
    {
        // Read before the first byte: once the stream has started, a 404 can no longer be shown.
        Trial? trial = null;
        var check = await Show(async () => trial = await db.ReadTrialAsync(TrialId, ct));
        if (Problem is not null || trial is null)
        {
            return check;
        }

        Response.ContentType = "application/xml; charset=utf-8";
        Response.Headers.ContentDisposition = $"attachment; filename=\"{TrialId}-odm.xml\"";
        await odm.WriteAsync(trial, Response.Body, clock.GetUtcNow(), ct);
        return new EmptyResult();
    }

    /// <summary>The export's codebook.html alone; an attachment, so its own inline style applies when it is opened.</summary>
    public async Task<IActionResult> OnGetCodebookAsync([FromServices] AnalysisExport export, CancellationToken ct)
    {
        byte[]? html = null;
        var check = await Show(async () => html = await export.CodebookHtmlAsync(TrialId, ct));
        return Problem is not null || html is null ? check : File(html, "text/html; charset=utf-8", $"{TrialId}-codebook.html");
    }

    /// <summary>A freeze's zip, byte for byte; a freeze of another trial is the same 404 as an unknown one.</summary>
    public async Task<IActionResult> OnGetFrozenAsync(Guid freezeId, CancellationToken ct)
    {
        FrozenExport? frozen = null;
        var check = await Show(async () =>
        {
            frozen = await sender.Send(new GetFrozenExport(freezeId), ct);
            if (frozen.TrialId != TrialId)
            {
                await frozen.Content.DisposeAsync();
                frozen = null;
                throw new NotFoundException($"No freeze with id {freezeId}.");
            }
        });
        return Problem is not null || frozen is null ? check : File(frozen.Content, "application/zip", $"{TrialId}-freeze-{freezeId}.zip");
    }

    private async Task LoadAsync(string? after, CancellationToken ct)
    {
        Trial = await sender.Send(new GetTrial(TrialId), ct);
        var page = await sender.Send(new ListFreezes(TrialId, PageRequest.From(null, after)), ct);
        Freezes = page.Items;
        NextLink = page.Next is { } next ? PageResults.NextPageLink(Request, next, "handler") + "#freezes" : null;
    }
}
