using TrialManager.Domain.Trials;

namespace TrialManager.Infrastructure.Documents;

/// <summary>
/// The periodic report to the ethics board: open, so aggregates pooled over the arms only (no comparison between arms,
/// no arm named), and no participant identifiers.
/// </summary>
public sealed record EthicsReportModel(
    TrialIdentity Trial,
    DateTimeOffset GeneratedAt,
    IReadOnlyList<ProtocolVersionInUse> Protocols,
    IReadOnlyList<SiteRecruitment> RecruitmentBySite,
    IReadOnlyList<MonthlyCount> RecruitmentByMonth,
    PooledConsort Consort,
    IReadOnlyList<ReasonCount> ScreenFailures,
    IReadOnlyList<ReasonCount> Withdrawals,
    IReadOnlyList<PooledHarms> Harms,
    IReadOnlyList<SafetyMonth> SafetyByMonth,
    DataQuality DataQuality,
    ReliabilitySummary? Reliability,
    AuditChainAtReport Audit,
    int MinCellSize,
    FrozenFrom? Freeze = null);

/// <summary>
/// The freeze a report was made from: its figures are the data as of <see cref="FrozenAt"/>, taken in the freeze's read
/// snapshot, not the data when the report was generated.
/// </summary>
public sealed record FrozenFrom(Guid Id, DateTimeOffset FrozenAt);

/// <summary>
/// The CONSORT flow pooled over the arms. After allocation: withdrawals split into lost to follow-up, withdrew consent
/// and other withdrawals (who stay analysed), and treatment stops apart (still followed up, analysed).
/// </summary>
public sealed record PooledConsort(
    int Assessed,
    int Excluded,
    IReadOnlyList<ReasonCount> ExcludedByReason,
    int PendingSecondRating,
    int PendingConsensus,
    int ExcludedByFormulation,
    int AwaitingRandomization,
    int Randomized,
    int StoppedTreatment,
    int LostToFollowUp,
    int WithdrewConsent,
    int OtherWithdrawals,
    int Completed,
    int Analysed,
    int MisStratified,
    int IneligibleAfterRandomization);

/// <summary>Harms of one event type pooled over the arms: participants with at least one event beside the events.</summary>
public sealed record PooledHarms(SafetyEventKind Kind, int WithEvent, int Events, int WithEventBefore, int EventsBefore);

/// <summary>The data-cleaning loop: data queries still open, answered, and corrections recorded (each with its reason).</summary>
public sealed record DataQuality(int OpenQueries, int AnsweredQueries, int Corrections);

/// <param name="DefinitionVersion">The trial definition version in force when the report was made (1.0 until an amendment).</param>
public sealed record TrialIdentity(
    string Id, string Title, string Registration, string Status, int TargetEnrollment, bool HasComparator = false, string DefinitionVersion = "1.0");

public sealed record ProtocolVersionInUse(string Id, string Version, string Sha256);

/// <summary>Participants randomized at a site against that site's share of the target.</summary>
public sealed record SiteRecruitment(string Site, int Count, int TargetShare);

/// <summary>A count for a calendar month written yyyy-MM.</summary>
public sealed record MonthlyCount(string Month, int Count);

/// <summary>Counts per arm; <see cref="Comparator"/> stays 0 in a trial without the third arm.</summary>
public sealed record ArmCounts(int Mediator, int Moderator, int Comparator = 0)
{
    public int Total => Mediator + Moderator + Comparator;

    /// <summary>How many of <paramref name="arms"/> (one per participant or event) fall in each arm.</summary>
    public static ArmCounts Of(IEnumerable<ArmCode> arms)
    {
        var list = arms.ToList();
        return new ArmCounts(list.Count(a => a == ArmCode.Mediator), list.Count(a => a == ArmCode.Moderator), list.Count(a => a == ArmCode.Comparator));
    }
}

public sealed record ReasonCount(string Reason, int Count);

/// <summary>The CONSORT flow by arm, as GET /consort serves it (for the closed DSMB report).</summary>
public sealed record ConsortCounts(
    int Assessed,
    int Excluded,
    IReadOnlyList<ReasonCount> ExcludedByReason,
    int PendingSecondRating,
    int PendingConsensus,
    int ExcludedByFormulation,
    int AwaitingRandomization,
    int Randomized,
    ArmCounts Allocated,
    ArmCounts Withdrawn,
    ArmCounts Completed,
    ArmCounts StoppedTreatment,
    ArmCounts LostToFollowUp,
    ArmCounts Analysed);

public sealed record StratumArmCounts(string Stratum, ArmCounts Counts);

/// <summary>Withdrawals after allocation by coded category (or <c>unrecorded</c>) and arm; never a free-text reason.</summary>
public sealed record WithdrawalCount(string Category, ArmCounts Counts);

public enum SafetyEventKind
{
    AdverseEvent,
    SeriousAdverseEvent,
    ProtocolDeviation,
}

/// <summary>
/// Harms of one event type, per CONSORT Harms: people with at least one event (<see cref="WithEvent"/>) beside the
/// number of events, by arm from the day of randomization on; and apart, those before randomization (including
/// people never randomized: an event after consent is reportable whether or not an arm followed).
/// </summary>
public sealed record HarmsCount(SafetyEventKind Kind, string Type, ArmCounts WithEvent, ArmCounts Events, int WithEventBefore, int EventsBefore);

public sealed record SafetyMonth(string Month, int AdverseEvents, int SeriousAdverseEvents, int ProtocolDeviations);

/// <summary>
/// The formulation's reliability as the API reports it: Cohen's kappa of the first two independent ratings, Fleiss'
/// kappa and Krippendorff's alpha over all of them, and ICC(1,1) per factor score. Null figures are undefined.
/// </summary>
public sealed record ReliabilitySummary(
    double Kappa, double StandardError, int N, double Agreement, double? FleissKappa = null, double? KrippendorffAlpha = null,
    IReadOnlyList<FactorIcc>? Icc = null);

/// <summary>ICC(1,1) of one factor's 0-4 score with its 95% confidence interval.</summary>
public sealed record FactorIcc(string Factor, double? Value, double? Lower, double? Upper, int N);

/// <summary>The last audit event when the report was made: its sequence and stored hash, so a later rewrite shows.</summary>
public sealed record AuditHead(long Sequence, string Hash);

/// <summary>The audit chain as verified when the report was made: whether it held, over how many events, to which head.</summary>
public sealed record AuditChainAtReport(bool Valid, long Events, AuditHead? Head);
