using Hangfire;
using Hangfire.Dashboard;
using Scalar.AspNetCore;
using TrialManager.Server.Features.Audit;
using TrialManager.Server.Features.Documents;
using TrialManager.Server.Features.Participants;
using TrialManager.Server.Features.Statistics;
using TrialManager.Server.Features.Trials;
using TrialManager.Server.Security;

namespace TrialManager.Server.Hosting;

public static class ServerPipeline
{
    public static WebApplication UseTrialManager(this WebApplication app)
    {
        app.Use(RequestHardening.SecurityHeaders);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.Use(RequestHardening.LimitBodySize);
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapHealth();
        app.MapTrialEndpoints();
        app.MapParticipantEndpoints();
        app.MapStatisticsEndpoints();
        app.MapReportEndpoints();
        app.MapAuditEndpoints();

        app.MapOpenApi("/openapi/{documentName}.json");
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
