using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Blinding;
using TrialManager.Domain.Common;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Blinding;

/// <summary>
/// POST /api/participants/{id}/blinding-guess: the assessor's guess of the arm at the last visit (once its window has
/// opened), one per participant and assessor, never by one who was unblinded to that participant. The answer echoes the
/// guess only: never whether it was right.
/// </summary>
public sealed record RecordBlindingGuess(string ParticipantId, string? Guess) : ICommand<BlindingGuessView>, IAuditedCommand
{
    public string? AuditTrialId => null;
}

public sealed record RecordBlindingGuessRequest(string? Guess);

public sealed record BlindingGuessView(string ParticipantId, string Guess, DateTimeOffset GuessedAt);

public sealed class RecordBlindingGuessValidator : AbstractValidator<RecordBlindingGuess>
{
    public RecordBlindingGuessValidator() =>
        RuleFor(g => g.Guess).NotEmpty().WithMessage("is required: an arm code of the trial, or dontKnow").MaximumLength(40);
}

public sealed class RecordBlindingGuessHandler(TrialDbContext db, IActorAccessor actors, TimeProvider clock)
    : ICommandHandler<RecordBlindingGuess, BlindingGuessView>
{
    public const string DontKnow = "dontKnow";

    public async ValueTask<BlindingGuessView> Handle(RecordBlindingGuess command, CancellationToken cancellationToken)
    {
        var actor = actors.Current;
        var participant = await db.LoadParticipantAsync(command.ParticipantId, actor, cancellationToken);
        var trial = await db.ReadTrialAsync(participant.TrialId, cancellationToken);
        ArmCode? guess = null;
        if (!string.Equals(command.Guess, DontKnow, StringComparison.OrdinalIgnoreCase))
        {
            // The trial's arms are not listed here: the assessor does not see the definition's arms.
            guess = Wire.TryParse<ArmCode>(command.Guess, out var arm) && trial.Definition.Arms.Any(a => a.Code == arm)
                ? arm
                : throw new DomainValidationException("guess", "must be an arm code of this trial, or dontKnow");
        }

        if (await db.Unblindings.AnyAsync(u => u.ParticipantId == participant.Id && u.UnblindedBy == actor.Name, cancellationToken))
        {
            throw new WorkflowConflictException("You were told this participant's arm (your unblinding): a guess from you would not test the blinding.");
        }

        if (await db.BlindingGuesses.AnyAsync(g => g.ParticipantId == participant.Id && g.Assessor == actor.Name, cancellationToken))
        {
            throw new WorkflowConflictException("Your guess for this participant is already recorded: one guess per participant and assessor.");
        }

        BlindingGuess.EnsureAtLastVisit(trial.Definition.Schedule, participant.RandomizedAt, DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime));
        var recorded = new BlindingGuess(participant.TrialId, participant.Id, actor.Name, guess, clock.GetUtcNow());
        db.BlindingGuesses.Add(recorded);
        return new BlindingGuessView(participant.Id, guess?.Wire() ?? DontKnow, recorded.GuessedAt);
    }
}
