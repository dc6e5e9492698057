using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Documents;
using TrialManager.Infrastructure.Documents;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;
using TrialManager.Server.Features.Participants;
using TrialManager.Server.Security;

namespace TrialManager.Server.Features.Participants;

/// <summary>GET /api/participants/{id}/protocol-document: the PDF when ready, else its status.</summary>
public sealed record GetProtocolDocument(string ParticipantId) : IQuery<ProtocolDocumentResult>;

public sealed record ProtocolDocumentResult(DocumentStatus Status, Stream? Content, string? Error);

public sealed class GetProtocolDocumentHandler(TrialDbContext db, IActorAccessor actors, DocumentStore store)
    : IQueryHandler<GetProtocolDocument, ProtocolDocumentResult>
{
    public async ValueTask<ProtocolDocumentResult> Handle(GetProtocolDocument query, CancellationToken cancellationToken)
    {
        var participant = await db.LoadParticipantAsync(query.ParticipantId, actors.Current, cancellationToken);
        var document = await db.ProtocolDocuments.AsNoTracking().SingleOrDefaultAsync(d => d.ParticipantId == participant.Id, cancellationToken)
            ?? throw new NotFoundException("The participant has no protocol document: it is made at randomization.");
        if (document is { Status: DocumentStatus.Ready, Sha256: { } sha })
        {
            return new ProtocolDocumentResult(document.Status, store.Open(sha) ?? throw new NotFoundException("The document file is missing."), null);
        }

        return new ProtocolDocumentResult(document.Status, null, document.Status == DocumentStatus.Failed ? "generation failed; it is retried" : null);
    }
}
