using FluentValidation;
using TrialManager.Domain.Common;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Documents;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Documents;

/// <summary>
/// POST /api/trials/{id}/reports: queue an ethics-board report (also sent by the schedule) or, by the DSMB, a closed one;
/// with a freeze of the trial, of the data as of that freeze (the figures it stored when it was made).
/// </summary>
public sealed record RequestReport(string TrialId, string? Kind, bool Scheduled = false, Guid? FreezeId = null) : ICommand<ReportView>, IAuditedCommand
{
    public string? AuditTrialId => TrialId;
}

public sealed record RequestReportRequest(string? Kind, Guid? FreezeId = null);

public sealed class RequestReportValidator : AbstractValidator<RequestReport>
{
    public RequestReportValidator() =>
        RuleFor(r => r.Kind).Must(k => Wire.TryParse<ReportKind>(k, out _)).WithMessage("must be ethicsProgress or dsmbClosed");
}

public sealed class RequestReportHandler(TrialDbContext db, IActorAccessor actors, TimeProvider clock, AfterCommit afterCommit, IOwedWork owedWork)
    : ICommandHandler<RequestReport, ReportView>
{
    public async ValueTask<ReportView> Handle(RequestReport command, CancellationToken cancellationToken)
    {
        if (!await db.Trials.AnyAsync(t => t.Id == command.TrialId, cancellationToken))
        {
            throw new NotFoundException($"No trial with id {command.TrialId}.");
        }

        var kind = Wire.Parse<ReportKind>(command.Kind);
        if (!ReportAudience.MayRead(actors.Current, kind))
        {
            throw new ForbiddenException($"Only the DSMB requests a {kind.Wire()} report: it compares the arms.");
        }

        if (command.FreezeId is { } freezeId)
        {
            // After the audience check: who may not have the report learns nothing about the freezes either.
            var freeze = await db.Freezes.AsNoTracking().SingleOrDefaultAsync(f => f.Id == freezeId && f.TrialId == command.TrialId, cancellationToken)
                ?? throw new NotFoundException($"No freeze with id {freezeId} of trial {command.TrialId}.");
            if (ReadFrozenReportHandler.FiguresOf(freeze, kind) is null)
            {
                // Never the live data instead: a report said to be of the freeze must be of the freeze.
                throw new WorkflowConflictException(
                    $"Freeze {freezeId} was made before freezes kept the reports' figures, so no {kind.Wire()} report can be made from it; freeze the data again.");
            }
        }

        // The queued row is the outbox entry: the sweep on start enqueues any report still owed.
        var report = new Report(Guid.NewGuid(), command.TrialId, kind, command.Scheduled,
            actors.Current.Name, clock.GetUtcNow(), command.FreezeId);
        db.Reports.Add(report);
        afterCommit.Add(() => owedWork.Report(report.Id));
        return ReportView.From(report);
    }
}
