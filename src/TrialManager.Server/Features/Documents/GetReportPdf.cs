using TrialManager.Domain.Common;
using Mediator;
using TrialManager.Domain.Documents;
using TrialManager.Infrastructure.Documents;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Documents;

public sealed record GetReportPdf(Guid ReportId) : IQuery<Stream>;

public sealed class GetReportPdfHandler(TrialDbContext db, DocumentStore store, IActorAccessor actors) : IQueryHandler<GetReportPdf, Stream>
{
    public async ValueTask<Stream> Handle(GetReportPdf query, CancellationToken cancellationToken)
    {
        var report = await db.LoadReportAsync(query.ReportId, actors.Current, cancellationToken);
        if (report.Status != DocumentStatus.Ready || report.Sha256 is null)
        {
            throw new Domain.Common.WorkflowConflictException($"The report is {report.Status.Wire()}; its PDF exists once it is ready.");
        }

        // Signed: the content followed by a page per signature; the stored content itself never changes.
        var signatures = await db.SignaturesOfAsync(report.Id, cancellationToken);
        if (signatures.Count > 0)
        {
            return new MemoryStream(SignedReportPdf.Render(report, await SignedReportPdf.ContentAsync(store, report.Sha256, cancellationToken), signatures), writable: false);
        }

        return store.Open(report.Sha256) ?? throw new NotFoundException("The report's file is missing from the document store.");
    }
}
