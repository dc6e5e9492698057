using TrialManager.Server.Features.Raters;
using Hangfire;
using Hangfire.Dashboard;
using Microsoft.AspNetCore.WebUtilities;
using Scalar.AspNetCore;
using TrialManager.Server.Common;
using TrialManager.Server.Features.Audit;
using TrialManager.Server.Features.Blinding;
using TrialManager.Server.Features.Corrections;
using TrialManager.Server.Features.Documents;
using TrialManager.Server.Features.Exports;
using TrialManager.Server.Features.Instruments;
using TrialManager.Server.Features.Measures;
using TrialManager.Server.Features.Notifications;
using TrialManager.Server.Features.Participants;
using TrialManager.Server.Features.Safety;
using TrialManager.Server.Features.Statistics;
using TrialManager.Server.Features.Therapy;
using TrialManager.Server.Features.Trials;
using TrialManager.Server.Features.Visits;
using TrialManager.Server.Security;
using TrialManager.Server.Pages.Shared;

namespace TrialManager.Server.Hosting;

public static class ServerPipeline
{
    private const string OpenApiDocumentName = "v1";

    public static WebApplication UseTrialManager(this WebApplication app)
    {
        app.Use(RequestHardening.SecurityHeaders);
        app.UseExceptionHandler();
        // Bodiless 404/405/415s (no route, wrong method) become problem details too, whatever the Accept header says.
        app.UseStatusCodePages(context => Problems.WriteAsync(context.HttpContext, context.HttpContext.Response.StatusCode,
            ReasonPhrases.GetReasonPhrase(context.HttpContext.Response.StatusCode), context.HttpContext.Response.StatusCode switch
            {
                404 => "Nothing is found at this address.",
                405 => "This address does not accept this method.",
                _ => "The request could not be handled.",
            }));
        app.Use(RequestHardening.LimitBodySize);
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapHealth();
        app.MapTrialEndpoints();
        app.MapParticipantEndpoints();
        app.MapTherapyEndpoints();
        app.MapRaterEndpoints();
        app.MapMeasureEndpoints();
        app.MapSafetyEndpoints();
        app.MapNotificationEndpoints();
        app.MapVisitEndpoints();
        app.MapCorrectionEndpoints();
        app.MapStatisticsEndpoints();
        app.MapDocumentEndpoints();
        app.MapBlindingEndpoints();
        app.MapExportEndpoints();
        app.MapAuditEndpoints();
        app.MapInstrumentEndpoints();

        app.MapTrialManagerPages();

        // The OpenAPI endpoint answers an unknown document with a plain-text 404; ours are problem details like every error.
        app.MapOpenApi("/openapi/{documentName}.json").AddEndpointFilter(async (context, next) =>
            context.HttpContext.GetRouteValue("documentName") as string == OpenApiDocumentName
                ? await next(context)
                : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not Found", detail: "There is no such OpenAPI document; try /openapi/v1.json."));
        app.MapScalarApiReference("/docs", o => o.WithTitle("TrialManager API").WithOpenApiRoutePattern("/openapi/{documentName}.json"));

        // The job dashboard is for admins; authorization is the endpoint's, not Hangfire's local-only default.
        app.MapHangfireDashboard("/jobs", new DashboardOptions { Authorization = [new EndpointAuthorizesDashboard()], DisplayStorageConnectionString = false })
            .RequireAuthorization(Policies.Admin);
        return app;
    }

    private sealed class EndpointAuthorizesDashboard : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context) => true;
    }
}
