using Mediator;
using TrialManager.Domain.Documents;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Documents;

/// <summary>Records an owed document's stored content; a document already done keeps its first.</summary>
public sealed record CompleteOwedDocument(OwedDocumentRef Document, DocumentContent Content) : ICommand, INamedAuditAction
{
    public string AuditAction => "Complete" + Document.Kind;
}

public sealed class CompleteOwedDocumentHandler(TrialDbContext db, TimeProvider clock) : ICommandHandler<CompleteOwedDocument>
{
    public async ValueTask<Unit> Handle(CompleteOwedDocument command, CancellationToken cancellationToken)
    {
        var document = await command.Document.FindAsync(db, cancellationToken)
                       ?? throw new NotFoundException($"Nothing is owed for {command.Document}.");
        document.Complete(command.Content, clock.GetUtcNow());
        return Unit.Value;
    }
}
