using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Documents;
using TrialManager.Infrastructure.Documents;
using TrialManager.Infrastructure.Documents.Templates;
using TrialManager.Infrastructure.Persistence;

namespace TrialManager.Server.Features.Documents;

/// <summary>The protocol-document job's one request: the owed-document flow for a randomized participant's document.</summary>
public sealed record GenerateProtocolDocument(string ParticipantId) : IRequest;

/// <summary>A participant's protocol document, whose row is keyed by the participant.</summary>
public sealed record ProtocolDocumentOf(string ParticipantId) : OwedDocumentRef("ProtocolDocument")
{
    public override async Task<OwedDocument?> FindAsync(TrialDbContext db, CancellationToken cancellationToken) =>
        await db.ProtocolDocuments.SingleOrDefaultAsync(d => d.ParticipantId == ParticipantId, cancellationToken);
}

public sealed class GenerateProtocolDocumentHandler(
    ISender sender, DocumentStore store, LowPriorityWork background, ILogger<GenerateProtocolDocumentHandler> logger)
    : GenerateOwedDocumentHandler<GenerateProtocolDocument, ProtocolDocumentModel>(sender, store, logger)
{
    protected override OwedDocumentRef Document(GenerateProtocolDocument request) => new ProtocolDocumentOf(request.ParticipantId);

    /// <summary>Resolved by the query, not here: a library that cannot load must fail inside the flow, not before it.</summary>
    protected override ValueTask<ProtocolDocumentModel?> PrepareAsync(GenerateProtocolDocument request, CancellationToken cancellationToken) =>
        Sender.Send(new ReadProtocolDocumentModel(request.ParticipantId), cancellationToken);

    protected override Task<byte[]> RenderAsync(ProtocolDocumentModel model, CancellationToken cancellationToken) =>
        background.RunAsync(() => ProtocolDocumentTemplate.Render(model), cancellationToken);

    /// <summary>The document records which approved protocol text the therapist received.</summary>
    protected override DocumentContent Content(ProtocolDocumentModel model, string sha256) =>
        new ProtocolDocumentContent(sha256, model.Protocol.Id, model.ProtocolVersion, model.ProtocolSha256);
}
