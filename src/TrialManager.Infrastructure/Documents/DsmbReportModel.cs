namespace TrialManager.Infrastructure.Documents;

/// <summary>
/// The closed report to the data and safety monitoring board: everything by arm. Only the board requests and reads it.
/// Aggregates only, no participant identifiers; counts are exact (the board is the one audience that sees them all).
/// </summary>
public sealed record DsmbReportModel(
    TrialIdentity Trial,
    DateTimeOffset GeneratedAt,
    IReadOnlyList<SiteRecruitment> RecruitmentBySite,
    IReadOnlyList<MonthlyCount> RecruitmentByMonth,
    ConsortCounts Consort,
    IReadOnlyList<StratumArmCounts> Balance,
    ArmCounts MisStratified,
    ArmCounts IneligibleAfterRandomization,
    IReadOnlyList<WithdrawalCount> Withdrawals,
    IReadOnlyList<HarmsCount> Harms,
    IReadOnlyList<OutcomeMeans> Trajectories,
    IReadOnlyList<AllianceMeans> Alliance,
    IReadOnlyList<FidelityMeans> Fidelity,
    ReliabilitySummary? Reliability,
    AuditChainAtReport Audit);

/// <summary>A mean over <see cref="N"/> values.</summary>
public sealed record Mean(double Value, int N);

/// <summary>Means per arm; null where an arm has no value.</summary>
public sealed record ArmMeans(Mean? Mediator, Mean? Moderator, Mean? Comparator = null);

/// <summary>An outcome instrument's mean total at one time point (a session number or a schedule's visit), by arm.</summary>
public sealed record OutcomeMeans(string Instrument, string TimePoint, ArmMeans Means);

/// <summary>The working alliance (mean of each participant's alliance totals over their sessions) by formulation and arm.</summary>
public sealed record AllianceMeans(string Formulation, ArmMeans Means);

/// <summary>
/// One fidelity figure by arm over the fidelity ratings: adherence to the items of a checklist tag, competence, or
/// differentiation (adherence to the own arm's prescribed items minus the other arm's).
/// </summary>
public sealed record FidelityMeans(string Figure, ArmMeans Means);
