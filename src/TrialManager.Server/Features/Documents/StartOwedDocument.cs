using Mediator;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Documents;

/// <summary>Begins an attempt at an owed document: false when it is already done (a duplicate job then stops).</summary>
public sealed record StartOwedDocument(OwedDocumentRef Document) : ICommand<bool>, INamedAuditAction
{
    public string AuditAction => "Start" + Document.Kind;
}

public sealed class StartOwedDocumentHandler(TrialDbContext db) : ICommandHandler<StartOwedDocument, bool>
{
    public async ValueTask<bool> Handle(StartOwedDocument command, CancellationToken cancellationToken)
    {
        var document = await command.Document.FindAsync(db, cancellationToken)
                       ?? throw new NotFoundException($"Nothing is owed for {command.Document}.");
        return document.Start();
    }
}
