using System.Collections.Concurrent;
using System.Text;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Documents;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Randomization;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Features.Documents;
using TrialManager.Server.Pipeline;
using TrialManager.Server.Security;

namespace TrialManager.Server.Features.Participants;

/// <summary>
/// POST /api/participants/{id}/randomization. Idempotent: a repeat returns the first allocation (Created = false).
/// Runs under the write gate, so two participants of one stratum take consecutive sequence slots.
/// </summary>
public sealed record RandomizeParticipant(string ParticipantId) : ICommand<RandomizationOutcome>, IAuditedCommand
{
    public string? AuditTrialId => null;
}

public sealed record RandomizationOutcome(AllocationView Allocation, bool Created);

public sealed class RandomizeParticipantHandler(
    TrialDbContext db, IActorAccessor actors, TimeProvider clock, AfterCommit afterCommit, DocumentJobs jobs)
    : ICommandHandler<RandomizeParticipant, RandomizationOutcome>
{
    public async ValueTask<RandomizationOutcome> Handle(RandomizeParticipant command, CancellationToken cancellationToken)
    {
        var actor = actors.Current;
        var participant = await db.LoadParticipantAsync(command.ParticipantId, actor, cancellationToken);
        if (await db.Allocations.AsNoTracking().SingleOrDefaultAsync(a => a.ParticipantId == participant.Id, cancellationToken) is { } existing)
        {
            return new RandomizationOutcome(AllocationView.From(existing), Created: false);
        }

        participant.EnsureCanBeRandomized();
        // Read-only here (nothing on the trial changes), so untracked.
        var trial = await db.Trials.AsNoTracking().SingleAsync(t => t.Id == participant.TrialId, cancellationToken);
        trial.EnsureRecruiting("randomization");

        var definition = trial.Definition;
        var formulation = participant.PrimaryFormulation!.Value;
        var levels = definition.FactorLevels(participant.Site, formulation, participant.Severity);
        var randomizer = Randomizers.For(trial);
        var stateKey = randomizer.StateKey(levels);

        var state = await db.RandomizationStates.SingleOrDefaultAsync(s => s.TrialId == trial.Id && s.StateKey == stateKey, cancellationToken);
        var allocation = randomizer.Allocate(state?.State, levels, out var nextState);
        if (state is null)
        {
            db.RandomizationStates.Add(new RandomizationState { TrialId = trial.Id, StateKey = stateKey, State = nextState, Allocated = 1 });
        }
        else
        {
            state.State = nextState;
            state.Allocated++;
        }

        // Whole microseconds: PostgreSQL keeps no finer, and a repeat (read back from the database) must return
        // exactly the body of the first response.
        var now = clock.GetUtcNow();
        now = now.AddTicks(-(now.Ticks % (TimeSpan.TicksPerMillisecond / 1000)));
        participant.MarkRandomized(now);
        var record = new ParticipantAllocation(participant, trial, formulation, levels, stateKey, allocation, actor.Name, now);
        db.Allocations.Add(record);

        // The document owed is recorded with the allocation (the outbox); the job is only a messenger.
        db.ProtocolDocuments.Add(new ProtocolDocument(participant.Id, now));
        afterCommit.Add(() => jobs.EnqueueProtocolDocument(participant.Id));
        return new RandomizationOutcome(AllocationView.From(record), Created: true);
    }
}

/// <summary>
/// One <see cref="Randomizer"/> per trial, kept across requests: a trial's design and seed never change, and the
/// randomizer is thread-safe and memoises its derived stream keys, which a fresh one per request would re-derive.
/// </summary>
internal static class Randomizers
{
    private const int MaxTrials = 1_000;
    private static readonly ConcurrentDictionary<(string TrialId, string Seed), Randomizer> Cache = new();

    public static Randomizer For(Trial trial)
    {
        if (Cache.Count >= MaxTrials)
        {
            Cache.Clear(); // a bound, not a policy: servers hold a handful of trials
        }

        return Cache.GetOrAdd((trial.Id, trial.Seed), static (_, t) => new Randomizer(t.Definition.ToDesign(), Encoding.UTF8.GetBytes(t.Seed)), trial);
    }
}
