using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Documents;
using TrialManager.Infrastructure.Documents;
using TrialManager.Infrastructure.Documents.Protocols;
using TrialManager.Infrastructure.Documents.Templates;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Documents;

public sealed record CompleteProtocolDocument(string ParticipantId, string Sha256, string ProtocolId, string ProtocolVersion, string ProtocolSha256)
    : ICommand, IAuditedCommand
{
    public string? AuditTrialId => null;
}

public sealed class CompleteProtocolDocumentHandler(TrialDbContext db, TimeProvider clock) : ICommandHandler<CompleteProtocolDocument>
{
    public async ValueTask<Unit> Handle(CompleteProtocolDocument command, CancellationToken cancellationToken)
    {
        var document = await db.ProtocolDocuments.SingleAsync(d => d.ParticipantId == command.ParticipantId, cancellationToken);
        document.Complete(new ProtocolDocumentContent(command.Sha256, command.ProtocolId, command.ProtocolVersion, command.ProtocolSha256), clock.GetUtcNow());

        return Unit.Value;
    }
}
