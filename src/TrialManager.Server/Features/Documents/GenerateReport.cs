using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Common;
using TrialManager.Domain.Documents;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Documents;
using TrialManager.Infrastructure.Documents.Templates;
using TrialManager.Server.Common;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Features.Audit;
using TrialManager.Server.Features.Statistics;
using ReportStratumBalance = TrialManager.Infrastructure.Documents.StratumArmCounts;

namespace TrialManager.Server.Features.Documents;

/// <summary>
/// The report job's one request. Every figure comes from the same queries the API serves (consort, balance,
/// reliability, audit verification), so the PDF and the API agree at generation time. No participant ids.
/// </summary>
public sealed record GenerateReport(Guid ReportId) : IRequest;

public sealed class GenerateReportHandler(
    ISender sender, DocumentStore store, LowPriorityWork background, ReportSettings settings, ILogger<GenerateReportHandler> logger)
    : IRequestHandler<GenerateReport>
{
    public async ValueTask<Unit> Handle(GenerateReport request, CancellationToken cancellationToken)
    {
        try
        {
            if (await sender.Send(new StartReport(request.ReportId), cancellationToken) is not { } trialId)
            {
                return Unit.Value;
            }

            var model = await BuildModelAsync(trialId, cancellationToken);
            var pdf = await background.RunAsync(() => EthicsReportTemplate.Render(model), cancellationToken);
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

    private async Task<EthicsReportModel> BuildModelAsync(string trialId, CancellationToken cancellationToken)
    {
        // The data (with the audit chain head) first: the verification after it then covers the head the report prints.
        var data = await sender.Send(new GetEthicsReportData(trialId), cancellationToken);
        var consort = await sender.Send(new GetConsort(trialId), cancellationToken);
        var balance = await sender.Send(new GetBalance(trialId), cancellationToken);
        var reliability = await sender.Send(new GetReliability(trialId), cancellationToken);
        var audit = await sender.Send(new VerifyAuditChain(), cancellationToken);

        static ArmCounts Arms(IReadOnlyDictionary<string, int> counts) =>
            new(counts.GetValueOrDefault("mediator"), counts.GetValueOrDefault("moderator"), counts.GetValueOrDefault("comparator"));

        return new EthicsReportModel(
            data.Trial,
            data.GeneratedAt,
            data.Protocols,
            data.RecruitmentBySite,
            data.RecruitmentByMonth,
            new ConsortCounts(
                consort.Assessed, consort.Excluded.Total,
                [.. consort.Excluded.Reasons.Select(r => new ReasonCount(r.Key, r.Value))],
                consort.Randomized, Arms(consort.Allocated), Arms(consort.Withdrawn), Arms(consort.Completed)),
            [.. balance.Strata.Select(s => new StratumArmCounts(s.Stratum, Arms(s.Counts)))],
            data.Withdrawals,
            data.Harms,
            data.SafetyByMonth,
            reliability is { Kappa: { } k, StandardError: { } se, Agreement: { } agreement }
                ? new ReliabilitySummary(
                    k, se, reliability.N, agreement, reliability.FleissKappa, reliability.KrippendorffAlpha,
                    [.. reliability.Icc.Select(i => new FactorIcc(i.Key, i.Value.Value, i.Value.Lower, i.Value.Upper, i.Value.N))])
                : null,
            new AuditChainAtReport(audit.Valid, audit.Events, data.AuditHead),
            settings.MinCellSize);
    }
}
