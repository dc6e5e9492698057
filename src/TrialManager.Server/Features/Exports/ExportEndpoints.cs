using Mediator;
using Microsoft.AspNetCore.Http.Features;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;
using TrialManager.Server.Security;

namespace TrialManager.Server.Features.Exports;

public static class ExportEndpoints
{
    public static void MapExportEndpoints(this IEndpointRouteBuilder app)
    {
        var statistician = app.MapGroup("/api").WithTags("Analysis export").RequireAuthorization(Policies.Statistician);

        statistician.MapGet("/trials/{trialId}/export", async (
                string trialId, HttpContext http, TrialDbContext db, AnalysisExport export, OdmExport odm, TimeProvider clock, CancellationToken ct) =>
            {
                var asOdm = IsOdm(http, odmOffered: true);
                var takenAt = clock.GetUtcNow();
                if (asOdm)
                {
                    // Read before the first byte: once the stream has started, a 404 can no longer be sent.
                    var trial = await db.ReadTrialAsync(trialId, ct);
                    return Results.Stream(body => odm.WriteAsync(trial, body, takenAt, ct), "application/xml; charset=utf-8", $"{trialId}-odm.xml");
                }

                var write = await export.PrepareAsync(trialId, takenAt, ct);
                AllowSynchronousClose(http);
                return Results.Stream(write, "application/zip", $"{trialId}-export.zip");
            })
            .WithSummary("The analysis export: a zip of CSV files (participants, ratings, allocations, sessions, item responses, scores, visits, events), the codebook and a manifest, streamed; with ?format=odm, CDISC ODM 1.3.2 XML.");

        statistician.MapPost("/trials/{trialId}/freezes", async (string trialId, TrialFreezer freezer, CancellationToken ct) =>
            {
                var freeze = await freezer.FreezeAsync(trialId, ct);
                return Results.Created($"/api/freezes/{freeze.Id}/export", freeze);
            })
            .WithSummary("Freezes the data as of now: the export written now is kept; 201 with its id, time and SHA-256 (also in the audit trail).");

        statistician.MapGet("/trials/{trialId}/freezes", async (string trialId, PageRequest page, HttpContext http, ISender sender, CancellationToken ct) =>
                http.Paged(await sender.Send(new ListFreezes(trialId, page), ct)))
            .WithSummary("The trial's freezes, newest first, each with its time, SHA-256 and who froze it; paged (limit, after, Link).");

        statistician.MapGet("/freezes/{freezeId:guid}/export", async (Guid freezeId, HttpContext http, ISender sender, CancellationToken ct) =>
            {
                IsOdm(http, odmOffered: false);
                var frozen = await sender.Send(new GetFrozenExport(freezeId), ct);
                return Results.File(frozen.Content, "application/zip", $"{frozen.TrialId}-freeze-{freezeId}.zip");
            })
            .WithSummary("A freeze's export, byte-identical on every download.");
    }

    /// <summary>
    /// The rows go out asynchronously; only closing each zip entry (the deflater's last block, the entry's sizes) writes
    /// synchronously, a few bytes per file, which the server must allow for the response.
    /// </summary>
    public static void AllowSynchronousClose(HttpContext http) =>
        http.Features.GetRequiredFeature<IHttpBodyControlFeature>().AllowSynchronousIO = true;

    /// <summary>
    /// The format asked for: zip (the default) or, of the live data, odm. A freeze keeps its zip only. Anything else is a
    /// 400, never a file the client did not ask for.
    /// </summary>
    private static bool IsOdm(HttpContext http, bool odmOffered)
    {
        var format = http.Request.Query["format"];
        if (format.Count == 0 || (format.Count == 1 && string.Equals(format[0], "zip", StringComparison.OrdinalIgnoreCase)))
        {
            return false;
        }

        if (odmOffered && format.Count == 1 && string.Equals(format[0], "odm", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        throw RequestValidationException.For("format", odmOffered ? "must be zip (the default) or odm" : "must be zip: a freeze keeps its zip");
    }
}
