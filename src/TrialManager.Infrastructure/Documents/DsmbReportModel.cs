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
    IReadOnlyList<RelatednessHarms> Relatedness,
    IReadOnlyList<OutcomeMeans> Trajectories,
    IReadOnlyList<AllianceMeans> Alliance,
    IReadOnlyList<FidelityMeans> Fidelity,
    ReliabilitySummary? Reliability,
    BlindingFigures Blinding,
    AuditChainAtReport Audit,
    FrozenFrom? Freeze = null);

/// <summary>
/// Adverse events of one seriousness by the therapy's relatedness, from the day of randomization on: participants with at
/// least one such event, and the events, by arm. <see cref="Relatedness"/> is a category's code ("possible"), the
/// summary "possibleOrMore", or "unrecorded" for events from before relatedness was recorded.
/// </summary>
public sealed record RelatednessHarms(bool Serious, string Relatedness, ArmCounts WithEvent, ArmCounts Events);

/// <summary>The assessors' guesses and Bang's blinding index per arm, and every unblinding (no participant ids).</summary>
public sealed record BlindingFigures(int Guesses, IReadOnlyList<ArmBlindingFigures> Arms, IReadOnlyList<UnblindingFigure> Unblindings);

/// <summary>One arm's guesses (<see cref="Arm"/> is its code); the index and its standard error are null without guesses.</summary>
public sealed record ArmBlindingFigures(string Arm, int Guesses, int Correct, int Incorrect, int DontKnow, double? Index, double? StandardError);

/// <summary>An unblinding: when, by which role, the arm it revealed (<see cref="Arm"/> is its code), and why.</summary>
public sealed record UnblindingFigure(DateTimeOffset At, string Role, string Arm, string Reason);

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
