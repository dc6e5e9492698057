using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Participants;
using TrialManager.Infrastructure.Persistence;

namespace TrialManager.Server.Common;

/// <summary>
/// Keeps <see cref="ParticipantCount"/> (what the trial list shows) equal to a count of the participants by trial, site
/// and status, and of those randomized. Every command passes <see cref="TrackAsync"/> before its save, as the bulk demo
/// seeder does before each batch's, so no writer can forget it.
/// </summary>
public static class ParticipantCounts
{
    /// <summary>
    /// Before a save: moves each screened, re-statused, randomized or re-sited (corrected) participant's count from the row it was in to the
    /// row it is in now. It runs after the audit behaviour read the changes: the counts are derived, not audited.
    /// Consistency: the rows are read and written inside the write transaction while the write gate is held (SQLite's
    /// single writer, PostgreSQL's and SQL Server's lock on the audit chain head), so no other writer reads or writes
    /// a count between this read and the commit, and a rolled-back command takes its counts back with it.
    /// </summary>
    public static async Task TrackAsync(TrialDbContext db, CancellationToken cancellationToken)
    {
        var deltas = new Dictionary<(string TrialId, string Site, ParticipantStatus Status), (int Participants, int Randomized)>();
        void Move(string trialId, string site, ParticipantStatus status, bool randomized, int by)
        {
            var (participants, allocated) = deltas.GetValueOrDefault((trialId, site, status));
            deltas[(trialId, site, status)] = (participants + by, allocated + (randomized ? by : 0));
        }

        foreach (var entry in db.ChangeTracker.Entries<Participant>())
        {
            var participant = entry.Entity;
            var status = entry.Property(p => p.Status);
            var randomizedAt = entry.Property(p => p.RandomizedAt);
            // A correction may move a participant to another site.
            var site = entry.Property(p => p.Site);
            var moved = entry.State == EntityState.Modified && (status.IsModified || randomizedAt.IsModified || site.IsModified);
            // The allocation is written with the participant's randomization time, in the same save (RandomizeParticipant).
            if (moved || entry.State == EntityState.Deleted)
            {
                Move(participant.TrialId, site.OriginalValue, status.OriginalValue, randomizedAt.OriginalValue is not null, -1);
            }

            if (moved || entry.State == EntityState.Added)
            {
                Move(participant.TrialId, site.CurrentValue, status.CurrentValue, randomizedAt.CurrentValue is not null, +1);
            }
        }

        foreach (var trialId in deltas.Keys.Select(k => k.TrialId).Distinct(StringComparer.Ordinal))
        {
            // A trial has a few rows (sites x statuses): read them all at once.
            var rows = (await db.ParticipantCounts.Where(c => c.TrialId == trialId).ToListAsync(cancellationToken))
                .ToDictionary(c => (c.Site, c.Status));
            foreach (var ((_, site, status), (participants, randomized)) in deltas.Where(d => d.Key.TrialId == trialId))
            {
                if (participants == 0 && randomized == 0)
                {
                    continue;
                }

                if (!rows.TryGetValue((site, status), out var row))
                {
                    db.ParticipantCounts.Add(new ParticipantCount
                    {
                        TrialId = trialId, Site = site, Status = status, Participants = participants, Randomized = randomized,
                    });
                    continue;
                }

                row.Participants += participants;
                row.Randomized += randomized;
                // The bulk seeder saves with change detection off.
                db.Entry(row).DetectChanges();
            }
        }
    }
}
