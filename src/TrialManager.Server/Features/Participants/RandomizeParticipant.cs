using System.Collections.Concurrent;
using System.Text;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Documents;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Randomization;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Participants;

/// <summary>
/// POST /api/participants/{id}/randomization. Idempotent: a repeat returns the first allocation (Created = false).
/// The sequence slot is taken under the write gate, so two participants of one stratum take consecutive slots.
/// The participant and the trial are read before the gate, in parallel with other requests; inside it one query
/// re-checks the participant's version and the trial's status and reads the stratum's state, which keeps the
/// serialised part of a randomization short.
/// </summary>
public sealed record RandomizeParticipant(string ParticipantId) : ICommand<RandomizationOutcome>, IAuditedCommand, IReadsBeforeWriteGate
{
    public string? AuditTrialId => null;
}

public sealed record RandomizationOutcome(AllocationView Allocation, bool Created);

public sealed class RandomizeParticipantHandler(
    TrialDbContext db, WriteTransaction transaction, IActorAccessor actors, TimeProvider clock, AfterCommit afterCommit, IOwedWork owedWork)
    : TwoPhaseCommandHandler<RandomizeParticipant, RandomizeParticipantHandler.ToRandomize, RandomizationOutcome>(transaction)
{
    protected override async ValueTask<Prepared<ToRandomize, RandomizationOutcome>> PrepareAsync(RandomizeParticipant command, CancellationToken cancellationToken) =>
        await ReadAsync(command.ParticipantId, cancellationToken) is { } read
            ? Prepared<ToRandomize, RandomizationOutcome>.Apply(read)
            : Prepared<ToRandomize, RandomizationOutcome>.AnswerWith(await RepeatAsync(command.ParticipantId, cancellationToken));

    protected override async ValueTask<RandomizationOutcome> ApplyAsync(RandomizeParticipant command, ToRandomize read, CancellationToken cancellationToken)
    {
        var actor = actors.Current;
        var current = await CurrentAsync(read, cancellationToken);
        if (current.ParticipantVersion != read.Participant.Version || current.TrialStatus != read.Trial.Status)
        {
            // Another writer got there between the read and the gate (a concurrent repeat, a withdrawal, a consensus
            // rating that changed the formulation, the trial paused): the formulation, levels and stratum derived from
            // the read may be stale, so read again, now that nothing can change until this transaction ends. The
            // trial's design and seed never change, so its status is all there is to re-check.
            db.ChangeTracker.Clear();
            if (await ReadAsync(command.ParticipantId, cancellationToken) is not ToRandomize again)
            {
                return await RepeatAsync(command.ParticipantId, cancellationToken);
            }

            read = again;
            current = await CurrentAsync(read, cancellationToken);
        }

        var (participant, trial) = (read.Participant, read.Trial);
        var state = current.State;
        var sequence = new StratumSequence(state?.Allocated ?? 0);
        sequence.TakeNextSlot();
        var allocation = read.Randomizer.Allocate(state?.State, read.Levels, out var nextState);
        if (state is null)
        {
            db.RandomizationStates.Add(new RandomizationState { TrialId = trial.Id, StateKey = read.StateKey, State = nextState, Allocated = sequence.Taken });
        }
        else
        {
            state.State = nextState;
            state.Allocated = sequence.Taken;
        }

        // Whole microseconds: PostgreSQL keeps no finer, and a repeat (read back from the database) must return
        // exactly the body of the first response.
        var now = clock.GetUtcNow();
        now = now.AddTicks(-(now.Ticks % (TimeSpan.TicksPerMillisecond / 1000)));
        participant.MarkRandomized(now);
        var record = new ParticipantAllocation(participant, trial, read.Formulation, read.Levels, read.StateKey, allocation, actor.Name, now);
        db.Allocations.Add(record);

        // The document owed is recorded with the allocation (the outbox); the job is only a messenger.
        db.ProtocolDocuments.Add(new ProtocolDocument(participant.Id, now));
        afterCommit.Add(() => owedWork.ProtocolDocument(participant.Id));
        return new RandomizationOutcome(AllocationView.From(record), Created: true);
    }

    /// <summary>The participant (tracked) with the trial and stratum it is to be randomized in; null when it already was (also when since withdrawn or completed).</summary>
    private async Task<ToRandomize?> ReadAsync(string participantId, CancellationToken cancellationToken)
    {
        var participant = await db.LoadParticipantAsync(participantId, actors.Current, cancellationToken);
        if (participant.WasAllocated)
        {
            return null;
        }

        participant.EnsureCanBeRandomized();
        var trial = await TrialQuery.For(db)(db, participant.TrialId, cancellationToken);
        trial.EnsureRecruiting("randomization");

        var formulation = participant.PrimaryFormulation!.Value;
        var levels = trial.Definition.FactorLevels(participant.Site, formulation, participant.Severity);
        var randomizer = Randomizers.For(trial);
        return new ToRandomize(participant, trial, randomizer, formulation, levels, randomizer.StateKey(levels));
    }

    /// <summary>The first allocation: committed with the randomized status and never changed, so safe to read outside the gate.</summary>
    private async Task<RandomizationOutcome> RepeatAsync(string participantId, CancellationToken cancellationToken)
    {
        var first = await db.Allocations.AsNoTracking().SingleAsync(a => a.ParticipantId == participantId, cancellationToken);
        return new RandomizationOutcome(AllocationView.From(first), Created: false);
    }

    /// <summary>Inside the gate, one query: the participant's version and trial's status as they are now, and the stratum's randomization state (tracked).</summary>
    private Task<Current> CurrentAsync(ToRandomize read, CancellationToken cancellationToken) =>
        CurrentQuery.For(db)(db, read.Participant.Id, read.StateKey, cancellationToken);

    // Compiled: it runs inside the gate, where EF's per-execution expression work was 160 -> 75 us of CPU.
    private static readonly CompiledPerModel<Func<TrialDbContext, string, string, CancellationToken, Task<Current>>> CurrentQuery = new(() =>
        EF.CompileAsyncQuery((TrialDbContext db, string participantId, string stateKey, CancellationToken _) =>
            db.Participants
                .Where(p => p.Id == participantId)
                .Select(p => new Current(
                    p.Version,
                    db.Trials.Where(t => t.Id == p.TrialId).Select(t => t.Status).First(),
                    db.RandomizationStates.FirstOrDefault(s => s.TrialId == p.TrialId && s.StateKey == stateKey)))
                .Single()));

    // Every randomization reads its trial before the gate; the definition it holds is parsed from JSON either way.
    private static readonly CompiledPerModel<Func<TrialDbContext, string, CancellationToken, Task<Trial>>> TrialQuery = new(() =>
        EF.CompileAsyncQuery((TrialDbContext db, string trialId, CancellationToken _) => db.Trials.AsNoTracking().Single(t => t.Id == trialId)));

    public sealed record ToRandomize(
        Participant Participant, Trial Trial, Randomizer Randomizer, Formulation Formulation,
        IReadOnlyDictionary<string, string> Levels, string StateKey);

    private sealed record Current(int ParticipantVersion, TrialStatus TrialStatus, RandomizationState? State);
}

/// <summary>
/// One <see cref="Randomizer"/> per trial, kept across requests: a trial's design, seed and key derivation never change, and the
/// randomizer is thread-safe and memoises its derived stream keys, which a fresh one per request would re-derive.
/// </summary>
internal static class Randomizers
{
    private const int MaxTrials = 1_000;
    private static readonly ConcurrentDictionary<(string TrialId, string Seed, int Derivation), Randomizer> Cache = new();

    public static Randomizer For(Trial trial)
    {
        if (Cache.Count >= MaxTrials)
        {
            Cache.Clear(); // a bound, not a policy: servers hold a handful of trials
        }

        return Cache.GetOrAdd(
            (trial.Id, trial.Seed, trial.SeedDerivation),
            static (_, t) => new Randomizer(t.Definition.ToDesign(), Encoding.UTF8.GetBytes(t.Seed), t.Derivation()),
            trial);
    }
}
