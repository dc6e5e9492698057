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

        statistician.MapGet("/trials/{trialId}/export", async (string trialId, HttpContext http, TrialDbContext db, AnalysisExport export, TimeProvider clock, CancellationToken ct) =>
            {
                EnsureZip(http);
                // Read before the first byte: once the stream has started, a 404 can no longer be sent.
                var trial = await db.ReadTrialAsync(trialId, ct);
                var takenAt = clock.GetUtcNow();
                // The rows go out asynchronously; only closing each zip entry (the deflater's last block, the entry's
                // sizes) writes synchronously, a few bytes per file, which the server must allow for this response.
                http.Features.GetRequiredFeature<IHttpBodyControlFeature>().AllowSynchronousIO = true;
                return Results.Stream(body => export.WriteAsync(trial, body, takenAt, null, ct), "application/zip", $"{trialId}-export.zip");
            })
            .WithSummary("The analysis export: a zip of CSV files (participants, ratings, allocations, sessions, item responses, scores, visits, events), the codebook and a manifest, streamed.");

        statistician.MapPost("/trials/{trialId}/freezes", async (string trialId, TrialFreezer freezer, CancellationToken ct) =>
            {
                var freeze = await freezer.FreezeAsync(trialId, ct);
                return Results.Created($"/api/freezes/{freeze.Id}/export", freeze);
            })
            .WithSummary("Freezes the data as of now: the export written now is kept; 201 with its id, time and SHA-256 (also in the audit trail).");

        statistician.MapGet("/freezes/{freezeId:guid}/export", async (Guid freezeId, HttpContext http, ISender sender, CancellationToken ct) =>
            {
                EnsureZip(http);
                var frozen = await sender.Send(new GetFrozenExport(freezeId), ct);
                return Results.File(frozen.Content, "application/zip", $"{frozen.TrialId}-freeze-{freezeId}.zip");
            })
            .WithSummary("A freeze's export, byte-identical on every download.");
    }

    // CDISC ODM is not offered yet: asking for it (or any other format) is a 400, not a zip the client did not ask for.
    private static void EnsureZip(HttpContext http)
    {
        var format = http.Request.Query["format"];
        if (format.Count > 0 && !(format.Count == 1 && string.Equals(format[0], "zip", StringComparison.OrdinalIgnoreCase)))
        {
            throw RequestValidationException.For("format", "must be zip (the default); CDISC ODM is not available yet");
        }
    }
}
