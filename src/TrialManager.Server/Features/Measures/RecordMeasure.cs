using TrialManager.Domain.Common;
using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Instruments;
using TrialManager.Domain.Measures;
using TrialManager.Domain.Notifications;
using TrialManager.Domain.Participants;
using TrialManager.Infrastructure.Instruments;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Features.Participants;
using TrialManager.Server.Features.Notifications;
using TrialManager.Server.Security;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Measures;

/// <summary>
/// POST /api/participants/{id}/measures: a completed instrument at a session or at a visit of the trial's schedule.
/// The server scores it from the instrument's definition and raises the safety alerts its rules name. The participant
/// and the instrument's earlier measures are read, and the answers scored, before the write gate, in parallel with
/// other requests; inside it one query re-checks what those reads depend on, so the serialised part stays short.
/// </summary>
public sealed record RecordMeasure(
    string ParticipantId, string? Instrument, int? Session, string? Visit, DateOnly? CompletedOn, Dictionary<string, decimal?>? Items)
    : ICommand<MeasureView>, IAuditedCommand, IReadsBeforeWriteGate
{
    public string? AuditTrialId => null;
}

public sealed record RecordMeasureRequest(string? Instrument, int? Session, string? Visit, DateOnly? CompletedOn, Dictionary<string, decimal?>? Items);

public sealed record MeasureView(
    Guid Id, string Instrument, string Version, int? Session, string? Visit, DateOnly CompletedOn, IReadOnlyDictionary<string, int> Items,
    IReadOnlyDictionary<string, double?> Scores, string? Band, bool Prorated, string RecordedBy, DateTimeOffset RecordedAt, IReadOnlyList<AlertView> Alerts)
{
    public static MeasureView From(Measure m, IEnumerable<SafetyAlert> alerts) => new(
        m.Id, m.Instrument, m.Version, m.Session, m.Visit, m.CompletedOn, m.Answers, m.Scores, m.Band, m.Prorated, m.RecordedBy, m.RecordedAt,
        [.. alerts.Select(AlertView.From)]);
}

public sealed class RecordMeasureValidator : AbstractValidator<RecordMeasure>
{
    public RecordMeasureValidator(InstrumentCatalogue catalogue, TimeProvider clock)
    {
        RuleFor(m => m.Instrument).NotEmpty().Must(code => catalogue.Find(code!) is not null)
            .WithMessage(m => $"is not an instrument of this server ({string.Join(", ", catalogue.All.Select(i => i.Definition.Code).Distinct())})");
        // Exactly one of the two: a measure belongs to a session or to a visit, never guessed.
        RuleFor(m => m.Session).NotNull().When(m => m.Visit is null)
            .WithMessage("is required (or visit): the session number or the visit code the measure belongs to");
        RuleFor(m => m.Visit).Null().When(m => m.Session is not null).WithMessage("give session or visit, not both");
        RuleFor(m => m.Session).InclusiveBetween(1, 200);
        RuleFor(m => m.Visit).NotEmpty().MaximumLength(40).When(m => m.Visit is not null);
        RuleFor(m => m.CompletedOn).NotNull()
            .Must(d => d <= DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime.AddDays(1))).WithMessage("must not be in the future");
        RuleFor(m => m.Items).NotEmpty().WithMessage("is required: the answers by item id, e.g. {\"1\": 2, \"2\": 0}");
    }
}

