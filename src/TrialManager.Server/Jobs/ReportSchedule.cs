using Hangfire;
using TrialManager.Infrastructure.Documents;
using TrialManager.Server.Common;
using TrialManager.Server.Features.Documents;

namespace TrialManager.Server.Jobs;

/// <summary>One recurring ethics report per recruiting trial; the cron comes from configuration (default monthly).</summary>
public sealed class ReportSchedule(IRecurringJobManager recurring, IConfiguration configuration)
{
    public const string DefaultCron = "0 6 1 * *";

    public string Cron => configuration["TrialManager:Reports:EthicsProgressCron"] is { Length: > 0 } cron ? cron : DefaultCron;

    public static string JobId(string trialId) => $"ethics-progress:{trialId}";

    public void Apply(string trialId, bool recruiting)
    {
        if (recruiting)
        {
            recurring.AddOrUpdate<ScheduledReportJob>(JobId(trialId), j => j.RunAsync(trialId, CancellationToken.None), Cron,
                new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
        }
        else
        {
            recurring.RemoveIfExists(JobId(trialId));
        }
    }
}
