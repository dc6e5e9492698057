using TrialManager.Domain.Common;
using TrialManager.Domain.Randomization;
using TrialManager.Domain.Schedule;

namespace TrialManager.Domain.Trials;

/// <summary>The registered design of a trial. Immutable once the trial exists.</summary>
public sealed record TrialDefinition
{
    public required string Id { get; init; }
    public required string Title { get; init; }
    public string? Registration { get; init; }
    public required int TargetEnrollment { get; init; }
    public required IReadOnlyList<string> Sites { get; init; }
    public required IReadOnlyList<Formulation> Formulations { get; init; }
    public required IReadOnlyList<ArmDefinition> Arms { get; init; }
    public required RandomizationSettings Randomization { get; init; }
    public required EligibilityCriteria Eligibility { get; init; }
    public required FormulationRule FormulationRule { get; init; }

    /// <summary>
    /// The pre-specified hypothesis, registered before the first allocation: for each formulation, the arm expected to
    /// suit it, or no prediction. Null for a trial that registered none.
    /// </summary>
    public IReadOnlyList<HypothesisEntry>? Hypothesis { get; init; }

    /// <summary>E-mail addresses told of the trial's safety alerts (and later its serious adverse events and unblindings); empty: none.</summary>
    public IReadOnlyList<string> SafetyContacts { get; init; } = [];
    /// <summary>Sessions and assessment visits counted from randomization, with their instruments; null for a trial without one.</summary>
    public TrialSchedule? Schedule { get; init; }

    /// <summary>Whether an allocation put the participant in the arm predicted for their formulation; null without a prediction.</summary>
    public bool? Matched(Formulation formulation, ArmCode arm)
    {
        // Called once per exported allocation: a plain loop, nothing allocated.
        var hypothesis = Hypothesis ?? [];
        for (var i = 0; i < hypothesis.Count; i++)
        {
            if (hypothesis[i].Formulation == formulation)
            {
                return hypothesis[i].Arm is { } predicted ? predicted == arm : null;
            }
        }

        return null;
    }

    /// <summary>The factor names whose levels make up a participant's stratum or minimisation profile.</summary>
    public IReadOnlyList<string> AllocationFactors =>
        Randomization.Method == RandomizationMethod.Minimization ? Randomization.Factors : Randomization.StratifyBy;

    public RandomizationDesign ToDesign() => new()
    {
        Method = Randomization.Method,
        Ratios = [.. Arms.Select(a => a.Ratio)],
        BlockSizes = Randomization.BlockSizes,
        StratifyBy = Randomization.StratifyBy,
        Factors = Randomization.Factors,
        Probability = Randomization.Probability ?? 1.0,
        Imbalance = Randomization.Imbalance,
    };

    /// <summary>A participant's level on every factor the design may use.</summary>
    public IReadOnlyDictionary<string, string> FactorLevels(string site, Formulation formulation, int severity) =>
        new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [Factors.Formulation] = formulation.Wire(),
            [Factors.Site] = site,
            [Factors.Severity] = Randomization.SeverityCutoff is { } cutoff && severity >= cutoff ? "high" : "low",
        };
}

public sealed record ArmDefinition(ArmCode Code, int Ratio);

/// <summary>One formulation's line of the hypothesis: the arm expected to suit it (null: no prediction).</summary>
public sealed record HypothesisEntry(Formulation Formulation, ArmCode? Arm);

public sealed record RandomizationSettings
{
    public required RandomizationMethod Method { get; init; }
    public IReadOnlyList<int> BlockSizes { get; init; } = [];
    public IReadOnlyList<string> StratifyBy { get; init; } = [];
    public IReadOnlyList<string> Factors { get; init; } = [];
    public double? Probability { get; init; }
    public ImbalanceMeasure Imbalance { get; init; } = ImbalanceMeasure.Range;
    public int? SeverityCutoff { get; init; }
}

public sealed record EligibilityCriteria(int MinAge, int MaxAge, int MinSeverity, int MaxSeverity, IReadOnlyList<string> Exclusions);

/// <param name="MinMargin">By how much the top factor must lead the next for a primary formulation.</param>
/// <param name="DoubleRating">Which share of participants gets a second independent rating; null: none.</param>
/// <param name="Certification">When a rater is certified on the trial's reference cases; null: no certification.</param>
public sealed record FormulationRule(int MinMargin, DoubleRatingRule? DoubleRating = null, CertificationRule? Certification = null);

/// <param name="Share">The share (0, 1] of participants drawn, reproducibly from the trial's seed, for a second rating.</param>
public sealed record DoubleRatingRule(double Share);

/// <param name="MinAgreement">The share (0, 1] of practised reference cases on which the rater's primary formulation must be the experts'.</param>
/// <param name="MinCases">The fewest reference cases practised before that share counts.</param>
public sealed record CertificationRule(double MinAgreement, int MinCases);
