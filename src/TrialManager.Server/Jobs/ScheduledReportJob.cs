using Mediator;
using TrialManager.Server.Common;
using TrialManager.Server.Features.Documents;

namespace TrialManager.Server.Jobs;

/// <summary>The scheduled ethics report of one recruiting trial: requests it like a person would.</summary>
public sealed class ScheduledReportJob(ISender sender)
{
    public async Task RunAsync(string trialId, CancellationToken cancellationToken) =>
        await sender.Send(new RequestReport(trialId, "ethicsProgress", Scheduled: true), cancellationToken);
}
