using TrialManager.Infrastructure.Documents.Protocols;

namespace TrialManager.Infrastructure.Documents;

/// <summary>Labels shared by the documents; arms and formulations are the lower-case strings the trial stores.</summary>
public static class DocumentLabels
{
    public static string WithdrawalCategory(string category) => category switch
    {
        "withdrewConsent" => "Withdrew consent",
        "lostToFollowUp" => "Lost to follow-up",
        "adverseEvent" => "Adverse event",
        "movedAway" => "Moved away",
        "clinicalDecision" => "Clinical decision",
        "other" => "Other",
        "unrecorded" => "Unrecorded (withdrawn before categories were recorded)",
        _ => throw new ArgumentOutOfRangeException(nameof(category), category, "Unknown withdrawal category."),
    };

    public static string Arm(string arm) => arm switch
    {
        "mediator" => "Relationship as mediator",
        "moderator" => "Relationship as moderator",
        "comparator" => "Comparator (treatment chosen by diagnosis)",
        _ => throw new ArgumentOutOfRangeException(nameof(arm), arm, "Arm is 'mediator', 'moderator' or 'comparator'."),
    };

    public static string Formulation(string formulation) => formulation switch
    {
        "cognitive" => "Cognitive",
        "interpersonal" => "Interpersonal",
        "behavioral" => "Behavioral",
        "environmental" => "Environmental",
        _ => throw new ArgumentOutOfRangeException(nameof(formulation), formulation, "Unknown formulation."),
    };
}

/// <summary>One rater's formulation scores per maintaining factor.</summary>
public sealed record FormulationRating(
    string Rater,
    int Cognitive,
    int Interpersonal,
    int Behavioral,
    int Environmental,
    bool Consensus,
    DateTimeOffset RatedAt);

/// <summary>What the therapist receives for one allocated participant.</summary>
public sealed record ProtocolDocumentModel(
    string StudyId,
    string Site,
    string TrialId,
    string TrialTitle,
    string Registration,
    string PrimaryFormulation,
    IReadOnlyList<FormulationRating> Ratings,
    string Arm,
    string Stratum,
    DateTimeOffset RandomizedAt,
    ProtocolText Protocol,
    string ProtocolVersion,
    string ProtocolSha256,
    DateTimeOffset GeneratedAt);

public sealed record TrialIdentity(string Id, string Title, string Registration, string Status, int TargetEnrollment, bool HasComparator = false);

public sealed record ProtocolVersionInUse(string Id, string Version, string Sha256);

/// <summary>Participants randomized at a site against that site's share of the target.</summary>
public sealed record SiteRecruitment(string Site, int Count, int TargetShare);

/// <summary>A count for a calendar month written yyyy-MM.</summary>
public sealed record MonthlyCount(string Month, int Count);

/// <summary>Counts per arm; <see cref="Comparator"/> stays 0 in a trial without the third arm.</summary>
public sealed record ArmCounts(int Mediator, int Moderator, int Comparator = 0)
{
    public int Total => Mediator + Moderator + Comparator;
}

public sealed record ReasonCount(string Reason, int Count);

public sealed record ConsortCounts(
    int Assessed,
    int Excluded,
    IReadOnlyList<ReasonCount> ExcludedByReason,
    int Randomized,
    ArmCounts Allocated,
    ArmCounts Withdrawn,
    ArmCounts Completed);

public sealed record StratumBalance(string Stratum, ArmCounts Counts);

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

public sealed record AuditVerification(bool Valid, long Events, AuditHead? Head);

/// <summary>The periodic report to the ethics board: aggregates only, no participant identifiers.</summary>
public sealed record EthicsReportModel(
    TrialIdentity Trial,
    DateTimeOffset GeneratedAt,
    IReadOnlyList<ProtocolVersionInUse> Protocols,
    IReadOnlyList<SiteRecruitment> RecruitmentBySite,
    IReadOnlyList<MonthlyCount> RecruitmentByMonth,
    ConsortCounts Consort,
    IReadOnlyList<StratumBalance> Balance,
    IReadOnlyList<WithdrawalCount> Withdrawals,
    IReadOnlyList<HarmsCount> Harms,
    IReadOnlyList<SafetyMonth> SafetyByMonth,
    ReliabilitySummary? Reliability,
    AuditVerification Audit,
    int MinCellSize);
