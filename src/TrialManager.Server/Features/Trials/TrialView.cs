using TrialManager.Domain.Common;
using TrialManager.Domain.Randomization;
using TrialManager.Domain.Schedule;
using TrialManager.Domain.Trials;
using TrialManager.Server.Common;
using TrialManager.Server.Security;

namespace TrialManager.Server.Features.Trials;

/// <summary>
/// A trial as a client sees it. The seed and the randomization restrictions (block sizes, minimization
/// probability) are filled in for statisticians only: enrolling staff must not be able to predict allocations.
/// The safety contacts (people's e-mail addresses) for admins only, who set them.
/// An assessor, blind to the arm, gets no arms, randomization or hypothesis at all (null: withheld).
/// </summary>
public sealed record TrialView(
    string Id,
    string Title,
    string? Registration,
    int TargetEnrollment,
    IReadOnlyList<string> Sites,
    IReadOnlyList<Formulation> Formulations,
    IReadOnlyList<ArmDefinition>? Arms,
    RandomizationView? Randomization,
    EligibilityCriteria Eligibility,
    FormulationRule FormulationRule,
    TrialStatus Status,
    DateTimeOffset CreatedAt,
    TrialCounts Counts,
    IReadOnlyDictionary<string, string?>? Hypothesis,
    ScheduleView? Schedule,
    IReadOnlyList<string>? SafetyContacts,
    string DefinitionVersion,
    string? ConsentVersion)
{
    public static TrialView From(Trial trial, Actor actor, TrialCounts counts)
    {
        var d = trial.Definition;
        var r = d.Randomization;
        var restricted = actor.Role == Roles.Statistician;
        var blind = actor.Role == Roles.Assessor;
        return new TrialView(
            d.Id, d.Title, d.Registration, d.TargetEnrollment, d.Sites, d.Formulations, blind ? null : d.Arms,
            blind ? null : new RandomizationView(
                r.Method, r.StratifyBy, r.Factors, r.SeverityCutoff,
                restricted ? r.BlockSizes : null,
                restricted ? r.Probability : null,
                restricted && r.Method == RandomizationMethod.Minimization ? r.Imbalance : null,
                restricted ? trial.Seed : null),
            d.Eligibility, d.FormulationRule, trial.Status, trial.CreatedAt, counts, blind ? null : HypothesisView(d), ScheduleView.From(d.Schedule),
            actor.Role == Roles.Admin ? d.SafetyContacts : null,
            trial.DefinitionVersion, trial.ConsentVersion);
    }

    /// <summary>The hypothesis on the wire: {"cognitive": "moderator", "environmental": null}; null when none was registered.</summary>
    public static IReadOnlyDictionary<string, string?>? HypothesisView(TrialDefinition definition) =>
        definition.Hypothesis?.ToDictionary(h => h.Formulation.Wire(), h => h.Arm?.Wire());
}

/// <summary>The schedule as the definition gave it; null for a trial without one.</summary>
public sealed record ScheduleView(
    int Sessions, IReadOnlyList<ScheduledVisit> Visits, int SessionIntervalDays, IReadOnlyList<string> SessionInstruments, IReadOnlyList<string> VisitInstruments)
{
    public static ScheduleView? From(TrialSchedule? s) =>
        s is null ? null : new(s.Sessions, s.Visits, s.SessionIntervalDays, s.SessionInstruments, s.VisitInstruments);
}

public sealed record RandomizationView(
    RandomizationMethod Method,
    IReadOnlyList<string> StratifyBy,
    IReadOnlyList<string> Factors,
    int? SeverityCutoff,
    IReadOnlyList<int>? BlockSizes,
    double? Probability,
    ImbalanceMeasure? Imbalance,
    string? Seed);

public sealed record TrialCounts(int Screened, int Randomized, IReadOnlyDictionary<string, int> ByStatus)
{
    public static readonly TrialCounts None = new(0, 0, new Dictionary<string, int>());
}
