using System.Security.Cryptography;
using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Common;
using TrialManager.Domain.Randomization;
using TrialManager.Domain.Statistics;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Statistics;

/// <summary>
/// POST /api/trials/{id}/power-simulation: the power of the trial's primary question, the formulation x arm
/// interaction, and of the arm effect within each formulation, at the trial's size (or another), with the sizes
/// needed for 80% and 90%. A query: it reads the trial's formulations, arms, ratios and method and writes nothing.
/// The assumed effects are either every cell's mean (<c>effects</c>, in SD units) or a hypothesis (the arm expected
/// to suit each formulation; the trial's registered hypothesis when the body gives none) with one standardized
/// interaction effect d: matched cells d/4 above their formulation's mean, mismatched mediator/moderator cells d/4
/// below, so a 2 x 2 difference in differences is d.
/// </summary>
public sealed record SimulatePower(
    string TrialId,
    Dictionary<string, Dictionary<string, double?>?>? Effects,
    Dictionary<string, string?>? Hypothesis,
    double? Interaction,
    Dictionary<string, double?>? Prevalence,
    double? Dropout,
    int? Participants,
    int? Trials,
    double? Alpha,
    string? Seed) : IQuery<PowerSimulationView>;

public sealed record PowerSimulationRequest(
    Dictionary<string, Dictionary<string, double?>?>? Effects,
    Dictionary<string, string?>? Hypothesis,
    double? Interaction,
    Dictionary<string, double?>? Prevalence,
    double? Dropout,
    int? Participants,
    int? Trials,
    double? Alpha,
    string? Seed);

/// <param name="CellMeans">The assumed mean of every formulation x arm cell (SD units), whichever way it was given.</param>
/// <param name="Prevalence">The formulation shares simulated (normalised).</param>
/// <param name="BalancedWithinFormulation">Whether arms were split by the ratio within formulation (blocks, minimization) or drawn (simple).</param>
/// <param name="SeedGiven">Whether the report is reproducible from a seed the caller chose (never echoed).</param>
public sealed record PowerSimulationView(
    string TrialId,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> CellMeans,
    IReadOnlyDictionary<string, double> Prevalence,
    double Dropout,
    bool BalancedWithinFormulation,
    bool SeedGiven,
    PowerReport Report);

public sealed class SimulatePowerValidator : AbstractValidator<SimulatePower>
{
    public const int MaxTrials = 20_000;
    public const long MaxWork = 5_000_000;

    public SimulatePowerValidator()
    {
        RuleFor(c => c.Trials).InclusiveBetween(100, MaxTrials);
        RuleFor(c => c.Participants).InclusiveBetween(10, InteractionPower.MaxParticipants);
        RuleFor(c => c.Trials)
            .Must((c, trials) => c.Participants is null || (long)(trials ?? 10_000) * c.Participants <= MaxWork)
            .WithMessage($"trials x participants must not exceed {MaxWork:N0}")
            .When(c => c.Trials is null or (>= 100 and <= MaxTrials));
        RuleFor(c => c.Dropout).InclusiveBetween(0, 0.9);
        RuleFor(c => c.Alpha).ExclusiveBetween(0, 0.5);
        RuleFor(c => c.Interaction).Must(d => d is null || (double.IsFinite(d.Value) && Math.Abs(d.Value) <= 5))
            .WithMessage("must be a standardized effect between -5 and 5");
        RuleFor(c => c.Seed).MaximumLength(200).Must(s => s is null || s.Length > 0).WithMessage("must not be empty");
        RuleFor(c => c.Effects)
            .Must((c, effects) => effects is null ? c.Interaction is not null : c.Hypothesis is null && c.Interaction is null)
            .WithMessage("give either effects (every cell's mean) or an interaction effect (with a hypothesis, or the trial's own), not both");
        RuleFor(c => c.Interaction).NotNull().When(c => c.Hypothesis is not null).WithMessage("is required with a hypothesis");
    }
}

