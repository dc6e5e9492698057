using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Infrastructure.Documents;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Documents;

public sealed record ListReports(string TrialId) : IQuery<IReadOnlyList<ReportView>>;

public sealed class ListReportsHandler(TrialDbContext db) : IQueryHandler<ListReports, IReadOnlyList<ReportView>>
{
    public async ValueTask<IReadOnlyList<ReportView>> Handle(ListReports query, CancellationToken cancellationToken)
    {
        if (!await db.Trials.AnyAsync(t => t.Id == query.TrialId, cancellationToken))
        {
            throw new NotFoundException($"No trial with id {query.TrialId}.");
        }

        // Sorted after loading: SQLite cannot order by a DateTimeOffset column (EF refuses to translate it).
        var reports = await db.Reports.AsNoTracking().Where(r => r.TrialId == query.TrialId).ToListAsync(cancellationToken);
        return [.. reports.OrderByDescending(r => r.CreatedAt).Select(ReportView.From)];
    }
}
