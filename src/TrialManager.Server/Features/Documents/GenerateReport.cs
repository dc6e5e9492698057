using Mediator;
using TrialManager.Domain.Documents;
using TrialManager.Infrastructure.Documents;
using TrialManager.Infrastructure.Documents.Templates;

namespace TrialManager.Server.Features.Documents;

/// <summary>
/// The report job's one request. Every figure comes from the same queries the API serves (<see cref="ReportModels"/>),
/// so the PDF and the API agree at generation time; a report of a freeze renders the figures those queries gave at
/// the freeze. No participant ids.
/// </summary>
public sealed record GenerateReport(Guid ReportId) : IRequest;

public sealed class GenerateReportHandler(
    ISender sender, ReportModels models, DocumentStore store, LowPriorityWork background, ReportSettings settings, TimeProvider clock,
    ILogger<GenerateReportHandler> logger)
    : IRequestHandler<GenerateReport>
{
    public async ValueTask<Unit> Handle(GenerateReport request, CancellationToken cancellationToken)
    {
        try
        {
            if (await sender.Send(new StartReport(request.ReportId), cancellationToken) is not { } started)
            {
                return Unit.Value;
            }

            var pdf = started.FreezeId is { } freezeId
                ? await RenderFrozenAsync(started.Kind, freezeId, cancellationToken)
                : started.Kind == ReportKind.DsmbClosed
                    ? await RenderAsync(await models.DsmbAsync(started.TrialId, cancellationToken), DsmbReportTemplate.Render, cancellationToken)
                    : await RenderAsync(await models.EthicsAsync(started.TrialId, cancellationToken), EthicsReportTemplate.Render, cancellationToken);
            var sha256 = await store.SaveAsync(pdf, cancellationToken);
            await sender.Send(new CompleteReport(request.ReportId, sha256), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Report {ReportId} failed; Hangfire retries it.", request.ReportId);
            await sender.Send(new FailReport(request.ReportId, e.GetType().Name + ": " + e.Message), cancellationToken);
            throw;
        }

        return Unit.Value;
    }

    /// <summary>
    /// A report from a freeze renders the figures stored with it, as of the freeze, and says so; the small-cell rule in
    /// force now still applies, since it guards today's readers.
    /// </summary>
    private async Task<byte[]> RenderFrozenAsync(ReportKind kind, Guid freezeId, CancellationToken cancellationToken)
    {
        var frozen = await sender.Send(new ReadFrozenReport(freezeId, kind), cancellationToken);
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
