using Hangfire;
using Mediator;
using TrialManager.Server.Common;
using TrialManager.Server.Features.Documents;

namespace TrialManager.Server.Jobs;

/// <summary>Renders an ethics-board report. Idempotent; retried with backoff on failure.</summary>
[AutomaticRetry(Attempts = 5, DelaysInSeconds = [2, 10, 30, 120, 600])]
public sealed class ReportJob(ISender sender)
{
    public async Task RunAsync(Guid reportId, CancellationToken cancellationToken) =>
        await sender.Send(new GenerateReport(reportId), cancellationToken);
}
