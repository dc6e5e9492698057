using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.SqlServer;
using Microsoft.Extensions.DependencyInjection;
using TrialManager.Infrastructure.Persistence;

namespace TrialManager.Infrastructure.Jobs;

/// <summary>
/// Hangfire's storage follows the database: the server databases share their job storage with every server
/// instance (how the system scales out); the embedded default keeps jobs in memory, and what must not be lost
/// lives in our own tables (the outbox rows) and is re-enqueued on start.
/// </summary>
public static class JobStorageSetup
{
    public static IServiceCollection AddTrialJobs(this IServiceCollection services, DatabaseSettings settings, int workerCount, TimeSpan shutdownTimeout)
    {
        services.AddHangfire(configuration =>
        {
            configuration
                .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings();
            switch (settings.Provider)
            {
                case DatabaseProvider.PostgreSql:
                    configuration.UsePostgreSqlStorage(
                        options => options.UseNpgsqlConnection(settings.ConnectionString),
                        new PostgreSqlStorageOptions
                        {
                            SchemaName = "hangfire",
                            QueuePollInterval = TimeSpan.FromMilliseconds(200),
                            PrepareSchemaIfNecessary = true,
                            // Locks here are rows, released by a DELETE. One taken when the database goes away (a
                            // worker changing a job's state) outlives the outage, and every later state change of
                            // that job, retried by the same worker, waits until the row counts as expired: with the
                            // default 10 minutes, both workers sat on such locks and no document was made. Hangfire
                            // holds its locks for a state change or one maintenance batch, far below a minute.
                            DistributedLockTimeout = TimeSpan.FromMinutes(1),
                        });
                    break;
                case DatabaseProvider.SqlServer:
                    configuration.UseSqlServerStorage(settings.ConnectionString, new SqlServerStorageOptions
                    {
                        SchemaName = "hangfire",
                        QueuePollInterval = TimeSpan.FromMilliseconds(200),
                        PrepareSchemaIfNecessary = true,
                    });
                    break;
                default:
                    configuration.UseInMemoryStorage();
                    break;
            }
        });
        services.AddHangfireServer(options =>
        {
            options.WorkerCount = workerCount;
            options.SchedulePollingInterval = TimeSpan.FromSeconds(1);
            // Jobs are idempotent and owed work is re-enqueued on start, so shutdown need not wait long for them.
            options.StopTimeout = shutdownTimeout;
            options.ShutdownTimeout = shutdownTimeout;
            options.ServerName = $"{Environment.MachineName}:{Environment.ProcessId}";
        });
        return services;
    }
}
