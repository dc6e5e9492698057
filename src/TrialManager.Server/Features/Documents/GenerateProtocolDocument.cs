using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Common;
using TrialManager.Domain.Documents;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Documents;
using TrialManager.Infrastructure.Documents.Protocols;
using TrialManager.Infrastructure.Documents.Templates;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Errors;
using TrialManager.Server.Pipeline;

namespace TrialManager.Server.Features.Documents;

/// <summary>
/// The protocol-document job's one request. Rendering happens outside any write transaction (it is the slow
/// part); only marking the row running and recording the result are commands. Idempotent: a ready document is
/// never rendered again, and equal bytes land in the same content-addressed file.
/// </summary>
public sealed record GenerateProtocolDocument(string ParticipantId) : IRequest;

public sealed class GenerateProtocolDocumentHandler(
    ISender sender, DocumentStore store, LowPriorityWork background, ILogger<GenerateProtocolDocumentHandler> logger)
    : IRequestHandler<GenerateProtocolDocument>
{
    public async ValueTask<Unit> Handle(GenerateProtocolDocument request, CancellationToken cancellationToken)
    {
        try
        {
            // Inside the try: a failure to prepare (e.g. the protocol library cannot load) must show in the status too.
            if (await sender.Send(new StartProtocolDocument(request.ParticipantId), cancellationToken) is not { } model)
            {
                return Unit.Value;
            }

            var pdf = await background.RunAsync(() => ProtocolDocumentTemplate.Render(model), cancellationToken);
            var sha256 = await store.SaveAsync(pdf, cancellationToken);
            await sender.Send(new CompleteProtocolDocument(request.ParticipantId, sha256, model.Protocol.Id, model.ProtocolVersion, model.ProtocolSha256), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Protocol document for {ParticipantId} failed; Hangfire retries it.", request.ParticipantId);
            await sender.Send(new FailProtocolDocument(request.ParticipantId, e.GetType().Name + ": " + e.Message), cancellationToken);
            throw;
        }

        return Unit.Value;
    }
}

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
    : ICommandHandler<StartProtocolDocument, ProtocolDocumentModel?>
{
    public async ValueTask<ProtocolDocumentModel?> Handle(StartProtocolDocument command, CancellationToken cancellationToken)
    {
        var status = await db.ProtocolDocuments
                         .Where(d => d.ParticipantId == command.ParticipantId)
                         .Select(d => (DocumentStatus?)d.Status)
                         .SingleOrDefaultAsync(cancellationToken)
                     ?? throw new NotFoundException($"No protocol document is owed to {command.ParticipantId}.");
        if (status == DocumentStatus.Ready)
        {
            return null;
        }

        var participant = await db.Participants.AsNoTracking().SingleAsync(p => p.Id == command.ParticipantId, cancellationToken);
        var allocation = await db.Allocations.AsNoTracking().SingleAsync(a => a.ParticipantId == command.ParticipantId, cancellationToken);
        var trial = await db.Trials.AsNoTracking().SingleAsync(t => t.Id == participant.TrialId, cancellationToken);
        var protocol = protocols.Get(allocation.Formulation.Wire(), allocation.Arm.Wire());

        await transaction.EnterAsync(cancellationToken);
        var document = await db.ProtocolDocuments.SingleAsync(d => d.ParticipantId == command.ParticipantId, cancellationToken);
        if (document.Status == DocumentStatus.Ready)
        {
            return null; // a duplicate job finished it meanwhile
        }

        document.MarkRunning();
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
        if (document.Status != DocumentStatus.Ready)
        {
            document.MarkReady(command.Sha256, command.ProtocolId, command.ProtocolVersion, command.ProtocolSha256, clock.GetUtcNow());
        }

        return Unit.Value;
    }
}

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
        if (document is { Status: not DocumentStatus.Ready })
        {
            document.MarkFailed(command.Error);
        }

        return Unit.Value;
    }
}
