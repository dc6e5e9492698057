using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Participants;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;
using TrialManager.Server.Pipeline;
using TrialManager.Server.Security;

namespace TrialManager.Server.Features.Participants;

/// <summary>POST /api/participants/{id}/formulations: one rater's 0-4 scores on the four maintaining factors.</summary>
public sealed record RateFormulation(string ParticipantId, string? Rater, ScoresRequest? Scores, bool? Consensus, string? Rationale)
    : ICommand<ParticipantView>, IAuditedCommand
{
    public string? AuditTrialId => null;
}

public sealed record RateFormulationRequest(string? Rater, ScoresRequest? Scores, bool? Consensus, string? Rationale);

public sealed record ScoresRequest(int? Cognitive, int? Interpersonal, int? Behavioral, int? Environmental);

public sealed class RateFormulationValidator : AbstractValidator<RateFormulation>
{
    public RateFormulationValidator()
    {
        RuleFor(r => r.Rater).NotEmpty().Matches("^[A-Za-z0-9._-]{1,40}$").WithMessage("must be a rater code such as R01 (not a name)");
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
    : ICommandHandler<RateFormulation, ParticipantView>
{
    public async ValueTask<ParticipantView> Handle(RateFormulation command, CancellationToken cancellationToken)
    {
        var participant = await db.LoadParticipantAsync(command.ParticipantId, actors.Current, cancellationToken);
        var trial = await db.LoadTrialAsync(participant.TrialId, cancellationToken);
        var s = command.Scores!;
        var scores = new FormulationScores(s.Cognitive!.Value, s.Interpersonal!.Value, s.Behavioral!.Value, s.Environmental!.Value);
        participant.RateFormulation(trial.Definition, command.Rater!, scores, command.Consensus ?? false, command.Rationale, clock.GetUtcNow());
        var allocation = await db.Allocations.AsNoTracking().SingleOrDefaultAsync(a => a.ParticipantId == participant.Id, cancellationToken);
        return ParticipantView.From(participant, allocation);
    }
}
