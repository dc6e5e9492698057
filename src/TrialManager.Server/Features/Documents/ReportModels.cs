using Mediator;
using TrialManager.Domain.Common;
using TrialManager.Infrastructure.Documents;
using TrialManager.Server.Features.Audit;
using TrialManager.Server.Features.Blinding;
using TrialManager.Server.Features.Statistics;

namespace TrialManager.Server.Features.Documents;

/// <summary>
/// Both reports' figures, every one from the same queries the API serves (consort, balance, reliability, blinding, audit
/// verification), so the PDF and the API agree when the figures are read. Read from the scope's own context: inside a
/// read snapshot (a freeze) every query sees the same committed state. No participant ids.
/// </summary>
public sealed class ReportModels(ISender sender, ReportSettings settings)
{
    /// <summary>The figures both reports share, read from the API's own queries.</summary>
    private sealed record Figures(EthicsReportData Data, ConsortView Consort, BalanceView Balance, ReliabilityView Reliability, AuditChainAtReport Audit);

    private async Task<Figures> ReadAsync(string trialId, CancellationToken cancellationToken)
    {
        // The data (with the audit chain head) first: the verification after it then covers the head the report prints.
        var data = await sender.Send(new GetEthicsReportData(trialId), cancellationToken);
        var consort = await sender.Send(new GetConsort(trialId), cancellationToken);
        var balance = await sender.Send(new GetBalance(trialId), cancellationToken);
        var reliability = await sender.Send(new GetReliability(trialId), cancellationToken);
        var audit = await sender.Send(new VerifyAuditChain(), cancellationToken);
        return new Figures(data, consort, balance, reliability, new AuditChainAtReport(audit.Valid, audit.Events, data.AuditHead));
    }

    /// <summary>The open report: every figure pooled over the arms (their totals), so it compares nothing between them.</summary>
    public async Task<EthicsReportModel> EthicsAsync(string trialId, CancellationToken cancellationToken)
    {
        var (data, consort, _, reliability, audit) = await ReadAsync(trialId, cancellationToken);
        var consortByArm = Consort(consort);
        var withdrewConsent = consortByArm.Allocated.Total - consortByArm.Analysed.Total - consortByArm.LostToFollowUp.Total;
        return new EthicsReportModel(
            data.Trial,
            data.GeneratedAt,
            // Protocol ids name their arm; the version and hash identify the approved text without it.
            [.. data.Protocols.Select(p => new ProtocolVersionInUse(string.Empty, p.Version, p.Sha256)).Distinct()
                .OrderBy(p => p.Sha256, StringComparer.Ordinal)],
            data.RecruitmentBySite,
            data.RecruitmentByMonth,
            new PooledConsort(
                consortByArm.Assessed, consortByArm.Excluded, consortByArm.ExcludedByReason,
                consortByArm.PendingSecondRating, consortByArm.PendingConsensus, consortByArm.ExcludedByFormulation,
                consortByArm.AwaitingRandomization, consortByArm.Randomized,
                consortByArm.StoppedTreatment.Total, consortByArm.LostToFollowUp.Total, withdrewConsent,
                consortByArm.Withdrawn.Total - consortByArm.LostToFollowUp.Total - withdrewConsent,
                consortByArm.Completed.Total, consortByArm.Analysed.Total,
                consort.Notes.MisStratified, consort.Notes.IneligibleAfterRandomization),
            data.ScreenFailures,
            [.. data.Withdrawals.Select(w => new ReasonCount(w.Category, w.Counts.Total))],
            [.. data.Harms.Select(h => new PooledHarms(h.Kind, h.WithEvent.Total, h.Events.Total, h.WithEventBefore, h.EventsBefore))],
            data.SafetyByMonth,
            data.DataQuality,
            Reliability(reliability),
            audit,
            settings.MinCellSize);
    }

    /// <summary>The closed report: the same figures by arm, with the measures' figures beside them.</summary>
    public async Task<DsmbReportModel> DsmbAsync(string trialId, CancellationToken cancellationToken)
    {
        var (data, consort, balance, reliability, audit) = await ReadAsync(trialId, cancellationToken);
        var measures = await sender.Send(new GetDsmbReportData(trialId), cancellationToken);
        // The DSMB's own blinding answer (GET /api/trials/{trialId}/blinding), without the participant ids.
        var blinding = await sender.Send(new GetBlindingSummary(trialId), cancellationToken);
        return new DsmbReportModel(
            data.Trial,
            data.GeneratedAt,
            data.RecruitmentBySite,
            data.RecruitmentByMonth,
            Consort(consort),
            [.. balance.Strata.Select(s => new StratumArmCounts(s.Stratum, Arms(s.Counts)))],
            data.MisStratified,
            data.IneligibleAfterRandomization,
            data.Withdrawals,
            data.Harms,
            measures.Relatedness,
            measures.Trajectories,
            measures.Alliance,
            measures.Fidelity,
            Reliability(reliability),
            new BlindingFigures(
                blinding.Guesses,
                [.. blinding.Arms.Select(a => new ArmBlindingFigures(a.Arm.Wire(), a.Guesses, a.Correct, a.Incorrect, a.DontKnow, a.Index, a.StandardError))],
                [.. blinding.Unblindings.Select(u => new UnblindingFigure(u.UnblindedAt, u.Role, u.Arm.Wire(), u.Reason))]),
            audit);
    }


    private static ArmCounts Arms(IReadOnlyDictionary<string, int> counts) =>
        new(counts.GetValueOrDefault("mediator"), counts.GetValueOrDefault("moderator"), counts.GetValueOrDefault("comparator"));

    private static ConsortCounts Consort(ConsortView consort) => new(
        consort.Assessed, consort.Excluded.Total,
        [.. consort.Excluded.Reasons.Select(r => new ReasonCount(r.Key, r.Value))],
        consort.Formulation.PendingSecondRating, consort.Formulation.PendingConsensus, consort.Formulation.ExcludedByFormulation,
        consort.AwaitingRandomization, consort.Randomized,
        Arms(consort.Allocated), Arms(consort.Withdrawn), Arms(consort.Completed),
        Arms(consort.StoppedTreatment), Arms(consort.LostToFollowUp), Arms(consort.Analysed));

    private static ReliabilitySummary? Reliability(ReliabilityView reliability) =>
        reliability is { Kappa: { } k, StandardError: { } se, Agreement: { } agreement }
            ? new ReliabilitySummary(
                k, se, reliability.N, agreement, reliability.FleissKappa, reliability.KrippendorffAlpha,
                [.. reliability.Icc.Select(i => new FactorIcc(i.Key, i.Value.Value, i.Value.Lower, i.Value.Upper, i.Value.N))])
            : null;
}
