using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Documents;
using TrialManager.Infrastructure.Documents;
using TrialManager.Infrastructure.Documents.Protocols;
using TrialManager.Infrastructure.Documents.Templates;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Documents;

public sealed record FailProtocolDocument(string ParticipantId, string Error) : ICommand, IAuditedCommand
{
    public string? AuditTrialId => null;
}

public sealed class FailProtocolDocumentHandler(TrialDbContext db) : ICommandHandler<FailProtocolDocument>
{
    public async ValueTask<Unit> Handle(FailProtocolDocument command, CancellationToken cancellationToken)
    {
        // No row: nothing is owed, so there is nothing to mark (the job's own exception still reaches Hangfire).
        var document = await db.ProtocolDocuments.SingleOrDefaultAsync(d => d.ParticipantId == command.ParticipantId, cancellationToken);
        document?.Fail(command.Error);

        return Unit.Value;
    }
}
