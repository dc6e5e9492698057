using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Documents;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Documents;
using TrialManager.Infrastructure.Documents.Templates;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Features.Audit;
using TrialManager.Server.Features.Participants;
using TrialManager.Server.Features.Statistics;
using ReportStratumBalance = TrialManager.Infrastructure.Documents.StratumArmCounts;

namespace TrialManager.Server.Features.Documents;

public sealed record CompleteReport(Guid ReportId, string Sha256) : ICommand;

public sealed class CompleteReportHandler(TrialDbContext db, TimeProvider clock) : ICommandHandler<CompleteReport>
{
    public async ValueTask<Unit> Handle(CompleteReport command, CancellationToken cancellationToken)
    {
        var report = await db.Reports.SingleAsync(r => r.Id == command.ReportId, cancellationToken);
        report.Complete(new DocumentContent(command.Sha256), clock.GetUtcNow());

        return Unit.Value;
    }
}
