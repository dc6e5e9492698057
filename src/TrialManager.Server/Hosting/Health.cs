using Hangfire;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using TrialManager.Infrastructure.Persistence;

namespace TrialManager.Server.Hosting;

/// <summary>
/// GET /health, no key: ASP.NET Core's health checks (the database and the job storage, each with a 3 s timeout, so
/// an unreachable database is reported in seconds), written as the contract's JSON: each "healthy" or
/// "unavailable", 200 when both are healthy and 503 otherwise.
/// </summary>
public static class Health
{
    private const string Database = "database";
    private const string JobStorage = "jobStorage";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    public static IServiceCollection AddServerHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>(Database, HealthStatus.Unhealthy, [], Timeout)
            .AddCheck<JobStorageHealthCheck>(JobStorage, HealthStatus.Unhealthy, [], Timeout);
        return services;
    }

    public static void MapHealth(this IEndpointRouteBuilder app) =>
        app.MapGet("/health", async (HealthCheckService health, DatabaseSettings settings, CancellationToken ct) =>
            {
                var report = await health.CheckHealthAsync(ct);
                string Status(string check) =>
                    report.Entries.TryGetValue(check, out var entry) && entry.Status == HealthStatus.Healthy ? "healthy" : "unavailable";
                var healthy = report.Status == HealthStatus.Healthy;
                return Results.Json(
                    new
                    {
                        status = healthy ? "healthy" : "unhealthy",
                        database = new { provider = settings.Provider.ToString(), status = Status(Database) },
                        jobStorage = new { status = Status(JobStorage) },
                    },
                    statusCode: healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
            })
            .AllowAnonymous()
            .WithTags("Health")
            .WithSummary("Database and job storage status; no key needed.");

    private sealed class DatabaseHealthCheck(TrialDbContext db) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken) =>
            await Probe(() => db.Database.CanConnectAsync(cancellationToken));
    }

    private sealed class JobStorageHealthCheck(JobStorage jobs) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken) =>
            await Probe(() => Task.Run(() => jobs.GetMonitoringApi().Servers().Count >= 0, cancellationToken));
    }

    // Any failure (refused connection, timeout, a storage exception) is "unavailable", never a 500.
    private static async Task<HealthCheckResult> Probe(Func<Task<bool>> check)
    {
        try
        {
            return await check() ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return HealthCheckResult.Unhealthy(exception: e);
        }
    }
}
