using TrialManager.Infrastructure.Documents.Protocols;

namespace TrialManager.Infrastructure.Documents;

/// <summary>Labels shared by the documents; arms and formulations are the lower-case strings the trial stores.</summary>
public static class DocumentLabels
{
    public static string Arm(string arm) => arm switch
    {
        "mediator" => "Relationship as mediator",
        "moderator" => "Relationship as moderator",
        _ => throw new ArgumentOutOfRangeException(nameof(arm), arm, "Arm is 'mediator' or 'moderator'."),
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

public sealed record TrialIdentity(string Id, string Title, string Registration, string Status, int TargetEnrollment);

public sealed record ProtocolVersionInUse(string Id, string Version, string Sha256);

/// <summary>Participants randomized at a site against that site's share of the target.</summary>
public sealed record SiteRecruitment(string Site, int Count, int TargetShare);

/// <summary>A count for a calendar month written yyyy-MM.</summary>
public sealed record MonthlyCount(string Month, int Count);

public sealed record ArmCounts(int Mediator, int Moderator)
{
    public int Total => Mediator + Moderator;
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

/// <summary>Withdrawals aggregated by reason and arm; never per participant.</summary>
public sealed record WithdrawalReason(string Reason, ArmCounts Counts);

public enum SafetyEventKind
{
    AdverseEvent,
    SeriousAdverseEvent,
    ProtocolDeviation,
}

/// <summary>
/// Events of one type: of randomized participants by the arm they were allocated, and of participants who had
/// consented but were never randomized (an event after consent is reportable whether or not an arm followed).
/// </summary>
public sealed record SafetyEventCount(SafetyEventKind Kind, string Type, ArmCounts Counts, int NotRandomized)
{
    public int Total => Counts.Total + NotRandomized;
}

public sealed record SafetyMonth(string Month, int AdverseEvents, int SeriousAdverseEvents, int ProtocolDeviations);

public sealed record ReliabilitySummary(double Kappa, double StandardError, int N, double Agreement);

public sealed record AuditVerification(bool Valid, long Events);

/// <summary>The periodic report to the ethics board: aggregates only, no participant identifiers.</summary>
public sealed record EthicsReportModel(
    TrialIdentity Trial,
    DateTimeOffset GeneratedAt,
    IReadOnlyList<ProtocolVersionInUse> Protocols,
    IReadOnlyList<SiteRecruitment> RecruitmentBySite,
    IReadOnlyList<MonthlyCount> RecruitmentByMonth,
    ConsortCounts Consort,
    IReadOnlyList<StratumBalance> Balance,
    IReadOnlyList<WithdrawalReason> Withdrawals,
    IReadOnlyList<SafetyEventCount> SafetyEvents,
    IReadOnlyList<SafetyMonth> SafetyByMonth,
    ReliabilitySummary? Reliability,
    AuditVerification Audit);
