using Hangfire;
using Hangfire.Dashboard;
using Scalar.AspNetCore;
using TrialManager.Server.Features.Audit;
using TrialManager.Server.Features.Documents;
using TrialManager.Server.Features.Participants;
using TrialManager.Server.Features.Statistics;
using TrialManager.Server.Features.Trials;
using TrialManager.Server.Security;
using TrialManager.Server.Web;

namespace TrialManager.Server.Hosting;

public static class ServerPipeline
{
    public static WebApplication UseTrialManager(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.Use(SecurityHeaders);
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapHealth();
        app.MapTrialEndpoints();
        app.MapParticipantEndpoints();
        app.MapStatisticsEndpoints();
        app.MapReportEndpoints();
        app.MapAuditEndpoints();

        app.MapTrialManagerPages();

        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapScalarApiReference("/docs", o => o.WithTitle("TrialManager API").WithOpenApiRoutePattern("/openapi/{documentName}.json"));

        // The job dashboard is for admins; authorization is the endpoint's, not Hangfire's local-only default.
        app.MapHangfireDashboard("/jobs", new DashboardOptions { Authorization = [new EndpointAuthorizesDashboard()], DisplayStorageConnectionString = false })
            .RequireAuthorization(Policies.Admin);
        return app;
    }

    private static async Task SecurityHeaders(HttpContext context, RequestDelegate next)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        if (WebPages.IsPagePath(context.Request.Path))
        {
            headers.ContentSecurityPolicy = WebPages.ContentSecurityPolicy;
        }
        else if (!context.Request.Path.StartsWithSegments("/docs") && !context.Request.Path.StartsWithSegments("/jobs"))
        {
            headers.ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";
        }

        headers.CacheControl = "no-store";
        await next(context);
    }

    private sealed class EndpointAuthorizesDashboard : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context) => true;
    }
}
