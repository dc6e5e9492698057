using Bogus;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using TrialManager.Domain.Demo;
using TrialManager.Domain.Documents;
using TrialManager.Domain.Instruments;
using TrialManager.Domain.Measures;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Schedule;
using TrialManager.Domain.Therapy;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Instruments;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Infrastructure.Persistence.Writes;
using TrialManager.Server.Common;
using TrialManager.Server.Features.Notifications;
using TrialManager.Server.Features.Participants;
using TrialManager.Server.Features.Raters;

namespace TrialManager.Server.Hosting;

/// <summary>
/// --seed-demo=large: every participant is screened, consents, is formulated by two raters, randomized and treated for
/// 16 weekly sessions, through the same domain code the commands call (<see cref="Participant"/>'s workflow, the
/// trial's own <see cref="Randomizers">randomizer</see> and stratum states, <see cref="MeasureScorer"/> on the instrument
/// definitions, <see cref="SafetyAlert.Raise"/>, the notification outbox), but written a batch of participants per
/// transaction with change detection off, and audited as one hash-chained event per participant (every row of their
/// record in it) plus one per batch for the study-number counters and stratum states, instead of one per command.
/// </summary>
internal sealed class DemoBulk(IServiceProvider services, string trialId, IReadOnlyList<(string Code, string Site, int Number)> therapists, Faker faker, int seed, DateTimeOffset today)
{
    public const string AuditAction = "SeedDemoBulk";

    /// <summary>Participants per transaction: a few tens of thousands of rows, bounded memory, few commits.</summary>
    private const int BatchSize = 250;

    private readonly Dictionary<string, (RandomizationState State, bool Saved)> states = [];
    private readonly Dictionary<string, (SiteCounter Counter, bool Saved)> counters = [];
    private readonly Dictionary<string, int> assignedPerSite = [];

    public int SessionCount { get; private set; }
    public int MeasureCount { get; private set; }
    public int VisitMeasureCount { get; private set; }

    public async Task SeedAsync(int participants, DateTimeOffset start, int enrolmentDays, CancellationToken cancellationToken)
    {
        for (var first = 0; first < participants; first += BatchSize)
        {
            await using var scope = services.CreateAsyncScope();
            var provider = scope.ServiceProvider;
            var db = provider.GetRequiredService<TrialDbContext>();
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            var trial = await db.ReadTrialAsync(trialId, cancellationToken);
            var catalogue = provider.GetRequiredService<InstrumentCatalogue>();
            var outbox = provider.GetRequiredService<NotificationOutbox>();
            foreach (var rater in new[] { "R01", "R02" })
            {
                await Certifications.EnsureMayRateAsync(db, trial, rater, cancellationToken);
            }

            var byCode = await db.Therapists.AsNoTracking().Where(t => t.TrialId == trialId).ToDictionaryAsync(t => t.Code, cancellationToken);
            var records = new List<Participant>();
            var documents = new List<string>();
            for (var index = first; index < Math.Min(participants, first + BatchSize); index++)
            {
                var screenedAt = start.AddDays(10 + ((double)index * enrolmentDays / participants)).AddMinutes(index % 7 * 37);
                var participant = await EnrolAsync(db, trial, catalogue, outbox, byCode, index, screenedAt, cancellationToken);
                records.Add(participant);
                documents.Add(participant.Id);
            }

            await WriteAsync(provider, db, records, cancellationToken);
            var owed = provider.GetRequiredService<IOwedWork>();
            foreach (var id in documents)
            {
                owed.ProtocolDocument(id);
            }
        }
    }

