using TrialManager.Infrastructure.Persistence;

namespace TrialManager.Server.Common;

/// <summary>
/// What every writer does before its save: the stored values derived from the tracked changes (each participant's
/// next-due date, the trial list's counts). One call, so a new writer (a command's transaction, the bulk seeder)
/// cannot keep one and forget the other.
/// </summary>
public static class DerivedState
{
    public static async Task TrackAsync(TrialDbContext db, CancellationToken cancellationToken)
    {
        await NextDues.TrackAsync(db, cancellationToken);
        await ParticipantCounts.TrackAsync(db, cancellationToken);
    }
}
