using TrialManager.Domain.Common;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Statistics;
using TrialManager.Domain.Trials;

namespace TrialManager.Server.Features.Participants;

/// <summary>A participant's record as coordinators see it; <c>allocation</c> appears only once randomized.</summary>
public sealed record ParticipantView(
    string Id,
    string TrialId,
    string Site,
    ParticipantStatus Status,
    IReadOnlyList<string> Reasons,
    int AgeYears,
    int Severity,
    IReadOnlyList<string> Exclusions,
    int? Motivation,
    int? Expectancy,
    DateTimeOffset ScreenedAt,
    ConsentView? Consent,
    DateTimeOffset? DeclinedAt,
    Formulation? PrimaryFormulation,
    string? ExclusionReason,
    IReadOnlyList<RatingView> Ratings,
    WithdrawalView? Withdrawal,
    DateTimeOffset? CompletedAt,
    IReadOnlyList<EventView> Events,
    AllocationView? Allocation)
{
    public static ParticipantView From(Participant p, ParticipantAllocation? allocation) => new(
        p.Id, p.TrialId, p.Site, p.Status, p.ScreeningReasons, p.AgeYears, p.Severity, p.Exclusions, p.Motivation, p.Expectancy,
        p.ScreenedAt,
        p.ConsentVersion is { } version ? new ConsentView(version, p.ConsentedOn) : null,
        p.DeclinedAt,
        p.PrimaryFormulation,
        p.ExclusionReason,
        [.. p.Ratings.Select(r => RatingView.From(r, p.RandomizedAt))],
        p.WithdrawnAt is { } at ? new WithdrawalView(WithdrawalView.CategoryText(p.WithdrawalCategory), p.WithdrawalReason, at, p.WithdrawnAfterAllocation) : null,
        p.CompletedAt,
        [.. p.Events.Select(EventView.From)],
        allocation is null ? null : AllocationView.From(allocation));
}

public sealed record ConsentView(string Version, DateOnly? ConsentedOn);

/// <param name="Category">The coded category; <c>unrecorded</c> for withdrawals recorded before categories existed.</param>
/// <param name="Reason">The coordinator's private note, if any.</param>
public sealed record WithdrawalView(string Category, string? Reason, DateTimeOffset WithdrawnAt, bool AfterAllocation)
{
    /// <summary>Never defaulted to a real category: an old withdrawal's category is unknown, not "other".</summary>
    public const string Unrecorded = "unrecorded";

    public static string CategoryText(WithdrawalCategory? category) => category is { } c ? c.Wire() : Unrecorded;
}

/// <param name="Blinded">False for a rating made after the participant's allocation: the rater may have known the arm,
/// so it is kept but left out of every agreement statistic.</param>
public sealed record RatingView(
    int Number, string Rater, FormulationScores Scores, bool Consensus, string? Rationale, Formulation? Primary, DateTimeOffset RatedAt, bool Blinded)
{
    public static RatingView From(FormulationRating r, DateTimeOffset? randomizedAt) =>
        new(r.Number, r.Rater, r.Scores, r.Consensus, r.Rationale, r.Primary, r.RatedAt, FormulationAgreement.IsBlind(r, randomizedAt));
}

public sealed record EventView(int Number, ParticipantEventType Type, DateOnly OccurredOn, string Description, DateTimeOffset RecordedAt)
{
    public static EventView From(ParticipantEvent e) => new(e.Number, e.Type, e.OccurredOn, e.Description, e.RecordedAt);
}

/// <summary>The one allocation a coordinator learns: the one just made.</summary>
public sealed record AllocationView(string ParticipantId, ArmCode Arm, string Stratum, int Sequence, DateTimeOffset RandomizedAt)
{
    public static AllocationView From(ParticipantAllocation a) => new(a.ParticipantId, a.Arm, a.Stratum, a.Sequence, a.RandomizedAt);
}
