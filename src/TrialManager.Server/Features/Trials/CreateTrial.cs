using System.Security.Cryptography;
using System.Text.Json;
using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Common;
using TrialManager.Domain.Randomization;
using TrialManager.Domain.Schedule;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Instruments;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Trials;

/// <summary>POST /api/trials: a trial definition as sent by the client, every field checked before use.</summary>
public sealed record CreateTrial(
    string? Id,
    string? Title,
    string? Registration,
    int? TargetEnrollment,
    List<string?>? Sites,
    List<string?>? Formulations,
    List<ArmRequest?>? Arms,
    RandomizationRequest? Randomization,
    EligibilityRequest? Eligibility,
    FormulationRuleRequest? FormulationRule,
    Dictionary<string, string?>? Hypothesis,
    ScheduleRequest? Schedule = null,
    List<string?>? SafetyContacts = null) : ICommand<TrialView>, IAuditedCommand
{
    public string? AuditTrialId => Id;
}

public sealed record ArmRequest(string? Code, int? Ratio);

public sealed record RandomizationRequest(
    string? Method,
    List<int>? BlockSizes,
    List<string?>? StratifyBy,
    List<string?>? Factors,
    double? Probability,
    int? SeverityCutoff,
    string? Imbalance,
    JsonElement? Seed);

public sealed record EligibilityRequest(int? MinAge, int? MaxAge, int? MinSeverity, int? MaxSeverity, List<string?>? Exclusions);

public sealed record FormulationRuleRequest(int? MinMargin, DoubleRatingRequest? DoubleRating, CertificationRequest? Certification);

public sealed record DoubleRatingRequest(double? Share);

public sealed record CertificationRequest(double? MinAgreement, int? MinCases);

public sealed record ScheduleRequest(
    int? Sessions, int? SessionIntervalDays, List<VisitRequest?>? Visits, List<string?>? SessionInstruments, List<string?>? VisitInstruments);

public sealed record VisitRequest(string? Code, int? Day, int? Window);

public sealed class CreateTrialValidator : AbstractValidator<CreateTrial>
{
    private const string CodePattern = "^[a-zA-Z][a-zA-Z0-9]{0,39}$";

