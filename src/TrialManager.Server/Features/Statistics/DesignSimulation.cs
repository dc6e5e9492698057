using System.Security.Cryptography;
using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Common;
using TrialManager.Domain.Randomization;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Statistics;

/// <summary>
/// POST /api/trials/{id}/design-simulation: Monte Carlo report of the trial's own design (method, ratios, strata)
/// under an assumed stratum mix. A query: it reads the trial and writes nothing. The trial's seed is never used
/// or shown; the simulation has its own seed, random unless the statistician gives one to reproduce a report.
/// </summary>
public sealed record SimulateDesign(string TrialId, int? Trials, int? ParticipantsPerTrial, string? Seed, List<StratumMixEntry?>? Strata)
    : IQuery<DesignSimulationView>;

public sealed record DesignSimulationRequest(int? Trials, int? ParticipantsPerTrial, string? Seed, List<StratumMixEntry?>? Strata);

public sealed record StratumMixEntry(Dictionary<string, string?>? Levels, double? Weight);

/// <param name="StratumMix">The mix simulated: the one sent, or the uniform default over every combination of levels.</param>
/// <param name="SeedGiven">Whether the report is reproducible from a seed the caller chose (the seed is not echoed).</param>
public sealed record DesignSimulationView(string TrialId, IReadOnlyList<StratumShare> StratumMix, bool SeedGiven, DesignSimulationReport Report);

public sealed class SimulateDesignValidator : AbstractValidator<SimulateDesign>
{
    public const int MaxTrials = 20_000;
    public const int MaxParticipants = 2_000;
    public const long MaxWork = 4_000_000;
    public const int MaxStrata = 1_000;

    public SimulateDesignValidator()
    {
        RuleFor(c => c.Trials).InclusiveBetween(1, MaxTrials);
        RuleFor(c => c.ParticipantsPerTrial).InclusiveBetween(1, MaxParticipants);
        RuleFor(c => c.Trials)
            .Must((c, trials) => (long)(trials ?? 10_000) * (c.ParticipantsPerTrial ?? 200) <= MaxWork)
            .WithMessage($"trials x participantsPerTrial must not exceed {MaxWork:N0}")
            .When(c => c.Trials is null or (>= 1 and <= MaxTrials) && c.ParticipantsPerTrial is null or (>= 1 and <= MaxParticipants));
        RuleFor(c => c.Seed).MaximumLength(200).Must(s => s is null || s.Length > 0).WithMessage("must not be empty");
        RuleFor(c => c.Strata).Must(s => s is null || s.Count is > 0 and <= MaxStrata)
            .WithMessage($"give 1 to {MaxStrata} strata, or leave it out for a uniform mix");
        RuleForEach(c => c.Strata).NotNull().ChildRules(entry =>
        {
            entry.RuleFor(e => e!.Levels).NotEmpty();
            entry.RuleFor(e => e!.Weight).Must(w => w is null || (double.IsFinite(w.Value) && w > 0 && w <= 1_000_000))
                .WithMessage("must be a positive number up to 1,000,000");
        });
    }
}

public sealed class SimulateDesignHandler(TrialDbContext db) : IQueryHandler<SimulateDesign, DesignSimulationView>
{
    private static readonly string[] SeverityLevels = ["low", "high"];

    public async ValueTask<DesignSimulationView> Handle(SimulateDesign query, CancellationToken cancellationToken)
    {
        var trial = await db.ReadTrialAsync(query.TrialId, cancellationToken);
        var definition = trial.Definition;
        var mix = query.Strata is null ? DefaultMix(definition) : CheckedMix(definition, query.Strata);
        var seedGiven = query.Seed is not null;
        var input = new DesignSimulationInput
        {
            StratumMix = mix,
            Trials = query.Trials ?? 10_000,
            ParticipantsPerTrial = query.ParticipantsPerTrial ?? 200,
            Seed = query.Seed ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
        };

        // CPU-bound (seconds at the largest size): off the request thread, on the engine's own parallel loop.
        var report = await Task.Run(() => DesignSimulator.Run(definition.ToDesign(), input), cancellationToken);
        return new DesignSimulationView(trial.Id, mix, seedGiven, report);
    }

    /// <summary>The factors a mix entry may name: the design's own, plus formulation and site (reported per level anyway).</summary>
    private static string[] Factors(TrialDefinition definition) =>
        [.. new[] { Domain.Trials.Factors.Formulation, Domain.Trials.Factors.Site }.Concat(definition.AllocationFactors).Distinct()];

    private static string[] Levels(TrialDefinition definition, string factor) => factor switch
    {
        Domain.Trials.Factors.Formulation => [.. definition.Formulations.Select(f => f.Wire())],
        Domain.Trials.Factors.Site => [.. definition.Sites],
        _ => SeverityLevels,
    };

    private static List<StratumShare> DefaultMix(TrialDefinition definition)
    {
        IEnumerable<Dictionary<string, string>> combinations = [new Dictionary<string, string>(StringComparer.Ordinal)];
        foreach (var factor in Factors(definition))
        {
            var levels = Levels(definition, factor);
            combinations = combinations.SelectMany(c => levels.Select(l => new Dictionary<string, string>(c, StringComparer.Ordinal) { [factor] = l }));
        }

        return [.. combinations.Select(c => new StratumShare(c, 1))];
    }

    private static List<StratumShare> CheckedMix(TrialDefinition definition, List<StratumMixEntry?> strata)
    {
        var factors = Factors(definition);
        var mix = new List<StratumShare>(strata.Count);
        for (var i = 0; i < strata.Count; i++)
        {
            var field = $"strata[{i}].levels";
            var levels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (factor, level) in strata[i]!.Levels!)
            {
                if (!factors.Contains(factor))
                {
                    throw RequestValidationException.For(field, $"'{factor}' is not a factor of this trial; use {string.Join(", ", factors)}");
                }

                var allowed = Levels(definition, factor);
                if (level is null || !allowed.Contains(level))
                {
                    throw RequestValidationException.For($"{field}.{factor}", $"must be one of {string.Join(", ", allowed)}");
                }

                levels[factor] = level;
            }

            var missing = definition.AllocationFactors.Where(f => !levels.ContainsKey(f)).ToList();
            if (missing.Count > 0)
            {
                throw RequestValidationException.For(field, $"needs a level for every factor of the design: missing {string.Join(", ", missing)}");
            }

            mix.Add(new StratumShare(levels, strata[i]!.Weight ?? 1));
        }

        return mix;
    }
}
