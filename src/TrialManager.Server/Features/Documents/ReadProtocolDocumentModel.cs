using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Common;
using TrialManager.Domain.Documents;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Documents;
using TrialManager.Infrastructure.Documents.Protocols;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Documents;

/// <summary>
/// The protocol-document job's read of what to render; null when the document is already ready. What goes into the
/// document (the allocation, never changed, with its participant and trial) is read before the write gate, beside
/// other requests; inside it only the document's row is read again and marked, so documents catching up during a
/// burst of randomizations take as little of the serialised time as they can. A query of its own, so that a protocol
/// library that cannot load fails inside the job's flow and shows in the document's status.
/// </summary>
public sealed record ReadProtocolDocumentModel(string ParticipantId) : IQuery<ProtocolDocumentModel?>;

public sealed class ReadProtocolDocumentModelHandler(TrialDbContext db, ProtocolLibrary protocols)
    : IQueryHandler<ReadProtocolDocumentModel, ProtocolDocumentModel?>
{
    public async ValueTask<ProtocolDocumentModel?> Handle(ReadProtocolDocumentModel query, CancellationToken cancellationToken)
    {
        var status = await db.ProtocolDocuments
                         .Where(d => d.ParticipantId == query.ParticipantId)
                         .Select(d => (DocumentStatus?)d.Status)
                         .SingleOrDefaultAsync(cancellationToken)
                     ?? throw new NotFoundException($"No protocol document is owed to {query.ParticipantId}.");
        if (status == DocumentStatus.Ready)
        {
            return null;
        }

        var participant = await db.Participants.AsNoTracking().SingleAsync(p => p.Id == query.ParticipantId, cancellationToken);
        var allocation = await db.Allocations.AsNoTracking().SingleAsync(a => a.ParticipantId == query.ParticipantId, cancellationToken);
        var trial = await db.Trials.AsNoTracking().SingleAsync(t => t.Id == participant.TrialId, cancellationToken);
        // The version the trial's amendments put in force; documents already produced keep theirs.
        var protocol = protocols.Get(allocation.Formulation.Wire(), allocation.Arm.Wire(), trial.ProtocolVersions);

        return new ProtocolDocumentModel(
            participant.Id, participant.Site, trial.Id, trial.Definition.Title, trial.Definition.Registration ?? "not registered",
            allocation.Formulation.Wire(),
            [.. participant.Ratings.Select(r => new ProtocolDocumentRating(
                r.Rater, r.Scores.Cognitive, r.Scores.Interpersonal, r.Scores.Behavioral, r.Scores.Environmental, r.Consensus, r.RatedAt))],
            allocation.Arm.Wire(), allocation.Stratum, allocation.RandomizedAt,
            protocol, protocol.Version, protocol.Sha256,
            // Dated by the allocation, so a retry renders the very same document.
            allocation.RandomizedAt);
    }
}