    public CreateTrialValidator(InstrumentCatalogue catalogue)
    {
        RuleFor(t => t.Id).NotEmpty().Matches("^[a-z0-9-]{3,40}$").WithMessage("must be 3 to 40 of a-z, 0-9 and -");
        RuleFor(t => t.Title).NotEmpty().MaximumLength(200);
        RuleFor(t => t.Registration).MaximumLength(40);
        RuleFor(t => t.TargetEnrollment).NotNull().InclusiveBetween(1, 1_000_000);

        RuleFor(t => t.Sites).NotEmpty().Must(s => s!.Count <= 100).WithMessage("at most 100 sites")
            .Must(s => s!.Select(x => x?.ToUpperInvariant()).Distinct().Count() == s!.Count).WithMessage("sites must not repeat (site codes are case-insensitive)");
        RuleForEach(t => t.Sites).NotEmpty().Matches("^[A-Za-z0-9]{1,16}$").WithMessage("a site code is 1 to 16 letters or digits");

        RuleFor(t => t.Formulations).NotEmpty().Must(Distinct).WithMessage("formulations must not repeat");
        RuleForEach(t => t.Formulations).Must(f => Wire.TryParse<Formulation>(f, out _))
            .WithMessage("must be one of cognitive, interpersonal, behavioral, environmental");

        RuleFor(t => t.Arms).NotEmpty().Must(a => a!.Count >= 2).WithMessage("needs at least two arms")
            .Must(a => a!.Select(x => x?.Code?.ToLowerInvariant()).Distinct().Count() == a!.Count).WithMessage("arm codes must not repeat")
            // The trial's question is mediator against moderator; a comparator can only come as a third arm.
            .Must(a => RelationshipArms.All(r => a!.Any(x => string.Equals(x?.Code, r, StringComparison.OrdinalIgnoreCase))))
            .WithMessage("needs both relationship arms, mediator and moderator; comparator is an optional third");
        RuleForEach(t => t.Arms).NotNull().ChildRules(arm =>
        {
            arm.RuleFor(a => a!.Code).Must(c => Wire.TryParse<ArmCode>(c, out _)).WithMessage("must be mediator, moderator or comparator");
            arm.RuleFor(a => a!.Ratio).NotNull().InclusiveBetween(1, 20);
        });

        RuleFor(t => t.Randomization).NotNull();
        When(t => t.Randomization is not null, () =>
        {
            RuleFor(t => t.Randomization!.Method).Must(m => Wire.TryParse<RandomizationMethod>(m, out _))
                .WithMessage("must be permutedBlocks, minimization or simple").OverridePropertyName("randomization.method");
            RuleForEach(t => t.Randomization!.StratifyBy).Must(f => Domain.Trials.Factors.All.Contains(f))
                .WithMessage("must be one of formulation, site, severity").OverridePropertyName("randomization.stratifyBy");
            RuleFor(t => t.Randomization!.StratifyBy).Must(Distinct).WithMessage("factors must not repeat")
                .OverridePropertyName("randomization.stratifyBy");
            RuleForEach(t => t.Randomization!.Factors).Must(f => Domain.Trials.Factors.All.Contains(f))
                .WithMessage("must be one of formulation, site, severity").OverridePropertyName("randomization.factors");
            RuleFor(t => t.Randomization!.Factors).Must(Distinct).WithMessage("factors must not repeat")
                .OverridePropertyName("randomization.factors");
            RuleFor(t => t.Randomization!.SeverityCutoff).InclusiveBetween(0, 1000).OverridePropertyName("randomization.severityCutoff");
            RuleFor(t => t.Randomization!.Imbalance).Must(i => i is null || Wire.TryParse<ImbalanceMeasure>(i, out _))
                .WithMessage("must be range or variance").OverridePropertyName("randomization.imbalance");
            RuleFor(t => t.Randomization!.Seed).Must(s => s is null || SeedText(s.Value, out _))
                .WithMessage("must be null (the server draws a 256-bit seed) or a string of 32 to 200 hexadecimal characters: an explicit " +
                             "seed must carry at least 128 bits, or the sequence can be found by trying seeds against a few known allocations")
                .OverridePropertyName("randomization.seed");

            When(t => Is(t, RandomizationMethod.PermutedBlocks), () =>
            {
                RuleFor(t => t.Randomization!.BlockSizes).NotEmpty().OverridePropertyName("randomization.blockSizes")
                    .Must(Distinct).WithMessage("block sizes must not repeat").OverridePropertyName("randomization.blockSizes");
                RuleForEach(t => t.Randomization!.BlockSizes).InclusiveBetween(1, 100).OverridePropertyName("randomization.blockSizes")
                    .Must((t, size) => RatioSum(t) is not { } sum || size % sum == 0)
                    .WithMessage((t, size) => $"block size {size} is not a multiple of the sum of the arm ratios ({RatioSum(t)})")
                    .OverridePropertyName("randomization.blockSizes");
                RuleFor(t => t.Randomization!.BlockSizes).Must((t, sizes) => sizes is not [var only] || only != RatioSum(t))
                    .WithMessage(t => $"a single block size equal to the sum of the arm ratios ({RatioSum(t)}) lets anyone who has seen the " +
                                      "earlier allocations of a block predict its last one; add a larger or a second block size")
                    .OverridePropertyName("randomization.blockSizes");
                RuleFor(t => t.Randomization!.StratifyBy).NotEmpty().OverridePropertyName("randomization.stratifyBy")
                    .Must(s => s!.Contains(Domain.Trials.Factors.Formulation)).WithMessage("formulation must be among the stratification factors")
                    .OverridePropertyName("randomization.stratifyBy");
            });
            When(t => Is(t, RandomizationMethod.Minimization), () =>
            {
                RuleFor(t => t.Randomization!.Factors).NotEmpty().OverridePropertyName("randomization.factors");
                RuleFor(t => t.Randomization!.Probability).NotNull().OverridePropertyName("randomization.probability")
                    .Must(p => p is > 0.5 and < 1.0).WithMessage("must be greater than 0.5 and below 1: with 1 every participant gets the arm " +
                                                                  "that minimises imbalance, which anyone who knows the earlier allocations can predict")
                    .OverridePropertyName("randomization.probability");
            });
            When(t => UsesSeverity(t.Randomization!), () =>
            {
                RuleFor(t => t.Randomization!.SeverityCutoff).NotNull().WithMessage("is required when severity is a factor")
                    .OverridePropertyName("randomization.severityCutoff");
                RuleFor(t => t.Randomization!.SeverityCutoff)
                    .Must((t, cutoff) => cutoff is not { } c || t.Eligibility is not { MinSeverity: { } min, MaxSeverity: { } max } || (c > min && c <= max))
                    .WithMessage(t => $"must be above eligibility.minSeverity ({t.Eligibility!.MinSeverity}) and at most eligibility.maxSeverity " +
                                      $"({t.Eligibility.MaxSeverity}): otherwise every eligible participant has the same level of severity and " +
                                      "the factor balances nothing")
                    .OverridePropertyName("randomization.severityCutoff");
            });

            // A field the chosen method does not use would be stored and silently ignored: refuse it instead.
            RuleFor(t => t.Randomization!.BlockSizes).Must((t, sizes) => sizes is null or [] || Applies(t, RandomizationMethod.PermutedBlocks))
                .WithMessage(t => DoesNotApply(t, "permutedBlocks")).OverridePropertyName("randomization.blockSizes");
            RuleFor(t => t.Randomization!.Probability).Must((t, p) => p is null || Applies(t, RandomizationMethod.Minimization))
                .WithMessage(t => DoesNotApply(t, "minimization")).OverridePropertyName("randomization.probability");
            RuleFor(t => t.Randomization!.Factors).Must((t, factors) => factors is null or [] || Applies(t, RandomizationMethod.Minimization))
                .WithMessage(t => DoesNotApply(t, "minimization")).OverridePropertyName("randomization.factors");
            RuleFor(t => t.Randomization!.Imbalance).Must((t, i) => i is null || Applies(t, RandomizationMethod.Minimization))
                .WithMessage(t => DoesNotApply(t, "minimization")).OverridePropertyName("randomization.imbalance");
            RuleFor(t => t.Randomization!.StratifyBy).Must((t, factors) => factors is null or [] || !Is(t, RandomizationMethod.Minimization))
                .WithMessage("does not apply to minimization, which balances over 'factors'").OverridePropertyName("randomization.stratifyBy");
            RuleFor(t => t.Randomization!.SeverityCutoff).Must((t, c) => c is null || UsesSeverity(t.Randomization!))
                .WithMessage(t => $"does not apply: severity is not among the {(Is(t, RandomizationMethod.Minimization) ? "factors" : "stratification factors")}")
                .OverridePropertyName("randomization.severityCutoff");
        });

        RuleFor(t => t.Eligibility).NotNull();
        When(t => t.Eligibility is not null, () =>
        {
            RuleFor(t => t.Eligibility!.MinAge).NotNull().InclusiveBetween(0, 120).OverridePropertyName("eligibility.minAge");
            RuleFor(t => t.Eligibility!.MaxAge).NotNull().InclusiveBetween(0, 120).OverridePropertyName("eligibility.maxAge")
                .GreaterThanOrEqualTo(t => t.Eligibility!.MinAge ?? 0).WithMessage("must not be below minAge").OverridePropertyName("eligibility.maxAge");
            RuleFor(t => t.Eligibility!.MinSeverity).NotNull().InclusiveBetween(0, 1000).OverridePropertyName("eligibility.minSeverity");
            RuleFor(t => t.Eligibility!.MaxSeverity).NotNull().InclusiveBetween(0, 1000).OverridePropertyName("eligibility.maxSeverity")
                .GreaterThanOrEqualTo(t => t.Eligibility!.MinSeverity ?? 0).WithMessage("must not be below minSeverity")
                .OverridePropertyName("eligibility.maxSeverity");
            RuleForEach(t => t.Eligibility!.Exclusions).NotEmpty().Matches(CodePattern)
                .WithMessage("an exclusion is a code of letters and digits, e.g. psychosis").OverridePropertyName("eligibility.exclusions");
            RuleFor(t => t.Eligibility!.Exclusions).Must(e => e is null || (e.Count <= 50 && Distinct(e)))
                .WithMessage("at most 50 distinct exclusions").OverridePropertyName("eligibility.exclusions");
        });

        // The hypothesis names every formulation of the trial: the arm expected to suit it, or null for no prediction.
        // A formulation left out is refused rather than read as "no prediction": a registered design says so explicitly.
        RuleFor(t => t.Hypothesis).Custom((hypothesis, context) =>
        {
            var t = context.InstanceToValidate;
            if (hypothesis is null || t.Formulations is null || t.Arms is null)
            {
                return;
            }

            var formulations = t.Formulations.Where(f => f is not null).Select(f => f!).ToList();
            var arms = t.Arms.Select(a => a?.Code).Where(a => a is not null).ToList();
            foreach (var (formulation, arm) in hypothesis)
            {
                if (!formulations.Contains(formulation, StringComparer.OrdinalIgnoreCase))
                {
                    context.AddFailure($"hypothesis.{formulation}", $"is not among the trial's formulations ({string.Join(", ", formulations)})");
                }
                else if (arm is not null && (!arms.Contains(arm, StringComparer.OrdinalIgnoreCase) || !Wire.TryParse<ArmCode>(arm, out _)))
                {
                    context.AddFailure($"hypothesis.{formulation}", $"must be one of the trial's arms ({string.Join(", ", arms)}) or null for no prediction");
                }
            }

            foreach (var missing in formulations.Where(f => !hypothesis.Keys.Contains(f, StringComparer.OrdinalIgnoreCase)))
            {
                context.AddFailure($"hypothesis.{missing}", "is required: the arm expected to suit this formulation, or null for no prediction");
            }
        });

        // Whom the trial's safety notifications go to: plain addresses, each once (a repeat would be mailed twice).
        RuleFor(t => t.SafetyContacts).Must(c => c is null || c.Count <= 20).WithMessage("at most 20 safety contacts")
            .Must(c => c is null || c.Select(a => a?.Trim().ToLowerInvariant()).Distinct().Count() == c.Count)
            .WithMessage("safety contacts must not repeat (addresses are compared case-insensitively)");
        RuleForEach(t => t.SafetyContacts).Must(SafetyContacts.IsAddress)
            .WithMessage("must be a plain e-mail address such as safety@example.org (no display name, at most 254 characters)");
        // The schedule's rules are the domain's; here only its answers are mapped to paths under "schedule".
        RuleFor(t => t.Schedule).Custom((schedule, context) =>
        {
            if (schedule is null)
            {
                return;
            }

            var problems = TrialSchedule.Problems(
                schedule.Sessions, schedule.SessionIntervalDays, schedule.Visits?.Select(v => v is null ? ((string?, int?, int?)?)null : (v.Code, v.Day, v.Window)).ToList(),
                schedule.SessionInstruments, schedule.VisitInstruments, code => catalogue.Find(code)?.Definition.Respondent);
            foreach (var (path, message) in problems)
            {
                context.AddFailure($"schedule.{path}", message);
            }
        });

        RuleFor(t => t.FormulationRule).NotNull();
        RuleFor(t => t.FormulationRule!.MinMargin).NotNull().InclusiveBetween(1, 4)
            .OverridePropertyName("formulationRule.minMargin").When(t => t.FormulationRule is not null);
        When(t => t.FormulationRule?.DoubleRating is not null, () =>
            RuleFor(t => t.FormulationRule!.DoubleRating!.Share).NotNull().Must(s => s is > 0 and <= 1)
                .WithMessage("must be above 0 and at most 1: the share of participants drawn for a second rating")
                .OverridePropertyName("formulationRule.doubleRating.share"));
        When(t => t.FormulationRule?.Certification is not null, () =>
        {
            RuleFor(t => t.FormulationRule!.Certification!.MinAgreement).NotNull().Must(a => a is > 0 and <= 1)
                .WithMessage("must be above 0 and at most 1: the share of reference cases agreed with the experts")
                .OverridePropertyName("formulationRule.certification.minAgreement");
            RuleFor(t => t.FormulationRule!.Certification!.MinCases).NotNull().InclusiveBetween(1, 1_000)
                .OverridePropertyName("formulationRule.certification.minCases");
        });
    }

