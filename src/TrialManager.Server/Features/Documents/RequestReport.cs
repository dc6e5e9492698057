using FluentValidation;
using TrialManager.Domain.Common;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Documents;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Documents;

/// <summary>POST /api/trials/{id}/reports: queue an ethics-board report (also sent by the schedule) or, by the DSMB, a closed one.</summary>
public sealed record RequestReport(string TrialId, string? Kind, bool Scheduled = false) : ICommand<ReportView>, IAuditedCommand
{
    public string? AuditTrialId => TrialId;
}

public sealed record RequestReportRequest(string? Kind);

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

        // The queued row is the outbox entry: the sweep on start enqueues any report still owed.
        var report = new Report(Guid.NewGuid(), command.TrialId, kind, command.Scheduled,
            actors.Current.Name, clock.GetUtcNow());
        db.Reports.Add(report);
        afterCommit.Add(() => owedWork.Report(report.Id));
        return ReportView.From(report);
    }
}