public sealed class SimulatePowerHandler(TrialDbContext db) : IQueryHandler<SimulatePower, PowerSimulationView>
{
    public async ValueTask<PowerSimulationView> Handle(SimulatePower query, CancellationToken cancellationToken)
    {
        var trial = await db.ReadTrialAsync(query.TrialId, cancellationToken);
        var definition = trial.Definition;
        var formulations = definition.Formulations.Select(f => f.Wire()).ToArray();
        var arms = definition.Arms.Select(a => a.Code.Wire()).ToArray();
        var hypothesis = query.Hypothesis ?? Trials.TrialView.HypothesisView(definition)?.ToDictionary()
            ?? (query.Effects is null
                ? throw RequestValidationException.For("hypothesis", "this trial registered no hypothesis: give one with the interaction effect, or every cell's mean as effects")
                : null);
        var means = query.Effects is not null
            ? CellMeans(query.Effects, formulations, arms)
            : HypothesisMeans(hypothesis!, query.Interaction!.Value, formulations, arms);
        var prevalence = Prevalence(query.Prevalence, formulations);
        var participants = query.Participants ?? definition.TargetEnrollment;
        if (participants < (formulations.Length * arms.Length) + 2 || participants > InteractionPower.MaxParticipants)
        {
            throw RequestValidationException.For("participants",
                $"must be more than the {formulations.Length * arms.Length} cells and at most {InteractionPower.MaxParticipants:N0} (the trial's target is {definition.TargetEnrollment})");
        }

        var trials = query.Trials ?? 10_000;
        if ((long)trials * participants > SimulatePowerValidator.MaxWork)
        {
            throw RequestValidationException.For("trials", $"trials x participants must not exceed {SimulatePowerValidator.MaxWork:N0}");
        }

        var input = new PowerInput
        {
            Formulations = formulations,
            Arms = [.. definition.Arms.Select(a => (a.Code.Wire(), a.Ratio))],
            CellMeans = means,
            Prevalence = prevalence,
            Dropout = query.Dropout ?? 0,
            Participants = participants,
            Trials = trials,
            Alpha = query.Alpha ?? 0.05,
            BalancedWithinFormulation = definition.Randomization.Method != RandomizationMethod.Simple,
            Seed = query.Seed ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
        };

        // CPU-bound (up to a second or two): off the request thread, on the simulator's own parallel loop.
        var report = await Task.Run(() => InteractionPower.Run(input), cancellationToken);
        var total = prevalence.Sum();
        return new PowerSimulationView(
            trial.Id,
            formulations.Select((f, i) => (f, i)).ToDictionary(
                x => x.f, x => (IReadOnlyDictionary<string, double>)arms.Select((a, j) => (a, j)).ToDictionary(y => y.a, y => means[x.i, y.j])),
            formulations.Select((f, i) => (f, i)).ToDictionary(x => x.f, x => prevalence[x.i] / total),
            input.Dropout,
            input.BalancedWithinFormulation,
            query.Seed is not null,
            report);
    }

    private static double[,] CellMeans(Dictionary<string, Dictionary<string, double?>?> effects, string[] formulations, string[] arms)
    {
        Unknown(effects.Keys, formulations, "effects");
        var means = new double[formulations.Length, arms.Length];
        for (var f = 0; f < formulations.Length; f++)
        {
            if (!effects.TryGetValue(formulations[f], out var row) || row is null)
            {
                throw RequestValidationException.For($"effects.{formulations[f]}", $"needs the mean of every arm: {string.Join(", ", arms)}");
            }

            Unknown(row.Keys, arms, $"effects.{formulations[f]}");
            for (var a = 0; a < arms.Length; a++)
            {
                if (!row.TryGetValue(arms[a], out var value) || value is not { } mean || !double.IsFinite(mean) || Math.Abs(mean) > 5)
                {
                    throw RequestValidationException.For($"effects.{formulations[f]}.{arms[a]}", "must be a mean in SD units between -5 and 5");
                }

                means[f, a] = mean;
            }
        }

        return means;
    }

    private static double[,] HypothesisMeans(Dictionary<string, string?> hypothesis, double d, string[] formulations, string[] arms)
    {
        Unknown(hypothesis.Keys, formulations, "hypothesis");
        var relationshipArms = new[] { ArmCode.Mediator.Wire(), ArmCode.Moderator.Wire() };
        var means = new double[formulations.Length, arms.Length];
        for (var f = 0; f < formulations.Length; f++)
        {
            if (!hypothesis.TryGetValue(formulations[f], out var predicted) || predicted is null)
            {
                continue; // no prediction for this formulation: its arms are assumed equal
            }

            if (!relationshipArms.Contains(predicted) || !arms.Contains(predicted))
            {
                throw RequestValidationException.For($"hypothesis.{formulations[f]}", $"must be one of the trial's relationship arms ({string.Join(", ", arms.Intersect(relationshipArms))}) or null");
            }

            for (var a = 0; a < arms.Length; a++)
            {
                means[f, a] = arms[a] == predicted ? d / 4 : relationshipArms.Contains(arms[a]) ? -d / 4 : 0;
            }
        }

        return means;
    }

    private static double[] Prevalence(Dictionary<string, double?>? prevalence, string[] formulations)
    {
        if (prevalence is null)
        {
            return [.. formulations.Select(_ => 1.0)];
        }

        Unknown(prevalence.Keys, formulations, "prevalence");
        return [.. formulations.Select(f => prevalence.TryGetValue(f, out var share) && share is { } s && double.IsFinite(s) && s > 0 && s <= 1_000_000
            ? s
            : throw RequestValidationException.For($"prevalence.{f}", "must be a positive share (every formulation of the trial needs one)"))];
    }

    private static void Unknown(IEnumerable<string> given, string[] allowed, string field)
    {
        if (given.FirstOrDefault(k => !allowed.Contains(k)) is { } unknown)
        {
            throw RequestValidationException.For($"{field}.{unknown}", $"is not in this trial; use {string.Join(", ", allowed)}");
        }
    }
}
