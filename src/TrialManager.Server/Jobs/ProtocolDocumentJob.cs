using Hangfire;
using Mediator;
using TrialManager.Server.Common;
using TrialManager.Server.Features.Documents;

namespace TrialManager.Server.Jobs;

/// <summary>Renders a participant's protocol document. Idempotent; retried with backoff on failure.</summary>
[AutomaticRetry(Attempts = 5, DelaysInSeconds = [2, 10, 30, 120, 600])]
public sealed class ProtocolDocumentJob(ISender sender)
{
    public async Task RunAsync(string participantId, CancellationToken cancellationToken) =>
        await sender.Send(new GenerateProtocolDocument(participantId), cancellationToken);
}
