using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Infrastructure.Persistence;

namespace TrialManager.Server.Features.Documents;

/// <summary>
/// The freezes a report can be made from (those that kept the reports' figures), newest first, for the report pages'
/// choice of data. Only their id and time: when the data were frozen tells nothing about an allocation.
/// </summary>
public sealed record ListReportFreezes(string TrialId, int Limit = 50) : IQuery<IReadOnlyList<ReportFreeze>>;

public sealed record ReportFreeze(Guid Id, DateTimeOffset FrozenAt);

public sealed class ListReportFreezesHandler(TrialDbContext db) : IQueryHandler<ListReportFreezes, IReadOnlyList<ReportFreeze>>
{
    public async ValueTask<IReadOnlyList<ReportFreeze>> Handle(ListReportFreezes query, CancellationToken cancellationToken) =>
        await db.Freezes.AsNoTracking()
            .Where(f => f.TrialId == query.TrialId && f.EthicsReportSha256 != null && f.DsmbReportSha256 != null)
            .OrderByDescending(f => f.FrozenAt).ThenByDescending(f => f.Id).Take(query.Limit)
            .Select(f => new ReportFreeze(f.Id, f.FrozenAt)).ToListAsync(cancellationToken);
}
