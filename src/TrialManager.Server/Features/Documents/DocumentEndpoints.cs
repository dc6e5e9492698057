using Mediator;
using TrialManager.Domain.Documents;
using TrialManager.Infrastructure.Documents;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;
using TrialManager.Server.Security;

namespace TrialManager.Server.Features.Documents;

public static class DocumentEndpoints
{
    public static void MapDocumentEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/trials/{trialId}/reports", async (string trialId, RequestReportRequest body, ISender sender, CancellationToken ct) =>
            {
                var report = await sender.Send(new RequestReport(trialId, body.Kind, FreezeId: body.FreezeId), ct);
                return Results.Accepted($"/api/reports/{report.Id}", new { report.Id, report.Status });
            })
            .RequireAuthorization(Policies.Reports).WithTags("Reports")
            .WithSummary("Queue an ethics-board report (or, by the DSMB, a closed one), of the live data or, with freezeId, of a freeze of the trial; poll its Location until ready.");

        app.MapGet("/api/trials/{trialId}/reports", async (string trialId, PageRequest page, HttpContext http, ISender sender, CancellationToken ct) =>
                http.Paged(await sender.Send(new ListReports(trialId, page), ct)))
            .RequireAuthorization(Policies.Reports).WithTags("Reports")
            .WithSummary("The trial's reports, requested and scheduled, newest first, paged (limit, after, Link).");

        app.MapGet("/api/reports/{reportId:guid}", (Guid reportId, ISender sender, CancellationToken ct) => sender.Send(new GetReport(reportId), ct))
            .RequireAuthorization(Policies.Reports).WithTags("Reports")
            .WithSummary("A report's status and, once ready, its SHA-256.");

        app.MapGet("/api/reports/{reportId:guid}/pdf", async (Guid reportId, ISender sender, CancellationToken ct) =>
                Results.File(await sender.Send(new GetReportPdf(reportId), ct), "application/pdf", $"report-{reportId}.pdf"))
            .RequireAuthorization(Policies.Reports).WithTags("Reports")
            .WithSummary("The report as PDF, once ready; once signed, its content followed by one signature page per signature.");

        app.MapPost("/api/reports/{reportId:guid}/signatures", async (Guid reportId, SignReportRequest body, ISender sender, CancellationToken ct) =>
            {
                var signature = await sender.Send(new SignReport(reportId, body.Meaning, body.Key), ct);
                return Results.Created($"/api/reports/{reportId}/pdf", signature);
            })
            .RequireAuthorization(Policies.ReportSigners).WithTags("Reports")
            .WithSummary("The report's audience signs a ready report: meaning reviewed or approved, re-entering their own key (a bearer token: one issued in the last 5 minutes).");

        app.MapPost(RequestHardening.DocumentUploadPath, async (HttpRequest request, ISender sender, CancellationToken ct) =>
            {
                using var buffer = new MemoryStream();
                await request.Body.CopyToAsync(buffer, ct);
                var pdf = buffer.ToArray();
                if (!pdf.AsSpan().StartsWith("%PDF-"u8))
                {
                    throw RequestValidationException.For("body", "must be a PDF (the report as downloaded, sent as application/pdf)");
                }

                return Results.Ok(await sender.Send(new VerifyReportPdf(pdf), ct));
            })
            .RequireAuthorization(Policies.ReportVerification).WithTags("Reports")
            .WithSummary("Send a report's PDF: whether it is a stored report's content, unchanged, or a signed copy as served, and who signed it.");
    }
}
