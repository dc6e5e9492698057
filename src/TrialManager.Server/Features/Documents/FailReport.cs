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

public sealed record FailReport(Guid ReportId, string Error) : ICommand;

public sealed class FailReportHandler(TrialDbContext db) : ICommandHandler<FailReport>
{
    public async ValueTask<Unit> Handle(FailReport command, CancellationToken cancellationToken)
    {
        var report = await db.Reports.SingleOrDefaultAsync(r => r.Id == command.ReportId, cancellationToken);
        report?.Fail(command.Error);

        return Unit.Value;
    }
}
