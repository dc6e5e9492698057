using TrialManager.Domain.Common;
using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Instruments;
using TrialManager.Domain.Measures;
using TrialManager.Domain.Notifications;
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
        var participant = await db.LoadParticipantAsync(command.ParticipantId, actor, cancellationToken);
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

        var earlier = await db.Measures.AsNoTracking()
            .Where(m => m.ParticipantId == participant.Id && m.Instrument == definition.Code)
            .Select(m => new { m.Session, m.Visit, m.CompletedOn, m.Scores })
            .ToListAsync(cancellationToken);
        var previousTotal = PreviousTotal.Before(
            earlier.Select(m => (m.Session, m.CompletedOn, m.Scores)), command.Visit is null ? command.Session : null, command.CompletedOn!.Value);

        var outcome = MeasureScorer.Score(definition, command.Items!, previousTotal);
        if (outcome.Measure is not { } scored)
        {
            throw new RequestValidationException(outcome.Errors.ToDictionary(e => $"items.{e.Key}", e => e.Value));
        }

        var now = clock.GetUtcNow();
        var measure = command.Visit is { } visit
            ? Measure.AtVisit(
                participant, (await db.ReadTrialAsync(participant.TrialId, cancellationToken)).Definition.Schedule, scored, visit,
                command.CompletedOn!.Value, earlier.Select(m => (definition.Code, m.Visit)), actor.Name, now)
            : Measure.AtSession(
                participant, scored, command.Session!.Value, command.CompletedOn!.Value,
                earlier.Where(m => m.Session is not null).Select(m => (definition.Code, m.Session!.Value)), actor.Name, now);
        // Checked once the session is known to exist (randomized): before that, the form a rater tries tells nothing.
        FidelityForms.EnsureApplies(definition, participant.PrimaryFormulation);
        var alerts = SafetyAlert.Raise(measure, participant.Site, scored.Alerts, now);
        db.Measures.Add(measure);
        db.SafetyAlerts.AddRange(alerts);
        await notifications.AddAlertsAsync(participant.TrialId, alerts, cancellationToken);

        return MeasureView.From(measure, alerts);
    }
}
