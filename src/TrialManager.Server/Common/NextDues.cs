using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Measures;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Schedule;
using TrialManager.Domain.Therapy;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Persistence;

namespace TrialManager.Server.Common;

/// <summary>
/// Keeps each participant's <see cref="Participant.NextDue"/> (what the due list pages by) equal to the schedule rule's
/// earliest open item. Every command passes <see cref="TrackAsync"/> before its save, so no command can forget it.
/// </summary>
public static class NextDues
{
    /// <summary>
    /// "Not computed yet": the S11NextDue migration gives it to every followed participant, and the server computes
    /// their dates before it serves (<see cref="RecomputeAsync"/>). Being before every date, it is a safe bound meanwhile.
    /// </summary>
    public static readonly DateOnly Unknown = DateOnly.MinValue;

    private static readonly IReadOnlyDictionary<string, IReadOnlySet<string>> NoVisits = new Dictionary<string, IReadOnlySet<string>>();

    /// <summary>
    /// Before a command's save: the date of every participant whose progress through the schedule the command changed
    /// (screened or randomized, a status change, a session, a visit measure). It runs after the audit behaviour read
    /// the changes, so events do not carry this derived date, and it bumps no version.
    /// </summary>
    public static async Task TrackAsync(TrialDbContext db, CancellationToken cancellationToken)
    {
        // One pass over the tracked entries (each Entries() call detects changes anew), after the audit detected them.
        var entries = db.ChangeTracker.Entries().ToList();
        var participants = entries.Where(e => e.Entity is Participant).ToDictionary(e => ((Participant)e.Entity).Id, StringComparer.Ordinal);
        var touched = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in participants.Values)
        {
            if (entry.State == EntityState.Added
                || (entry.State == EntityState.Modified && (entry.Property(nameof(Participant.Status)).IsModified || entry.Property(nameof(Participant.RandomizedAt)).IsModified)))
            {
                touched.Add(((Participant)entry.Entity).Id);
            }
        }

        foreach (var entry in entries.Where(e => e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted))
        {
            switch (entry.Entity)
            {
                case TherapySession:
                    touched.Add((string)entry.Property("ParticipantId").CurrentValue!);
                    break;
                case Measure { Visit: not null } measure:
                    touched.Add(measure.ParticipantId);
                    break;
            }
        }

        var trials = new Dictionary<string, Trial>(StringComparer.Ordinal);
        foreach (var id in touched)
        {
            var participant = participants.TryGetValue(id, out var tracked)
                ? (Participant)tracked.Entity
                : await db.Participants.SingleAsync(p => p.Id == id, cancellationToken);
            if (!participant.IsFollowed)
            {
                participant.TrackSchedule(null, NoVisits);
                continue;
            }

            // Read once per trial: a command touches one participant, the demo's bulk batch hundreds of one trial.
            if (!trials.TryGetValue(participant.TrialId, out var trial))
            {
                trial = entries.Select(e => e.Entity).OfType<Trial>().FirstOrDefault(t => t.Id == participant.TrialId)
                        ?? await db.ReadTrialAsync(participant.TrialId, cancellationToken);
                trials[participant.TrialId] = trial;
            }

            if (trial.Definition.Schedule is not { } schedule)
            {
                participant.TrackSchedule(null, NoVisits);
                continue;
            }

            // Visit measures exist only while followed (Measure.AtVisit): a participant randomized by this command has none stored.
            var wasFollowed = tracked is null
                || (tracked.State != EntityState.Added
                    && tracked.Property(nameof(Participant.Status)).OriginalValue is ParticipantStatus.Randomized or ParticipantStatus.FollowUp);
            var stored = wasFollowed && schedule.Visits.Count > 0
                ? await db.Measures.AsNoTracking()
                    .Where(m => m.ParticipantId == participant.Id && m.Visit != null)
                    .Select(m => new { Visit = m.Visit!, m.Instrument })
                    .ToListAsync(cancellationToken)
                : [];
            var added = entries
                .Where(e => e.State == EntityState.Added && e.Entity is Measure { Visit: not null } m && m.ParticipantId == participant.Id)
                .Select(e => (Measure)e.Entity)
                .Select(m => new { Visit = m.Visit!, m.Instrument });
            participant.TrackSchedule(schedule, Recorded(stored.Concat(added).Select(m => (m.Visit, m.Instrument))));
        }
    }

    /// <summary>
    /// Computes the date of the given participants from what is stored, a batch at a time: at start-up for the rows the
    /// S11NextDue migration marked <see cref="Unknown"/>, and after rows are written straight (benchmarks, tests). A row
    /// is written only while its date is still the one read, so a command that changed it meanwhile, and set it, wins.
    /// Returns how many dates changed.
    /// </summary>
    public static async Task<int> RecomputeAsync(TrialDbContext db, IQueryable<Participant> which, CancellationToken cancellationToken)
    {
        var changed = 0;
        string? last = null;
        while (true)
        {
            var batch = await (last is null ? which : which.Where(p => string.Compare(p.Id, last) > 0))
                .AsNoTracking().OrderBy(p => p.Id).Take(500).ToListAsync(cancellationToken);
            if (batch.Count == 0)
            {
                return changed;
            }

            last = batch[^1].Id;
            var ids = batch.Select(p => p.Id).ToList();
            var visits = (await db.Measures.AsNoTracking()
                    .Where(m => ids.Contains(m.ParticipantId) && m.Visit != null)
                    .Select(m => new { m.ParticipantId, Visit = m.Visit!, m.Instrument })
                    .ToListAsync(cancellationToken))
                .ToLookup(m => m.ParticipantId, m => (m.Visit, m.Instrument));
            // One transaction a batch: a commit per row would be a disk flush per participant.
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var schedules = new Dictionary<string, TrialSchedule?>(StringComparer.Ordinal);
            foreach (var participant in batch)
            {
                if (!schedules.TryGetValue(participant.TrialId, out var schedule))
                {
                    schedules[participant.TrialId] = schedule = (await db.ReadTrialAsync(participant.TrialId, cancellationToken)).Definition.Schedule;
                }

                var old = participant.NextDue;
                participant.TrackSchedule(schedule, Recorded(visits[participant.Id]));
                var next = participant.NextDue;
                if (next != old)
                {
                    changed += await db.Participants.Where(p => p.Id == participant.Id && p.NextDue == old)
                        .ExecuteUpdateAsync(s => s.SetProperty(p => p.NextDue, next), cancellationToken);
                }
            }

            await transaction.CommitAsync(cancellationToken);
        }
    }

    private static Dictionary<string, IReadOnlySet<string>> Recorded(IEnumerable<(string Visit, string Instrument)> measures) =>
        measures.GroupBy(m => m.Visit, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlySet<string>)g.Select(m => m.Instrument).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
}
