using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Documents;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Documents;
using TrialManager.Infrastructure.Documents.Templates;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;
using TrialManager.Server.Features.Participants;
using TrialManager.Server.Features.Statistics;
using ReportStratumBalance = TrialManager.Infrastructure.Documents.StratumArmCounts;

namespace TrialManager.Server.Features.Documents;

/// <summary>Marks the report running and returns its trial, kind and freeze (if made from one); null when it is already ready.</summary>
public sealed record StartReport(Guid ReportId) : ICommand<StartedReport?>;

public sealed record StartedReport(string TrialId, ReportKind Kind, Guid? FreezeId = null);

public sealed class StartReportHandler(TrialDbContext db) : ICommandHandler<StartReport, StartedReport?>
{
    public async ValueTask<StartedReport?> Handle(StartReport command, CancellationToken cancellationToken)
    {
        var report = await db.Reports.SingleOrDefaultAsync(r => r.Id == command.ReportId, cancellationToken)
            ?? throw new NotFoundException($"No report with id {command.ReportId}.");
        return report.Start() ? new StartedReport(report.TrialId, report.Kind, report.FreezeId) : null;
    }
}