    /// <summary>One participant's whole history, dated as it would have happened, added to the batch's context.</summary>
    private async Task<Participant> EnrolAsync(
        TrialDbContext db, Trial trial, InstrumentCatalogue catalogue, NotificationOutbox outbox, Dictionary<string, Therapist> byCode,
        int index, DateTimeOffset screenedAt, CancellationToken cancellationToken)
    {
        var definition = trial.Definition;
        var site = faker.PickRandom(definition.Sites.ToArray());
        var answers = new ScreeningAnswers(site, faker.Random.Int(19, 64), faker.Random.Int(11, 26), [], faker.Random.Int(2, 10), faker.Random.Int(2, 10));
        var participant = Participant.Screen(NextStudyId(trial.Id, site), trial, answers, screenedAt);
        var at = screenedAt.AddDays(faker.Random.Int(1, 5));
        participant.Consent("1.0", DateOnly.FromDateTime(at.UtcDateTime));

        // A lead formulation of the trial's, agreed by both raters, so everyone is randomized.
        var lead = faker.PickRandom(definition.Formulations.ToArray());
        int Score(Formulation factor) => factor == lead ? 4 : faker.Random.Int(0, 2);
        var scores = new[] { Score(Formulation.Cognitive), Score(Formulation.Interpersonal), Score(Formulation.Behavioral), Score(Formulation.Environmental) };
        at = at.AddDays(faker.Random.Int(2, 6));
        var doubleRated = definition.FormulationRule.DoubleRating is { } rule && DoubleRating.IsDrawn(trial.Seed, trial.Derivation(), participant.Id, rule.Share);
        participant.RateFormulation(definition, "R01", new FormulationScores(scores[0], scores[1], scores[2], scores[3]), false, "Demo formulation", at, doubleRated, Actor.System.Name);
        participant.RateFormulation(definition, "R02", new FormulationScores(scores[0], scores[1], scores[2], scores[3]), false, "Second rater", at.AddHours(1), doubleRated, Actor.System.Name);

        // Randomization as RandomizeParticipantHandler does it, with the stratum's state carried from one participant to the next.
        at = at.AddDays(faker.Random.Int(1, 4));
        at = at.AddTicks(-(at.Ticks % (TimeSpan.TicksPerMillisecond / 1000)));
        participant.EnsureCanBeRandomized();
        var formulation = participant.PrimaryFormulation!.Value;
        var levels = definition.FactorLevels(participant.Site, formulation, participant.Severity);
        var randomizer = Randomizers.For(trial);
        var stateKey = randomizer.StateKey(levels);
        var state = states.GetValueOrDefault(stateKey).State;
        var sequence = new Domain.Randomization.StratumSequence(state?.Allocated ?? 0);
        sequence.TakeNextSlot();
        var allocation = randomizer.Allocate(state?.State, levels, out var nextState);
        if (state is null)
        {
            states[stateKey] = (new RandomizationState { TrialId = trial.Id, StateKey = stateKey, State = nextState, Allocated = sequence.Taken }, false);
        }
        else
        {
            state.State = nextState;
            state.Allocated = sequence.Taken;
        }

        participant.MarkRandomized(at);
        var record = new ParticipantAllocation(participant, trial, formulation, levels, stateKey, allocation, Actor.System.Name, at);
        db.Allocations.Add(record);
        db.ProtocolDocuments.Add(new ProtocolDocument(participant.Id, at));

        var k = assignedPerSite[site] = assignedPerSite.GetValueOrDefault(site) + 1;
        var therapist = therapists.Where(t => t.Site == site).ElementAt(k % 2);
        participant.AssignTherapist(byCode[therapist.Code], record.Arm);

        // Sessions and their measures, scored from the instrument definitions; half complete after 16, half are still followed.
        var course = DemoModel.Generate(seed, index, formulation, record.Arm, DemoModel.TherapistEffects(seed, therapist.Number));
        var firstSession = at.UtcDateTime.Date.AddDays(DemoModel.SessionIntervalDays).AddHours(10 + (index % 8));
        var earlier = new List<Measure>();
        foreach (var session in course.Sessions)
        {
            var held = new DateTimeOffset(firstSession.AddDays(session.Day), TimeSpan.Zero);
            var date = DateOnly.FromDateTime(held.UtcDateTime);
            participant.RecordSession(session.Number, date, session.Attendance, Actor.System.Name, held);
            SessionCount++;
            foreach (var (instrument, items) in new[]
                     {
                         ("phq9", session.Phq9), ("alliance12", session.Alliance12), ("ruptureLog", session.RuptureLog), ("techniqueDose", session.TechniqueDose),
                     })
            {
                if (items is not null)
                {
                    await MeasureAsync(db, outbox, catalogue, participant, earlier, instrument, items, session.Number, null, null, date, Actor.System.Name, held, cancellationToken);
                    MeasureCount++;
                }
            }
        }

        var completes = index % 2 == 1;
        var sessions = course.Sessions.ToList();
        foreach (var visit in DemoHistory.PlanVisits(seed, index, completes ? 7 : 5, sessions, at, firstSession, today))
        {
            var date = DateOnly.FromDateTime(visit.At.UtcDateTime);
            foreach (var (instrument, items) in new[] { ("phq9", visit.Phq9), ("gad7", visit.Gad7) })
            {
                await MeasureAsync(db, outbox, catalogue, participant, earlier, instrument, items, null, visit.Code, definition.Schedule, date, "dev-assessor", visit.At, cancellationToken);
                VisitMeasureCount++;
            }
        }

        if (completes)
        {
            participant.Complete(new DateTimeOffset(firstSession.AddDays(sessions[^1].Day + 1), TimeSpan.Zero));
        }

        db.Participants.Add(participant);
        return participant;
    }

