using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Documents;
using TrialManager.Infrastructure.Documents;
using TrialManager.Infrastructure.Documents.Templates;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Documents;

/// <summary>
/// The report job's one request: the owed-document flow for a report. Every figure comes from the same queries the API
/// serves (<see cref="ReportModels"/>), so the PDF and the API agree at generation time; a report of a freeze renders
/// the figures those queries gave at the freeze. No participant ids.
/// </summary>
public sealed record GenerateReport(Guid ReportId) : IRequest;

/// <summary>A report, whose row is keyed by its id.</summary>
public sealed record ReportOf(Guid ReportId) : OwedDocumentRef("Report")
{
    public override async Task<OwedDocument?> FindAsync(TrialDbContext db, CancellationToken cancellationToken) =>
        await db.Reports.SingleOrDefaultAsync(r => r.Id == ReportId, cancellationToken);
}

/// <summary>What a report's job renders: its trial and kind, and the freeze whose figures it shows (if made from one).</summary>
public sealed record ReportToRender(string TrialId, ReportKind Kind, Guid? FreezeId);

public sealed class GenerateReportHandler(
    TrialDbContext db, ISender sender, ReportModels models, DocumentStore store, LowPriorityWork background, ReportSettings settings,
    TimeProvider clock, ILogger<GenerateReportHandler> logger)
    : GenerateOwedDocumentHandler<GenerateReport, ReportToRender>(sender, store, logger)
{
    protected override OwedDocumentRef Document(GenerateReport request) => new ReportOf(request.ReportId);

    protected override async ValueTask<ReportToRender?> PrepareAsync(GenerateReport request, CancellationToken cancellationToken)
    {
        var report = await db.Reports.AsNoTracking().SingleOrDefaultAsync(r => r.Id == request.ReportId, cancellationToken)
                     ?? throw new NotFoundException($"No report with id {request.ReportId}.");
        return report.IsDone ? null : new ReportToRender(report.TrialId, report.Kind, report.FreezeId);
    }

    /// <summary>The figures are read once the attempt has started, outside any transaction.</summary>
    protected override async Task<byte[]> RenderAsync(ReportToRender report, CancellationToken cancellationToken) =>
        report.FreezeId is { } freezeId
            ? await RenderFrozenAsync(report.Kind, freezeId, cancellationToken)
            : report.Kind == ReportKind.DsmbClosed
                ? await RenderAsync(await models.DsmbAsync(report.TrialId, cancellationToken), DsmbReportTemplate.Render, cancellationToken)
                : await RenderAsync(await models.EthicsAsync(report.TrialId, cancellationToken), EthicsReportTemplate.Render, cancellationToken);

    /// <summary>
    /// A report from a freeze renders the figures stored with it, as of the freeze, and says so; the small-cell rule in
    /// force now still applies, since it guards today's readers.
    /// </summary>
    private async Task<byte[]> RenderFrozenAsync(ReportKind kind, Guid freezeId, CancellationToken cancellationToken)
    {
        var frozen = await Sender.Send(new ReadFrozenReport(freezeId, kind), cancellationToken);
        var from = new FrozenFrom(freezeId, frozen.FrozenAt);
        var now = clock.GetUtcNow();
        return kind == ReportKind.DsmbClosed
            ? await RenderAsync(ReportModelJson.Deserialize<DsmbReportModel>(frozen.Json) with { GeneratedAt = now, Freeze = from },
                DsmbReportTemplate.Render, cancellationToken)
            : await RenderAsync(ReportModelJson.Deserialize<EthicsReportModel>(frozen.Json) with
                { GeneratedAt = now, Freeze = from, MinCellSize = settings.MinCellSize }, EthicsReportTemplate.Render, cancellationToken);
    }

    private Task<byte[]> RenderAsync<TModel>(TModel model, Func<TModel, byte[]> render, CancellationToken cancellationToken) =>
        background.RunAsync(() => render(model), cancellationToken);
}
