using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Common;
using TrialManager.Domain.Participants;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;
using TrialManager.Server.Features.Participants;
using TrialManager.Server.Security;

namespace TrialManager.Server.Features.Raters;

/// <summary>
/// POST /api/participants/{id}/formulations: one rater's 0-4 scores on the four maintaining factors. A rater key rates
/// as itself (no <c>rater</c> in the body); a coordinator enters a paper rating on behalf of the rater it names.
/// </summary>
public sealed record RateFormulation(string ParticipantId, string? Rater, ScoresRequest? Scores, bool? Consensus, string? Rationale)
    : ICommand<RatingOutcome>, IAuditedCommand
{
    public string? AuditTrialId => null;
}

public sealed record RateFormulationRequest(string? Rater, ScoresRequest? Scores, bool? Consensus, string? Rationale);

public sealed record ScoresRequest(int? Cognitive, int? Interpersonal, int? Behavioral, int? Environmental);

/// <summary>The answer: the whole record for a coordinator, the case and the rater's own ratings for a rater.</summary>
public sealed record RatingOutcome(ParticipantView? Participant, RaterCaseView? Case)
{
    public object Body => (object?)Participant ?? Case!;
}

public sealed class RateFormulationValidator : AbstractValidator<RateFormulation>
{
    public RateFormulationValidator()
    {
        // Required or refused by role: see the handler.
        RuleFor(r => r.Rater).Matches("^[A-Za-z0-9._-]{1,40}$").WithMessage("must be a rater code such as R01 (not a name)").When(r => r.Rater is not null);
        RuleFor(r => r.Scores).NotNull();
        When(r => r.Scores is not null, () =>
        {
            const string range = "must be between 0 and 4";
            RuleFor(r => r.Scores!.Cognitive).NotNull().InclusiveBetween(0, 4).WithMessage(range).OverridePropertyName("scores.cognitive");
            RuleFor(r => r.Scores!.Interpersonal).NotNull().InclusiveBetween(0, 4).WithMessage(range).OverridePropertyName("scores.interpersonal");
            RuleFor(r => r.Scores!.Behavioral).NotNull().InclusiveBetween(0, 4).WithMessage(range).OverridePropertyName("scores.behavioral");
            RuleFor(r => r.Scores!.Environmental).NotNull().InclusiveBetween(0, 4).WithMessage(range).OverridePropertyName("scores.environmental");
        });
        RuleFor(r => r.Rationale).MaximumLength(4_000);
    }
}

public sealed class RateFormulationHandler(TrialDbContext db, IActorAccessor actors, TimeProvider clock)
    : ICommandHandler<RateFormulation, RatingOutcome>
{
    public async ValueTask<RatingOutcome> Handle(RateFormulation command, CancellationToken cancellationToken)
    {
        var actor = actors.Current;
        var asRater = actor.Role == Roles.Rater;
        if (asRater && command.Rater is not null)
        {
            throw new DomainValidationException("rater", "must be absent: a rater key rates as itself (the key's name is the rater code)");
        }

        if (!asRater && command.Rater is null)
        {
            throw new DomainValidationException("rater", "is required: the code of the rater whose paper rating this is, such as R01");
        }

        var rater = asRater ? actor.Name : command.Rater!;
        var participant = await db.LoadParticipantAsync(command.ParticipantId, actor, cancellationToken);
        var trial = await db.LoadTrialAsync(participant.TrialId, cancellationToken);
        await Certifications.EnsureMayRateAsync(db, trial, rater, cancellationToken);

        var s = command.Scores!;
        var scores = new FormulationScores(s.Cognitive!.Value, s.Interpersonal!.Value, s.Behavioral!.Value, s.Environmental!.Value);
        var doubleRated = trial.Definition.FormulationRule.DoubleRating is { } rule
                          && DoubleRating.IsDrawn(trial.Seed, trial.Derivation(), participant.Id, rule.Share);
        try
        {
            participant.RateFormulation(trial.Definition, rater, scores, command.Consensus ?? false, command.Rationale, clock.GetUtcNow(),
                doubleRated, asRater ? null : actor.Name);
        }
        catch (WorkflowConflictException) when (asRater)
        {
            // The participant's status (randomized, withdrawn, waiting for whom) is none of a blind rater's business.
            throw new WorkflowConflictException($"Participant {participant.Id} is not open for a rating.");
        }

        if (asRater)
        {
            return new RatingOutcome(null, RaterCaseView.From(participant, rater, task: null));
        }

        var allocation = await db.Allocations.AsNoTracking().SingleOrDefaultAsync(a => a.ParticipantId == participant.Id, cancellationToken);
        return new RatingOutcome(ParticipantView.From(participant, allocation), null);
    }
}
