using TrialManager.Domain.Documents;
using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Infrastructure.Documents;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Documents;

/// <summary>GET /api/trials/{trialId}/reports: a page of the trial's reports the caller may read, newest first.</summary>
public sealed record ListReports(string TrialId, PageRequest Page) : IQuery<Page<ReportView>>;

public sealed class ListReportsHandler(TrialDbContext db, IActorAccessor actors) : IQueryHandler<ListReports, Page<ReportView>>
{
    public async ValueTask<Page<ReportView>> Handle(ListReports query, CancellationToken cancellationToken)
    {
        if (!await db.Trials.AnyAsync(t => t.Id == query.TrialId, cancellationToken))
        {
            throw new NotFoundException($"No trial with id {query.TrialId}.");
        }

        // Closed reports are left out for anyone but the DSMB: their existence and timing stay with the board.
        var reports = db.Reports.AsNoTracking().Where(r => r.TrialId == query.TrialId);
        if (!ReportAudience.MayRead(actors.Current, ReportKind.DsmbClosed))
        {
            reports = reports.Where(r => r.Kind != ReportKind.DsmbClosed);
        }

        if (query.Page.Key(2) is [var createdAt, var id])
        {
            var after = PageRequest.Instant(createdAt);
            var afterId = PageRequest.Id(id);
            reports = reports.Where(r => r.CreatedAt < after || (r.CreatedAt == after && r.Id.CompareTo(afterId) < 0));
        }

        var rows = await reports.OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id).Take(query.Page.Limit + 1)
            .ToListAsync(cancellationToken);
        var page = Page<Report>.From(rows, query.Page, r => PageRequest.Cursor(PageRequest.Text(r.CreatedAt), r.Id.ToString("D")));
        return new Page<ReportView>([.. page.Items.Select(ReportView.From)], page.Next);
    }
}
