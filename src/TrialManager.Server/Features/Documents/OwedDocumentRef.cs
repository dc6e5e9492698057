using TrialManager.Domain.Documents;
using TrialManager.Infrastructure.Persistence;

namespace TrialManager.Server.Features.Documents;

/// <summary>
/// Which owed document a lifecycle command is about. Its kind names the command's audit event ("StartReport",
/// "CompleteProtocolDocument"), the names the trail has always carried.
/// </summary>
public abstract record OwedDocumentRef(string Kind)
{
    /// <summary>The document's row, tracked; null when none is owed.</summary>
    public abstract Task<OwedDocument?> FindAsync(TrialDbContext db, CancellationToken cancellationToken);
}