    /// <summary>As RecordMeasureHandler: scored from the definition against the participant's earlier totals, its alerts raised and told.</summary>
    private static async Task MeasureAsync(
        TrialDbContext db, NotificationOutbox outbox, InstrumentCatalogue catalogue, Participant participant, List<Measure> earlier,
        string instrument, IReadOnlyDictionary<string, int> items, int? session, string? visit, TrialSchedule? schedule, DateOnly date,
        string recordedBy, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var definition = catalogue.Find(instrument)!.Definition;
        var same = earlier.Where(m => m.Instrument == definition.Code).ToList();
        var previousTotal = PreviousTotal.Before(same.Select(m => (m.Session, m.CompletedOn, m.Scores)), session, date);
        var outcome = MeasureScorer.Score(definition, items.ToDictionary(i => i.Key, i => (decimal?)i.Value), previousTotal);
        var scored = outcome.Measure ?? throw new InvalidOperationException($"The demo's {instrument} answers do not score: {string.Join("; ", outcome.Errors.Values)}");
        var measure = visit is null
            ? Measure.AtSession(participant, scored, session!.Value, date, same.Where(m => m.Session is not null).Select(m => (m.Instrument, m.Session!.Value)), recordedBy, now)
            : Measure.AtVisit(participant, schedule, scored, visit, date, same.Select(m => (m.Instrument, m.Visit)), recordedBy, now);
        earlier.Add(measure);
        var alerts = SafetyAlert.Raise(measure, participant.Site, scored.Alerts, now);
        db.Measures.Add(measure);
        db.SafetyAlerts.AddRange(alerts);
        await outbox.AddAlertsAsync(participant.TrialId, alerts, cancellationToken);
    }

    private string NextStudyId(string trial, string site)
    {
        var (counter, saved) = counters.GetValueOrDefault(site);
        counter ??= new SiteCounter { TrialId = trial, Site = site };
        var numbers = new SiteStudyNumbers(trial, site, counter.LastNumber);
        var id = numbers.IssueStudyId();
        counter.LastNumber = numbers.LastIssued;
        counters[site] = (counter, saved);
        return id;
    }

    /// <summary>
    /// The batch in one write transaction: one audit event per participant with every row of their record, one for the
    /// counters and stratum states the batch moved, then a single save. The chain is extended by <see cref="AuditTrail"/>.
    /// </summary>
    private async Task WriteAsync(IServiceProvider provider, TrialDbContext db, List<Participant> batch, CancellationToken cancellationToken)
    {
        foreach (var (key, (counter, saved)) in counters)
        {
            db.Entry(counter).State = saved ? EntityState.Modified : EntityState.Added;
            counters[key] = (counter, true);
        }

        foreach (var (key, (state, saved)) in states)
        {
            db.Entry(state).State = saved ? EntityState.Modified : EntityState.Added;
            states[key] = (state, true);
        }

        var gate = provider.GetRequiredService<IWriteGate>();
        await using var write = await gate.BeginAsync(db, cancellationToken);
        var trail = provider.GetRequiredService<AuditTrail>();
        var ids = batch.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
        var byParticipant = new Dictionary<string, List<EntityEntry>>(StringComparer.Ordinal);
        var helpers = new List<EntityEntry>();
        foreach (var entry in db.ChangeTracker.Entries().ToList())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified))
            {
                continue;
            }

            // An owned row (a rating, its scores, a session) is keyed by its owner's key first: the participant's id.
            var owner = entry.Entity is Participant p ? p.Id
                : entry.Metadata.FindOwnership() is not null ? entry.Property(entry.Metadata.FindPrimaryKey()!.Properties[0].Name).CurrentValue as string
                : entry.Metadata.FindProperty("ParticipantId") is { } property ? entry.Property(property.Name).CurrentValue as string
                : null;
            if (owner is not null && ids.Contains(owner))
            {
                (byParticipant.TryGetValue(owner, out var list) ? list : byParticipant[owner] = []).Add(entry);
            }
            else
            {
                helpers.Add(entry);
            }
        }

        foreach (var participant in batch)
        {
            await trail.RecordChangesAsync(AuditAction, trialId, byParticipant[participant.Id], cancellationToken, Actor.System);
        }

        await trail.RecordChangesAsync(AuditAction, trialId, helpers, cancellationToken, Actor.System);
        db.ChangeTracker.DetectChanges();
        // What the transaction behaviour does before every command's save: without it the due list never lists them,
        // and the trial list counts none of them.
        await DerivedState.TrackAsync(db, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await write.CommitAsync(cancellationToken);
    }
}
