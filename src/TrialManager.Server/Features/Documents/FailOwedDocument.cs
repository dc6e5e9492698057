using Mediator;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Documents;

/// <summary>Records why an attempt at an owed document failed; its job then rethrows, so Hangfire retries it.</summary>
public sealed record FailOwedDocument(OwedDocumentRef Document, string Error) : ICommand, INamedAuditAction
{
    public string AuditAction => "Fail" + Document.Kind;
}

public sealed class FailOwedDocumentHandler(TrialDbContext db) : ICommandHandler<FailOwedDocument>
{
    public async ValueTask<Unit> Handle(FailOwedDocument command, CancellationToken cancellationToken)
    {
        // No row: nothing is owed, so there is nothing to mark (the job's own exception still reaches Hangfire).
        (await command.Document.FindAsync(db, cancellationToken))?.Fail(command.Error);
        return Unit.Value;
    }
}
