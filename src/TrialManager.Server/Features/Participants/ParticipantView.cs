using TrialManager.Domain.Therapy;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Statistics;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;
using TrialManager.Domain.Common;

namespace TrialManager.Server.Features.Participants;

/// <summary>A participant's record as coordinators see it; <c>allocation</c> appears only once randomized.</summary>
/// <param name="DecidingRating">The number of the rating that decided the primary formulation (the first, or a consensus).</param>
/// <param name="AwaitingFormulation">In formulationPending: <c>secondRating</c> or <c>consensus</c>.</param>
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
    int? DecidingRating,
    FormulationAwaiting? AwaitingFormulation,
    string? ExclusionReason,
    IReadOnlyList<RatingView> Ratings,
    WithdrawalView? Withdrawal,
    DateTimeOffset? CompletedAt,
    IReadOnlyList<EventView> Events,
    AllocationView? Allocation,
    string? Therapist = null,
    IReadOnlyList<SessionView>? Sessions = null,
    TreatmentStopView? TreatmentStop = null,
    IReadOnlyList<CorrectionView>? Corrections = null,
    IneligibilityView? Ineligibility = null)
{
    public static ParticipantView From(Participant p, ParticipantAllocation? allocation) => new(
        p.Id, p.TrialId, p.Site, p.Status, p.ScreeningReasons, p.AgeYears, p.Severity, p.Exclusions, p.Motivation, p.Expectancy,
        p.ScreenedAt,
        p.ConsentVersion is { } version ? new ConsentView(version, p.ConsentedOn, p.ReconsentedOn) : null,
        p.DeclinedAt,
        p.PrimaryFormulation,
        p.DecidingRating,
        p.Status == ParticipantStatus.FormulationPending ? p.AwaitingFormulation : null,
        p.ExclusionReason,
        [.. p.Ratings.Select(r => RatingView.From(r, p.RandomizedAt))],
        p.WithdrawnAt is { } at ? new WithdrawalView(WithdrawalView.CategoryText(p.WithdrawalCategory), p.WithdrawalReason, at, p.WithdrawnAfterAllocation) : null,
        p.CompletedAt,
        [.. p.Events.Select(EventView.From)],
        allocation is null ? null : AllocationView.From(allocation),
        p.TherapistCode,
        [.. p.Sessions.Select(SessionView.From)],
        p.TreatmentStoppedAt is { } stopped ? new TreatmentStopView(p.TreatmentStopCategory!.Value.Wire(), p.TreatmentStopNote, stopped) : null,
        Ineligibility: p.IneligibleAt is { } found ? new IneligibilityView(p.IneligibleCriterion!, p.IneligibleNote, found) : null);

    /// <summary>
    /// What a therapist may read: their participant's record without the coordinator's private notes.
    /// <paramref name="logTargets"/> are the targets (<c>measure:{id}</c>) of the participant's post-session logs.
    /// </summary>
    public ParticipantView ForTherapist(IReadOnlySet<string> logTargets) => this with
    {
        // Corrections of what therapists enter (sessions, post-session logs); the reasons for others are the site's notes.
        Corrections = Corrections?.Where(c => c.Target.StartsWith("session:", StringComparison.Ordinal) || logTargets.Contains(c.Target)).ToList(),
        Withdrawal = Withdrawal is null ? null : Withdrawal with { Reason = null },
        TreatmentStop = TreatmentStop is null ? null : TreatmentStop with { Note = null },
        Ineligibility = Ineligibility is null ? null : Ineligibility with { Note = null },
    };
}

/// <summary>One correction: the value before and after (as JSON), who made it, when and why.</summary>
public sealed record CorrectionView(
    Guid Id, string Target, string Field, System.Text.Json.JsonElement? OldValue, System.Text.Json.JsonElement? NewValue, string Reason,
    string CorrectedBy, DateTimeOffset CorrectedAt, Guid? Query)
{
    public static CorrectionView From(Correction c) => new(c.Id, c.Target, c.Field, Parse(c.OldValue), Parse(c.NewValue), c.Reason, c.CorrectedBy, c.CorrectedAt, c.QueryId);

    private static System.Text.Json.JsonElement? Parse(string? json) =>
        json is null ? null : System.Text.Json.JsonDocument.Parse(json).RootElement.Clone();
}

/// <param name="Note">The coordinator's private note, if any; no report prints it.</param>
public sealed record IneligibilityView(string Criterion, string? Note, DateTimeOffset FoundAt);

/// <param name="Note">The coordinator's private note, if any; no report prints it.</param>
public sealed record TreatmentStopView(string Category, string? Note, DateTimeOffset StoppedAt);

/// <param name="Version">The version signed last: after a re-consent, the newer one.</param>
/// <param name="ReconsentedOn">When the participant re-consented under <paramref name="Version"/>; null when never.</param>
public sealed record ConsentView(string Version, DateOnly? ConsentedOn, DateOnly? ReconsentedOn = null);

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
/// <param name="EnteredBy">The key that entered a paper rating on the rater's behalf; null when the rater rated as itself.</param>
public sealed record RatingView(
    int Number, string Rater, FormulationScores Scores, bool Consensus, string? Rationale, Formulation? Primary, DateTimeOffset RatedAt, bool Blinded,
    string? EnteredBy)
{
    public static RatingView From(FormulationRating r, DateTimeOffset? randomizedAt) =>
        new(r.Number, r.Rater, r.Scores, r.Consensus, r.Rationale, r.Primary, r.RatedAt, FormulationAgreement.IsBlind(r, randomizedAt), r.EnteredBy);
}

/// <summary>
/// An event as recorded. Adverse events carry their safety fields (null on protocol deviations, and on events recorded
/// before the fields existed); <c>alertId</c> names the safety alert it was recorded from; a serious event carries its
/// medical review once made.
/// </summary>
public sealed record EventView(
    int Number, ParticipantEventType Type, DateOnly OccurredOn, string Description, DateTimeOffset RecordedAt, Guid Id,
    IReadOnlyList<SeriousnessCriterion>? Serious, EventSeverity? Severity, EventRelatedness? Relatedness, bool? Expected, EventOutcome? Outcome,
    DateOnly? ResolvedOn, Guid? AlertId, EventReviewView? Review)
{
    public static EventView From(ParticipantEvent e) => new(
        e.Number, e.Type, e.OccurredOn, e.Description, e.RecordedAt, e.Id, e.Serious, e.Severity, e.Relatedness, e.Expected, e.Outcome, e.ResolvedOn,
        e.AlertId, e.ReviewedAt is { } at ? new EventReviewView(e.ReviewedBy!, at, e.ReviewComment!) : null);
}

/// <summary>The medical review of a serious adverse event: who, when, and their comment.</summary>
public sealed record EventReviewView(string ReviewedBy, DateTimeOffset ReviewedAt, string Comment);

/// <summary>The one allocation a coordinator learns: the one just made.</summary>
public sealed record AllocationView(string ParticipantId, ArmCode Arm, string Stratum, int Sequence, DateTimeOffset RandomizedAt)
{
    public static AllocationView From(ParticipantAllocation a) => new(a.ParticipantId, a.Arm, a.Stratum, a.Sequence, a.RandomizedAt);
}
/// <summary>One therapy session as recorded: who delivered it and which key recorded it.</summary>
public sealed record SessionView(int Number, DateOnly Date, SessionAttendance Attendance, string Therapist, string RecordedBy, DateTimeOffset RecordedAt)
{
    public static SessionView From(TherapySession s) => new(s.Number, s.Date, s.Attendance, s.Therapist, s.RecordedBy, s.RecordedAt);
}
