using Mediator;
using TrialManager.Domain.Documents;
using TrialManager.Infrastructure.Documents;

namespace TrialManager.Server.Features.Documents;

/// <summary>
/// The one flow of every owed document's job. Rendering happens outside any write transaction (it is the slow part);
/// only starting, completing and failing the document are commands. Idempotent: a done document is never rendered
/// again, and equal bytes land in the same content-addressed file. A failure is recorded, then rethrown so that
/// Hangfire retries with backoff. Each kind says only what differs: which row, what to read before starting, how to
/// render, and what its content records beside the hash.
/// </summary>
public abstract class GenerateOwedDocumentHandler<TRequest, TInput>(ISender sender, DocumentStore store, ILogger logger)
    : IRequestHandler<TRequest>
    where TRequest : IRequest
    where TInput : class
{
    protected ISender Sender { get; } = sender;

    public async ValueTask<Unit> Handle(TRequest request, CancellationToken cancellationToken)
    {
        var document = Document(request);
        try
        {
            // Inside the try: a failure to prepare (e.g. the protocol library cannot load) must show in the status too.
            if (await PrepareAsync(request, cancellationToken) is not { } input
                || !await Sender.Send(new StartOwedDocument(document), cancellationToken))
            {
                return Unit.Value;
            }

            var pdf = await RenderAsync(input, cancellationToken);
            var sha256 = await store.SaveAsync(pdf, cancellationToken);
            await Sender.Send(new CompleteOwedDocument(document, Content(input, sha256)), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "{Document} failed; Hangfire retries it.", document);
            await Sender.Send(new FailOwedDocument(document, e.GetType().Name + ": " + e.Message), cancellationToken);
            throw;
        }

        return Unit.Value;
    }

    protected abstract OwedDocumentRef Document(TRequest request);

    /// <summary>Outside any transaction, before the attempt starts: what to render, or null when the document is done.</summary>
    protected abstract ValueTask<TInput?> PrepareAsync(TRequest request, CancellationToken cancellationToken);

    /// <summary>After the attempt started, outside any transaction: the PDF.</summary>
    protected abstract Task<byte[]> RenderAsync(TInput input, CancellationToken cancellationToken);

    protected virtual DocumentContent Content(TInput input, string sha256) => new(sha256);
}