    private static readonly string[] RelationshipArms = ["mediator", "moderator"];

    private static bool Distinct<T>(List<T>? items) => items is null || items.Distinct().Count() == items.Count;

    private static bool Is(CreateTrial t, RandomizationMethod method) =>
        Wire.TryParse<RandomizationMethod>(t.Randomization?.Method, out var m) && m == method;

    /// <summary>True also when the method is unknown: that is reported once, on randomization.method.</summary>
    private static bool Applies(CreateTrial t, RandomizationMethod method) =>
        !Wire.TryParse<RandomizationMethod>(t.Randomization?.Method, out var m) || m == method;

    private static string DoesNotApply(CreateTrial t, string usedBy) => $"does not apply to {t.Randomization?.Method}; only {usedBy} uses it";

    private static int? RatioSum(CreateTrial t) =>
        t.Arms is { } arms && arms.All(a => a?.Ratio is > 0) ? arms.Sum(a => a!.Ratio!.Value) : null;

    // The factors the method uses: minimization balances over 'factors', the others stratify by 'stratifyBy'.
    private static bool UsesSeverity(RandomizationRequest r) =>
        (Wire.TryParse<RandomizationMethod>(r.Method, out var m) && m == RandomizationMethod.Minimization ? r.Factors : r.StratifyBy)?
            .Contains(Domain.Trials.Factors.Severity) == true;

