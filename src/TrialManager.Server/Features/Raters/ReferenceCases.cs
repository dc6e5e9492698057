using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Common;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Features.Participants;
using TrialManager.Server.Security;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Raters;

/// <summary>POST /api/trials/{trialId}/reference-cases: a case with the experts' formulation, for certification (admin).</summary>
public sealed record AddReferenceCase(string TrialId, string? Code, ScoresRequest? Scores, string? Primary, string? Material)
    : ICommand<ReferenceCaseView>, IAuditedCommand
{
    public string? AuditTrialId => TrialId;
}

public sealed record AddReferenceCaseRequest(string? Code, ScoresRequest? Scores, string? Primary, string? Material);

/// <param name="Primary">The experts' primary formulation: in the admin's answer only, never in a rater's.</param>
public sealed record ReferenceCaseView(string Code, string Material, FormulationScores? Scores, Formulation? Primary, bool? Practised);

public sealed class AddReferenceCaseValidator : AbstractValidator<AddReferenceCase>
{
    public AddReferenceCaseValidator()
    {
        RuleFor(c => c.Code).NotEmpty().Matches("^[A-Za-z0-9._-]{1,40}$").WithMessage("must be a case code such as RC01");
        RuleFor(c => c.Scores).NotNull();
        When(c => c.Scores is not null, () =>
        {
            const string range = "must be between 0 and 4";
            RuleFor(c => c.Scores!.Cognitive).NotNull().InclusiveBetween(0, 4).WithMessage(range).OverridePropertyName("scores.cognitive");
            RuleFor(c => c.Scores!.Interpersonal).NotNull().InclusiveBetween(0, 4).WithMessage(range).OverridePropertyName("scores.interpersonal");
            RuleFor(c => c.Scores!.Behavioral).NotNull().InclusiveBetween(0, 4).WithMessage(range).OverridePropertyName("scores.behavioral");
            RuleFor(c => c.Scores!.Environmental).NotNull().InclusiveBetween(0, 4).WithMessage(range).OverridePropertyName("scores.environmental");
        });
        RuleFor(c => c.Primary).Must(p => Wire.TryParse<Formulation>(p, out _))
            .WithMessage("must be one of cognitive, interpersonal, behavioral, environmental");
        RuleFor(c => c.Material).NotEmpty().MaximumLength(8_000);
    }
}

public sealed class AddReferenceCaseHandler(TrialDbContext db, TimeProvider clock) : ICommandHandler<AddReferenceCase, ReferenceCaseView>
{
    public async ValueTask<ReferenceCaseView> Handle(AddReferenceCase command, CancellationToken cancellationToken)
    {
        var trial = await db.LoadTrialAsync(command.TrialId, cancellationToken);
        if (trial.Definition.FormulationRule.Certification is null)
        {
            throw new WorkflowConflictException(
                $"Trial {trial.Id} defines no formulationRule.certification: without a rule no rater could be certified on reference cases.");
        }

        if (trial.Status == TrialStatus.Closed)
        {
            throw new WorkflowConflictException($"The trial is {trial.Status.Wire()}; reference cases can no longer be added.");
        }

        if (await db.ReferenceCases.AnyAsync(c => c.TrialId == trial.Id && c.Code == command.Code, cancellationToken))
        {
            throw new WorkflowConflictException($"Trial {trial.Id} already has a reference case {command.Code}.");
        }

        var s = command.Scores!;
        var reference = ReferenceCase.Create(
            trial.Id, command.Code!, new FormulationScores(s.Cognitive!.Value, s.Interpersonal!.Value, s.Behavioral!.Value, s.Environmental!.Value),
            Wire.Parse<Formulation>(command.Primary), command.Material!, trial.Definition.FormulationRule.MinMargin, clock.GetUtcNow());
        db.ReferenceCases.Add(reference);
        return new ReferenceCaseView(reference.Code, reference.Material, reference.Scores, reference.Primary, null);
    }
}

/// <summary>GET /api/trials/{trialId}/reference-cases: the cases to practise on, without the experts' answer.</summary>
public sealed record ListReferenceCases(string TrialId) : IQuery<IReadOnlyList<ReferenceCaseView>>;

