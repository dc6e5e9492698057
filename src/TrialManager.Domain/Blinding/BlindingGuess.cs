using TrialManager.Domain.Common;
using TrialManager.Domain.Schedule;
using TrialManager.Domain.Trials;

namespace TrialManager.Domain.Blinding;

/// <summary>
/// An assessor's guess of a participant's arm at the last visit (null: "don't know"), one per participant and assessor:
/// the data of Bang's blinding index. Never shown to the assessor's side; the DSMB reads the summary.
/// </summary>
public sealed class BlindingGuess
{
    private BlindingGuess()
    {
        TrialId = ParticipantId = Assessor = string.Empty;
    }

    public BlindingGuess(string trialId, string participantId, string assessor, ArmCode? guess, DateTimeOffset guessedAt)
    {
        TrialId = trialId;
        ParticipantId = participantId;
        Assessor = assessor;
        Guess = guess;
        GuessedAt = guessedAt;
    }

    public string TrialId { get; private set; }
    public string ParticipantId { get; private set; }
    public string Assessor { get; private set; }

    /// <summary>The arm guessed; null when the assessor does not know.</summary>
    public ArmCode? Guess { get; private set; }

    public DateTimeOffset GuessedAt { get; private set; }

    /// <summary>
    /// A guess is made at the last visit: once the window of the schedule's last visit (the latest day) has opened for
    /// a randomized participant. Before that, or without a schedule with visits, it is a 409 that says when.
    /// </summary>
    public static void EnsureAtLastVisit(TrialSchedule? schedule, DateTimeOffset? randomizedAt, DateOnly today)
    {
        if (schedule?.LastVisit is not { } last)
        {
            throw new WorkflowConflictException("The trial's schedule has no visits, so no last visit at which to guess the arm.");
        }

        if (randomizedAt is not { } randomized)
        {
            throw new WorkflowConflictException("The participant is not randomized: a guess is made at the last visit.");
        }

        var opens = last.OpensOn(DateOnly.FromDateTime(randomized.UtcDateTime));
        if (today < opens)
        {
            throw new WorkflowConflictException(
                $"The last visit ({last.Code}) opens on {opens:yyyy-MM-dd}: the guess is made at the last visit, not before.");
        }
    }
}