    /// <summary>An explicit seed is 32+ hex characters (128+ bits); integers and short words were recovered by brute force.</summary>
    internal static bool SeedText(JsonElement seed, out string? text)
    {
        text = seed.ValueKind switch
        {
            JsonValueKind.Null or JsonValueKind.Undefined => null,
            JsonValueKind.String => seed.GetString(),
            _ => string.Empty,
        };
        return text is null || (text.Length is >= 32 and <= 200 && text.All(char.IsAsciiHexDigit));
    }
}

public sealed class CreateTrialHandler(TrialDbContext db, IActorAccessor actors, TimeProvider clock) : ICommandHandler<CreateTrial, TrialView>
{
    public async ValueTask<TrialView> Handle(CreateTrial command, CancellationToken cancellationToken)
    {
        if (await db.Trials.AnyAsync(t => t.Id == command.Id, cancellationToken))
        {
            throw new Domain.Common.WorkflowConflictException($"A trial with id {command.Id} already exists.");
        }

        var definition = ToDefinition(command);
        CreateTrialValidator.SeedText(command.Randomization!.Seed ?? default, out var seed);
        // A server-drawn seed: 256 bits from the OS generator, never shown to enrolling staff.
        seed ??= Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var trial = new Trial(definition, seed, clock.GetUtcNow());
        db.Trials.Add(trial);
        return TrialView.From(trial, actors.Current, TrialCounts.None);
    }

