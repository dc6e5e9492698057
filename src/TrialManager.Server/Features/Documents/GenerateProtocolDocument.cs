using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Common;
using TrialManager.Domain.Documents;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Documents;
using TrialManager.Infrastructure.Documents.Templates;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Documents;

/// <summary>
/// The protocol-document job's one request. Rendering happens outside any write transaction (it is the slow
/// part); only marking the row running and recording the result are commands. Idempotent: a ready document is
/// never rendered again, and equal bytes land in the same content-addressed file.
/// </summary>
public sealed record GenerateProtocolDocument(string ParticipantId) : IRequest;

public sealed class GenerateProtocolDocumentHandler(
    ISender sender, DocumentStore store, LowPriorityWork background, ILogger<GenerateProtocolDocumentHandler> logger)
    : IRequestHandler<GenerateProtocolDocument>
{
    public async ValueTask<Unit> Handle(GenerateProtocolDocument request, CancellationToken cancellationToken)
    {
        try
        {
            // Inside the try: a failure to prepare (e.g. the protocol library cannot load) must show in the status too.
            if (await sender.Send(new StartProtocolDocument(request.ParticipantId), cancellationToken) is not { } model)
            {
                return Unit.Value;
            }

            var pdf = await background.RunAsync(() => ProtocolDocumentTemplate.Render(model), cancellationToken);
            var sha256 = await store.SaveAsync(pdf, cancellationToken);
            await sender.Send(new CompleteProtocolDocument(request.ParticipantId, sha256, model.Protocol.Id, model.ProtocolVersion, model.ProtocolSha256), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Protocol document for {ParticipantId} failed; Hangfire retries it.", request.ParticipantId);
            await sender.Send(new FailProtocolDocument(request.ParticipantId, e.GetType().Name + ": " + e.Message), cancellationToken);
            throw;
        }

        return Unit.Value;
    }
}
