using TrialManager.Domain.Common;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Documents;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Documents;
using TrialManager.Infrastructure.Documents.Protocols;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Documents;

/// <summary>
/// Marks the document running and returns what to render; null when it is already ready. What goes into the document
/// (the allocation, never changed, with its participant and trial) is read before the write gate, beside other
/// requests; inside it only the document's row is read again and marked, so documents catching up during a burst of
/// randomizations take as little of the serialised time as they can.
/// </summary>
public sealed record StartProtocolDocument(string ParticipantId) : ICommand<ProtocolDocumentModel?>, IAuditedCommand, IReadsBeforeWriteGate
{
    public string? AuditTrialId => null;
}

public sealed class StartProtocolDocumentHandler(TrialDbContext db, WriteTransaction transaction, ProtocolLibrary protocols)
    : TwoPhaseCommandHandler<StartProtocolDocument, ProtocolDocumentModel, ProtocolDocumentModel?>(transaction)
{
    protected override async ValueTask<Prepared<ProtocolDocumentModel, ProtocolDocumentModel?>> PrepareAsync(
        StartProtocolDocument command, CancellationToken cancellationToken)
    {
        var status = await db.ProtocolDocuments
                         .Where(d => d.ParticipantId == command.ParticipantId)
                         .Select(d => (DocumentStatus?)d.Status)
                         .SingleOrDefaultAsync(cancellationToken)
                     ?? throw new NotFoundException($"No protocol document is owed to {command.ParticipantId}.");
        if (status == DocumentStatus.Ready)
        {
            return Prepared<ProtocolDocumentModel, ProtocolDocumentModel?>.AnswerWith(null);
        }

        var participant = await db.Participants.AsNoTracking().SingleAsync(p => p.Id == command.ParticipantId, cancellationToken);
        var allocation = await db.Allocations.AsNoTracking().SingleAsync(a => a.ParticipantId == command.ParticipantId, cancellationToken);
        var trial = await db.Trials.AsNoTracking().SingleAsync(t => t.Id == participant.TrialId, cancellationToken);
        // The version the trial's amendments put in force; documents already produced keep theirs.
        var protocol = protocols.Get(allocation.Formulation.Wire(), allocation.Arm.Wire(), trial.ProtocolVersions);

        return Prepared<ProtocolDocumentModel, ProtocolDocumentModel?>.Apply(new ProtocolDocumentModel(
            participant.Id, participant.Site, trial.Id, trial.Definition.Title, trial.Definition.Registration ?? "not registered",
            allocation.Formulation.Wire(),
            [.. participant.Ratings.Select(r => new ProtocolDocumentRating(
                r.Rater, r.Scores.Cognitive, r.Scores.Interpersonal, r.Scores.Behavioral, r.Scores.Environmental, r.Consensus, r.RatedAt))],
            allocation.Arm.Wire(), allocation.Stratum, allocation.RandomizedAt,
            protocol, protocol.Version, protocol.Sha256,
            // Dated by the allocation, so a retry renders the very same document.
            allocation.RandomizedAt));
    }

    protected override async ValueTask<ProtocolDocumentModel?> ApplyAsync(
        StartProtocolDocument command, ProtocolDocumentModel model, CancellationToken cancellationToken)
    {
        var document = await db.ProtocolDocuments.SingleAsync(d => d.ParticipantId == command.ParticipantId, cancellationToken);
        return document.Start() ? model : null; // null: a duplicate job finished it meanwhile
    }
}
