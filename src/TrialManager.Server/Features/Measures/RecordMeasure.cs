using TrialManager.Domain.Common;
using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Instruments;
using TrialManager.Domain.Measures;
using TrialManager.Domain.Notifications;
using TrialManager.Domain.Therapy;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Instruments;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Features.Participants;
using TrialManager.Server.Features.Notifications;
using TrialManager.Server.Security;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Measures;

/// <summary>
/// POST /api/participants/{id}/measures: a completed instrument at a session or at a visit of the trial's schedule.
/// The server scores it from the instrument's definition and raises the safety alerts its rules name.
/// </summary>
public sealed record RecordMeasure(
    string ParticipantId, string? Instrument, int? Session, string? Visit, DateOnly? CompletedOn, Dictionary<string, decimal?>? Items)
    : ICommand<MeasureView>, IAuditedCommand
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
    TrialDbContext db, InstrumentCatalogue catalogue, IActorAccessor actors, TimeProvider clock, NotificationOutbox notifications)
    : ICommandHandler<RecordMeasure, MeasureView>
{
    public async ValueTask<MeasureView> Handle(RecordMeasure command, CancellationToken cancellationToken)
    {
        var actor = actors.Current;
        // A visit's measure needs the participant's status, and the next-due date derived from it before the save: the
        // participant, tracked. A session's measure needs only who they are and that session: one narrow untracked read,
        // not the participant with its ratings, events and every session (the largest part of a request in the write gate).
        var participant = command.Visit is null ? null : await db.LoadParticipantAsync(command.ParticipantId, actor, cancellationToken);
        var target = participant is null
            ? await ReadSessionTargetAsync(command.ParticipantId, command.Session!.Value, actor, cancellationToken)
            : new SessionTarget(participant.Id, participant.TrialId, participant.Site, participant.TherapistCode, participant.PrimaryFormulation, null, null);
        var definition = catalogue.Find(command.Instrument!)!.Definition;
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

        var earlier = await EarlierQuery.For(db)(db, target.Id, definition.Code).ToListAsync(cancellationToken);
        var previousTotal = PreviousTotal.Before(
            earlier.Select(m => (m.Session, m.CompletedOn, m.Scores)), command.Visit is null ? command.Session : null, command.CompletedOn!.Value);

        var outcome = MeasureScorer.Score(definition, command.Items!, previousTotal);
        if (outcome.Measure is not { } scored)
        {
            throw new RequestValidationException(outcome.Errors.ToDictionary(e => $"items.{e.Key}", e => e.Value));
        }

        var now = clock.GetUtcNow();
        var measure = participant is not null
            ? Measure.AtVisit(
                participant, (await db.ReadTrialAsync(participant.TrialId, cancellationToken)).Definition.Schedule, scored, command.Visit!,
                command.CompletedOn!.Value, earlier.Select(m => (definition.Code, m.Visit)), actor.Name, now)
            : Measure.AtSession(
                target.TrialId, target.Id, target.Held(), scored, command.Session!.Value, command.CompletedOn!.Value,
                earlier.Where(m => m.Session is not null).Select(m => (definition.Code, m.Session!.Value)), actor.Name, now);
        // Checked once the session is known to exist (randomized): before that, the form a rater tries tells nothing.
        FidelityForms.EnsureApplies(definition, target.PrimaryFormulation);
        var alerts = SafetyAlert.Raise(measure, target.Site, scored.Alerts, now);
        db.Measures.Add(measure);
        db.SafetyAlerts.AddRange(alerts);
        await notifications.AddAlertsAsync(target.TrialId, alerts, cancellationToken);

        return MeasureView.From(measure, alerts);
    }

    /// <summary>The participant for the actor, as <see cref="Loaders.LoadParticipantAsync"/> answers (the same 404), with the one session.</summary>
    private async Task<SessionTarget> ReadSessionTargetAsync(string participantId, int session, Actor actor, CancellationToken cancellationToken)
    {
        var target = await SessionTargetQuery.For(db)(db, participantId, session, cancellationToken);
        return target is not null && actor.MaySeeParticipant(target.Site, target.TherapistCode)
            ? target
            : throw new NotFoundException($"No participant with id {participantId}.");
    }

    // Compiled: EF's per-execution work on the expression tree is CPU every request pays, inside the write gate.
    private static readonly CompiledPerModel<Func<TrialDbContext, string, int, CancellationToken, Task<SessionTarget?>>> SessionTargetQuery = new(() =>
        EF.CompileAsyncQuery((TrialDbContext db, string participantId, int session, CancellationToken _) =>
            db.Participants
                .Where(p => p.Id == participantId)
                .Select(p => new SessionTarget(
                    p.Id, p.TrialId, p.Site, p.TherapistCode, p.PrimaryFormulation,
                    p.Sessions.Where(s => s.Number == session).Select(s => (DateOnly?)s.Date).FirstOrDefault(),
                    p.Sessions.Where(s => s.Number == session).Select(s => (SessionAttendance?)s.Attendance).FirstOrDefault()))
                .SingleOrDefault()));

    private static readonly CompiledPerModel<Func<TrialDbContext, string, string, IAsyncEnumerable<Earlier>>> EarlierQuery = new(() =>
        EF.CompileAsyncQuery((TrialDbContext db, string participantId, string instrument) =>
            db.Measures.AsNoTracking()
                .Where(m => m.ParticipantId == participantId && m.Instrument == instrument)
                .Select(m => new Earlier(m.Session, m.Visit, m.CompletedOn, m.Scores))));

    private sealed record Earlier(int? Session, string? Visit, DateOnly CompletedOn, IReadOnlyDictionary<string, double?> Scores);

    /// <summary>Who the participant is, and the session the measure is for (no date when it is not recorded).</summary>
    private sealed record SessionTarget(
        string Id, string TrialId, string Site, string? TherapistCode, Formulation? PrimaryFormulation, DateOnly? Date, SessionAttendance? Attendance)
    {
        public HeldSession? Held() => Date is { } date && Attendance is { } attendance ? new HeldSession(date, attendance) : null;
    }
}
