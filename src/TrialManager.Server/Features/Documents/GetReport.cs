using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Documents;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Documents;

public sealed record GetReport(Guid ReportId) : IQuery<ReportView>;

public sealed class GetReportHandler(TrialDbContext db, IActorAccessor actors) : IQueryHandler<GetReport, ReportView>
{
    public async ValueTask<ReportView> Handle(GetReport query, CancellationToken cancellationToken) =>
        ReportView.From(await db.LoadReportAsync(query.ReportId, actors.Current, cancellationToken));
}

internal static class ReportLoading
{
    /// <summary>A report the actor may read; one they may not (a closed report) is as unknown as a missing id.</summary>
    public static async Task<Report> LoadReportAsync(this TrialDbContext db, Guid id, Actor actor, CancellationToken cancellationToken) =>
        await db.Reports.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, cancellationToken) is { } report
            && ReportAudience.MayRead(actor, report.Kind)
            ? report
            : throw new NotFoundException($"No report with id {id}.");
}
