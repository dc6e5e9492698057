using Hangfire;
using Microsoft.EntityFrameworkCore;
using TrialManager.Infrastructure.Persistence;

namespace TrialManager.Server.Hosting;

public static class Health
{
    /// <summary>GET /health, no key: the database and the job storage, each "healthy" or "unavailable".</summary>
    public static void MapHealth(this IEndpointRouteBuilder app) =>
        app.MapGet("/health", async (TrialDbContext db, JobStorage jobs, DatabaseSettings settings, CancellationToken ct) =>
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(3));
                var database = await Probe(() => db.Database.CanConnectAsync(timeout.Token));
                var jobStorage = await Probe(() => Task.Run(() => jobs.GetMonitoringApi().Servers().Count >= 0, timeout.Token));
                var healthy = database && jobStorage;
                return Results.Json(
                    new
                    {
                        status = healthy ? "healthy" : "unhealthy",
                        database = new { provider = settings.Provider.ToString(), status = database ? "healthy" : "unavailable" },
                        jobStorage = new { status = jobStorage ? "healthy" : "unavailable" },
                    },
                    statusCode: healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
            })
            .AllowAnonymous()
            .WithTags("Health")
            .WithSummary("Database and job storage status; no key needed.");

    private static async Task<bool> Probe(Func<Task<bool>> check)
    {
        try
        {
            return await check();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return false;
        }
    }
}