public sealed class ListReferenceCasesHandler(TrialDbContext db, IActorAccessor actors) : IQueryHandler<ListReferenceCases, IReadOnlyList<ReferenceCaseView>>
{
    public async ValueTask<IReadOnlyList<ReferenceCaseView>> Handle(ListReferenceCases query, CancellationToken cancellationToken)
    {
        var trial = await db.LoadTrialAsync(query.TrialId, cancellationToken);
        var actor = actors.Current;
        var cases = await db.ReferenceCases.AsNoTracking().Where(c => c.TrialId == trial.Id).OrderBy(c => c.Code).ToListAsync(cancellationToken);
        if (actor.Role != Roles.Rater)
        {
            return [.. cases.Select(c => new ReferenceCaseView(c.Code, c.Material, c.Scores, c.Primary, null))];
        }

        var practised = await db.PracticeRatings.AsNoTracking().Where(r => r.TrialId == trial.Id && r.Rater == actor.Name)
            .Select(r => r.CaseCode).ToListAsync(cancellationToken);
        return [.. cases.Select(c => new ReferenceCaseView(c.Code, c.Material, null, null, practised.Contains(c.Code)))];
    }
}

/// <summary>POST /api/trials/{trialId}/reference-cases/{code}/ratings: a rater's practice rating; once per case.</summary>
public sealed record RateReferenceCase(string TrialId, string Code, ScoresRequest? Scores) : ICommand<PracticeOutcome>, IAuditedCommand
{
    public string? AuditTrialId => TrialId;
}

public sealed record RateReferenceCaseRequest(ScoresRequest? Scores);

/// <param name="Agreed">Whether this rating's primary formulation is the experts' (the experts' answer itself is not shown).</param>
/// <param name="Certified">Whether the rater is now certified for the trial.</param>
public sealed record PracticeOutcome(bool Agreed, bool Certified);

public sealed class RateReferenceCaseValidator : AbstractValidator<RateReferenceCase>
{
    public RateReferenceCaseValidator()
    {
        RuleFor(c => c.Scores).NotNull();
        When(c => c.Scores is not null, () =>
        {
            const string range = "must be between 0 and 4";
            RuleFor(c => c.Scores!.Cognitive).NotNull().InclusiveBetween(0, 4).WithMessage(range).OverridePropertyName("scores.cognitive");
            RuleFor(c => c.Scores!.Interpersonal).NotNull().InclusiveBetween(0, 4).WithMessage(range).OverridePropertyName("scores.interpersonal");
            RuleFor(c => c.Scores!.Behavioral).NotNull().InclusiveBetween(0, 4).WithMessage(range).OverridePropertyName("scores.behavioral");
            RuleFor(c => c.Scores!.Environmental).NotNull().InclusiveBetween(0, 4).WithMessage(range).OverridePropertyName("scores.environmental");
        });
    }
}

public sealed class RateReferenceCaseHandler(TrialDbContext db, IActorAccessor actors, TimeProvider clock) : ICommandHandler<RateReferenceCase, PracticeOutcome>
{
    public async ValueTask<PracticeOutcome> Handle(RateReferenceCase command, CancellationToken cancellationToken)
    {
        var rater = actors.Current.Name;
        var trial = await db.LoadTrialAsync(command.TrialId, cancellationToken);
        var reference = await db.ReferenceCases.SingleOrDefaultAsync(c => c.TrialId == trial.Id && c.Code == command.Code, cancellationToken)
            ?? throw new NotFoundException($"Trial {trial.Id} has no reference case {command.Code}.");
        if (await db.PracticeRatings.AnyAsync(r => r.TrialId == trial.Id && r.CaseCode == reference.Code && r.Rater == rater, cancellationToken))
        {
            // A retry after learning "not agreed" would be a guess at the answer, not a measurement.
            throw new WorkflowConflictException($"Rater {rater} has already practised on reference case {reference.Code}; the first rating counts.");
        }

        var s = command.Scores!;
        var scores = new FormulationScores(s.Cognitive!.Value, s.Interpersonal!.Value, s.Behavioral!.Value, s.Environmental!.Value);
        var agreed = reference.Agrees(scores, trial.Definition.FormulationRule.MinMargin);
        db.PracticeRatings.Add(new PracticeRating(trial.Id, reference.Code, rater, scores, agreed, clock.GetUtcNow()));

        var earlier = await db.PracticeRatings.AsNoTracking().Where(r => r.TrialId == trial.Id && r.Rater == rater)
            .Select(r => r.Agreed).ToListAsync(cancellationToken);
        var status = RaterCertification.Evaluate([.. earlier, agreed], trial.Definition.FormulationRule.Certification ?? new CertificationRule(1, 1));
        return new PracticeOutcome(agreed, status.Certified);
    }
}