    private static TrialDefinition ToDefinition(CreateTrial c)
    {
        var r = c.Randomization!;
        var method = Wire.Parse<RandomizationMethod>(r.Method);
        return new TrialDefinition
        {
            Id = c.Id!,
            Title = c.Title!.Trim(),
            Registration = c.Registration,
            TargetEnrollment = c.TargetEnrollment!.Value,
            Sites = [.. c.Sites!.Select(s => s!)],
            Formulations = [.. c.Formulations!.Select(Wire.Parse<Formulation>)],
            Arms = [.. c.Arms!.Select(a => new ArmDefinition(Wire.Parse<ArmCode>(a!.Code), a.Ratio!.Value))],
            Randomization = new RandomizationSettings
            {
                Method = method,
                BlockSizes = method == RandomizationMethod.PermutedBlocks ? [.. r.BlockSizes!] : [],
                StratifyBy = [.. (r.StratifyBy ?? []).Select(s => s!)],
                Factors = method == RandomizationMethod.Minimization ? [.. r.Factors!.Select(f => f!)] : [],
                Probability = method == RandomizationMethod.Minimization ? r.Probability : null,
                Imbalance = r.Imbalance is null ? ImbalanceMeasure.Range : Wire.Parse<ImbalanceMeasure>(r.Imbalance),
                SeverityCutoff = r.SeverityCutoff,
            },
            Eligibility = new EligibilityCriteria(
                c.Eligibility!.MinAge!.Value, c.Eligibility.MaxAge!.Value, c.Eligibility.MinSeverity!.Value, c.Eligibility.MaxSeverity!.Value,
                [.. (c.Eligibility.Exclusions ?? []).Select(e => e!)]),
            FormulationRule = new FormulationRule(
                c.FormulationRule!.MinMargin!.Value,
                c.FormulationRule.DoubleRating is { } d ? new DoubleRatingRule(d.Share!.Value) : null,
                c.FormulationRule.Certification is { } cert ? new CertificationRule(cert.MinAgreement!.Value, cert.MinCases!.Value) : null),
            SafetyContacts = [.. (c.SafetyContacts ?? []).Select(a => a!.Trim())],
            Hypothesis = c.Hypothesis is null
                ? null
                : [.. c.Formulations!.Select(Wire.Parse<Formulation>).Select(f => new HypothesisEntry(
                    f,
                    c.Hypothesis.First(h => string.Equals(h.Key, f.Wire(), StringComparison.OrdinalIgnoreCase)).Value is { } arm ? Wire.Parse<ArmCode>(arm) : null))],
            Schedule = c.Schedule is not { } s
                ? null
                : new TrialSchedule(
                    s.Sessions!.Value, s.SessionIntervalDays!.Value, [.. s.Visits!.Select(v => new ScheduledVisit(v!.Code!, v.Day!.Value, v.Window!.Value))],
                    [.. s.SessionInstruments!.Select(i => i!)], [.. s.VisitInstruments!.Select(i => i!)]),
        };
    }
}
