using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Documents;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Documents;

public sealed record GetReport(Guid ReportId) : IQuery<ReportView>;

public sealed class GetReportHandler(TrialDbContext db) : IQueryHandler<GetReport, ReportView>
{
    public async ValueTask<ReportView> Handle(GetReport query, CancellationToken cancellationToken) =>
        ReportView.From(await db.LoadReportAsync(query.ReportId, cancellationToken));
}

internal static class ReportLoading
{
    public static async Task<Report> LoadReportAsync(this TrialDbContext db, Guid id, CancellationToken cancellationToken) =>
        await db.Reports.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, cancellationToken)
        ?? throw new NotFoundException($"No report with id {id}.");
}
