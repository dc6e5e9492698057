using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Common;
using TrialManager.Domain.Instruments;
using TrialManager.Domain.Participants;
using TrialManager.Infrastructure.Instruments;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Measures;

/// <summary>
/// The questionnaire behind an open link, as the participant's page shows it: the instrument's items with their labels
/// (the trial's licensed wording where supplied) and answer options. Nothing about the participant, site, arm or
/// therapist. Null for an unknown, used or expired token, or a participant no longer answering: all alike.
/// </summary>
public sealed record OpenQuestionnaire(string Token) : IQuery<QuestionnaireForm?>;

public sealed record QuestionnaireForm(Guid LinkId, string Title, IReadOnlyList<QuestionnaireItem> Items);

public sealed record QuestionnaireItem(string Id, string Label, IReadOnlyList<QuestionnaireOption> Options);

public sealed record QuestionnaireOption(int Value, string Label);

public sealed class OpenQuestionnaireHandler(TrialDbContext db, InstrumentCatalogue catalogue, TimeProvider clock)
    : IQueryHandler<OpenQuestionnaire, QuestionnaireForm?>
{
    public async ValueTask<QuestionnaireForm?> Handle(OpenQuestionnaire query, CancellationToken cancellationToken)
    {
        if (query.Token.Length is 0 or > QuestionnaireTokens.MaxLength)
        {
            return null;
        }

        var hash = QuestionnaireTokens.Hash(query.Token);
        var link = await db.QuestionnaireLinks.AsNoTracking().SingleOrDefaultAsync(l => l.TokenHash == hash, cancellationToken);
        if (link is null || !link.IsOpenAt(clock.GetUtcNow()))
        {
            return null;
        }

        var status = await db.Participants.Where(p => p.Id == link.ParticipantId).Select(p => p.Status).SingleAsync(cancellationToken);
        if (status is not (ParticipantStatus.Randomized or ParticipantStatus.FollowUp) || catalogue.Find(link.Instrument) is not { } instrument)
        {
            return null;
        }

        var definition = instrument.Definition;
        return new QuestionnaireForm(link.Id, definition.Title, [.. definition.Items.Select(item => new QuestionnaireItem(
            item.Id, instrument.LabelOf(item), Options(definition.ScaleOf(item))))]);
    }

    /// <summary>Every value of the scale, by its anchor's label where it has one.</summary>
    private static QuestionnaireOption[] Options(ResponseScale scale) =>
    [
        .. Enumerable.Range(scale.Min, scale.Max - scale.Min + 1)
            .Select(v => new QuestionnaireOption(v, scale.Anchors.FirstOrDefault(a => a.Value == v)?.Label ?? v.ToString(System.Globalization.CultureInfo.InvariantCulture))),
    ];
}

/// <summary>
/// The participant's answers through their link, recorded once. The measure is recorded by the very handler of
/// POST /api/participants/{id}/measures (same validation, scoring and alerts), in the same transaction that marks the
/// link used, with the link as the actor. Every item that applies must be answered: the page asks again, it never prorates.
/// </summary>
public sealed record AnswerQuestionnaire(string Token, Dictionary<string, decimal?> Items) : ICommand<Guid>, IAuditedCommand
{
    public string? AuditTrialId => null;
}

public sealed class AnswerQuestionnaireHandler(
    TrialDbContext db, InstrumentCatalogue catalogue, TimeProvider clock, RecordMeasureHandler recordMeasure, IValidator<RecordMeasure> measureValidator)
    : ICommandHandler<AnswerQuestionnaire, Guid>
{
    private const string Refusal = "This questionnaire link was already used, has expired or is not known.";

    public async ValueTask<Guid> Handle(AnswerQuestionnaire command, CancellationToken cancellationToken)
    {
        var hash = QuestionnaireTokens.Hash(command.Token);
        var link = await db.QuestionnaireLinks.SingleOrDefaultAsync(l => l.TokenHash == hash, cancellationToken);
        var now = clock.GetUtcNow();
        if (link is null || !link.IsOpenAt(now) || catalogue.Find(link.Instrument) is not { } instrument)
        {
            throw new WorkflowConflictException(Refusal);
        }

        var given = command.Items.Where(i => i.Value is not null).ToDictionary(i => i.Key, i => (int)i.Value!.Value);
        var missing = instrument.Definition.Items
            .Where(item => item.AppliesWhen is not { } when || (given.TryGetValue(when.Item, out var answer) && when.Values.Contains(answer)))
            .Where(item => command.Items.GetValueOrDefault(item.Id) is null)
            .ToDictionary(item => $"items.{item.Id}", _ => new[] { "Please choose an answer." });
        if (missing.Count > 0)
        {
            throw new RequestValidationException(missing);
        }

        var measure = new RecordMeasure(link.ParticipantId, link.Instrument, link.Session, link.Visit, DateOnly.FromDateTime(now.UtcDateTime), command.Items);
        var validation = await measureValidator.ValidateAsync(measure, cancellationToken);
        if (!validation.IsValid)
        {
            throw new RequestValidationException(validation.Errors.GroupBy(e => e.PropertyName)
                .ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).Distinct().ToArray()));
        }

        var recorded = await recordMeasure.Handle(measure, cancellationToken);
        // The measure's handler tracks the participant of a visit's measure only (a session's it reads narrowly, untracked).
        var participant = db.Participants.Local.SingleOrDefault(p => p.Id == link.ParticipantId)
                          ?? await db.Participants.SingleAsync(p => p.Id == link.ParticipantId, cancellationToken);
        link.Answer(participant, db.Measures.Local.Single(m => m.Id == recorded.Id), now);
        return recorded.Id;
    }
}
