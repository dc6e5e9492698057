using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Infrastructure.Persistence;

namespace TrialManager.Server.Features.Documents;

/// <summary>The signatures of the listed reports (a page of them), in signing order: what the reports page shows beside each.</summary>
public sealed record ListReportSignatures(IReadOnlyList<Guid> ReportIds) : IQuery<IReadOnlyList<SignatureView>>;

public sealed class ListReportSignaturesHandler(TrialDbContext db) : IQueryHandler<ListReportSignatures, IReadOnlyList<SignatureView>>
{
    public async ValueTask<IReadOnlyList<SignatureView>> Handle(ListReportSignatures query, CancellationToken cancellationToken)
    {
        var ids = query.ReportIds.ToList();
        var rows = await db.ReportSignatures.AsNoTracking().Where(s => ids.Contains(s.ReportId)).ToListAsync(cancellationToken);
        return [.. rows.OrderBy(s => s.SignedAt).ThenBy(s => s.Id).Select(SignatureView.From)];
    }
}