public sealed class RecordMeasureHandler(
    TrialDbContext db, WriteTransaction transaction, InstrumentCatalogue catalogue, IActorAccessor actors, TimeProvider clock, NotificationOutbox notifications)
    : TwoPhaseCommandHandler<RecordMeasure, RecordMeasureHandler.ToRecord, MeasureView>(transaction)
{
    protected override async ValueTask<Prepared<ToRecord, MeasureView>> PrepareAsync(RecordMeasure command, CancellationToken cancellationToken) =>
        Prepared<ToRecord, MeasureView>.Apply(await ReadAsync(command, cancellationToken));

    protected override async ValueTask<MeasureView> ApplyAsync(RecordMeasure command, ToRecord read, CancellationToken cancellationToken)
    {
        if (await StampAsync(read.Participant.Id, read.Definition.Code, cancellationToken) != read.Stamp)
        {
            // Another writer got there between the reads and the gate (a session recorded or corrected, the participant
            // withdrawn or reassigned, a measure of this instrument recorded or corrected): the checks and the previous
            // total may be stale, so read and score again, now that nothing can change until this transaction ends.
            read = await ReadAsync(command, cancellationToken);
        }

        var (participant, definition, earlier, scored) = (read.Participant, read.Definition, read.Earlier, read.Scored);
        var now = clock.GetUtcNow();
        var measure = command.Visit is { } visit
            ? Measure.AtVisit(
                participant, (await db.ReadTrialAsync(participant.TrialId, cancellationToken)).Definition.Schedule, scored, visit,
                command.CompletedOn!.Value, earlier.Select(m => (definition.Code, m.Visit)), actors.Current.Name, now)
            : Measure.AtSession(
                participant, scored, command.Session!.Value, command.CompletedOn!.Value,
                earlier.Where(m => m.Session is not null).Select(m => (definition.Code, m.Session!.Value)), actors.Current.Name, now);
        var alerts = SafetyAlert.Raise(measure, participant.Site, scored.Alerts, now);
        db.Measures.Add(measure);
        db.SafetyAlerts.AddRange(alerts);
        await notifications.AddAlertsAsync(participant.TrialId, alerts, cancellationToken);

        return MeasureView.From(measure, alerts);
    }

    /// <summary>
    /// The participant (untracked: the measure changes nothing of theirs, and the next-due date reads them again for a
    /// visit measure), the instrument's earlier measures and the scored answers, with the stamp they were read at. The
    /// stamp is read first, so a change during the reads makes it differ from the one under the gate.
    /// </summary>
    private async Task<ToRecord> ReadAsync(RecordMeasure command, CancellationToken cancellationToken)
    {
        var actor = actors.Current;
        var definition = catalogue.Find(command.Instrument!)!.Definition;
        var stamp = await StampAsync(command.ParticipantId, definition.Code, cancellationToken);
        var participant = await db.LoadParticipantAsync(command.ParticipantId, actor, cancellationToken, tracked: false);
        // Fidelity forms are rated blind, by raters; raters rate nothing else (the participant's questionnaires are not theirs).
        if (actor.Role == Roles.Therapist && definition.Respondent == InstrumentRespondent.Rater)
        {
            throw new ForbiddenException($"{definition.Code} is rated by a rater blind to the arm, not by the therapist.");
        }

        if (actor.Role == Roles.Rater && definition.Respondent != InstrumentRespondent.Rater)
        {
            throw new ForbiddenException($"A rater enters fidelity ratings only; {definition.Code} is answered by the {definition.Respondent.Wire()}.");
        }

        // Assessors are blind to the arm: they see no session, only the schedule's visits. Therapists record sessions.
        if (actor.Role == Roles.Assessor && command.Visit is null)
        {
            throw new ForbiddenException("An assessor records the visit instruments at a visit of the schedule, not session measures.");
        }

        if (actor.Role is Roles.Therapist or Roles.Rater && command.Visit is not null)
        {
            throw new ForbiddenException("Visit measures are recorded by an assessor or a coordinator.");
        }

        var earlier = await EarlierQuery.For(db)(db, participant.Id, definition.Code).ToListAsync(cancellationToken);
        var previousTotal = PreviousTotal.Before(
            earlier.Select(m => (m.Session, m.CompletedOn, m.Scores)), command.Visit is null ? command.Session : null, command.CompletedOn!.Value);

        var outcome = MeasureScorer.Score(definition, command.Items!, previousTotal);
        if (outcome.Measure is not { } scored)
        {
            throw new RequestValidationException(outcome.Errors.ToDictionary(e => $"items.{e.Key}", e => e.Value));
        }

        return new ToRecord(participant, definition, earlier, scored, stamp);
    }

    /// <summary>
    /// What the reads depend on, in one query: the participant's version (bumped by every change to them or their
    /// sessions), how many measures of the instrument they have and how many corrections (a corrected measure's total
    /// or date moves the previous total). Neither row is ever deleted, so equal stamps mean nothing changed.
    /// </summary>
    private Task<Stamp> StampAsync(string participantId, string instrument, CancellationToken cancellationToken) =>
        StampQuery.For(db)(db, participantId, instrument, cancellationToken);

    // Compiled, as the read under the gate in a randomization: EF's per-execution expression work is CPU every request pays.
    private static readonly CompiledPerModel<Func<TrialDbContext, string, string, CancellationToken, Task<Stamp>>> StampQuery = new(() =>
        EF.CompileAsyncQuery((TrialDbContext db, string participantId, string instrument, CancellationToken _) =>
            db.Participants
                .Where(p => p.Id == participantId)
                .Select(p => new Stamp(
                    p.Version,
                    db.Measures.Count(m => m.ParticipantId == participantId && m.Instrument == instrument),
                    db.Corrections.Count(c => c.ParticipantId == participantId)))
                .SingleOrDefault()));

    private static readonly CompiledPerModel<Func<TrialDbContext, string, string, IAsyncEnumerable<Earlier>>> EarlierQuery = new(() =>
        EF.CompileAsyncQuery((TrialDbContext db, string participantId, string instrument) =>
            db.Measures.AsNoTracking()
                .Where(m => m.ParticipantId == participantId && m.Instrument == instrument)
                .Select(m => new Earlier(m.Session, m.Visit, m.CompletedOn, m.Scores))));

    public sealed record ToRecord(Participant Participant, InstrumentDefinition Definition, List<Earlier> Earlier, ScoredMeasure Scored, Stamp Stamp);

    public sealed record Earlier(int? Session, string? Visit, DateOnly CompletedOn, IReadOnlyDictionary<string, double?> Scores);

    /// <summary>Null participant rows (an unknown id) give the default stamp; the participant's read then answers 404.</summary>
    public readonly record struct Stamp(int ParticipantVersion, int Measures, int Corrections);
}
