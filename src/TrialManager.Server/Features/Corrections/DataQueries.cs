using System.Text.Json;
using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Participants;
using TrialManager.Infrastructure.Instruments;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Features.Notifications;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Corrections;

/// <summary>A data query as its readers see it: the value asked about, the question and the site's answer. No allocation detail.</summary>
public sealed record DataQueryView(
    Guid Id, string TrialId, string ParticipantId, string Site, string Target, string Field, string Question, string RaisedBy, DateTimeOffset RaisedAt,
    string Status, string? Answer, string? AnsweredBy, DateTimeOffset? AnsweredAt, Guid? Correction)
{
    public static DataQueryView From(DataQuery q) => new(
        q.Id, q.TrialId, q.ParticipantId, q.Site, q.Target, q.Field, q.Question, q.RaisedBy, q.RaisedAt, q.IsOpen ? "open" : "answered",
        q.Answer, q.AnsweredBy, q.AnsweredAt, q.CorrectionId);
}

/// <summary>POST /api/participants/{id}/queries (statistician or admin, as monitor): a question about one recorded value.</summary>
public sealed record RaiseDataQuery(string ParticipantId, string? Target, string? Field, string? Question) : ICommand<DataQueryView>, IAuditedCommand
{
    public string? AuditTrialId => null;
}

public sealed record RaiseDataQueryRequest(string? Target, string? Field, string? Question);

public sealed class RaiseDataQueryValidator : AbstractValidator<RaiseDataQuery>
{
    public RaiseDataQueryValidator()
    {
        RuleFor(q => q.Target).Matches(CorrectRecordValidator.TargetPattern)
            .WithMessage("must be participant, rating:N, session:N, measure:{id} or event:{id}").When(q => q.Target is not null);
        RuleFor(q => q.Field).NotEmpty().WithMessage("is required: the name of the value asked about, e.g. severity").MaximumLength(60);
        RuleFor(q => q.Question).NotEmpty().WithMessage("is required: what the site should check").MaximumLength(2_000);
    }
}

public sealed class RaiseDataQueryHandler(TrialDbContext db, IActorAccessor actors, TimeProvider clock) : ICommandHandler<RaiseDataQuery, DataQueryView>
{
    public async ValueTask<DataQueryView> Handle(RaiseDataQuery command, CancellationToken cancellationToken)
    {
        var actor = actors.Current;
        var participant = await db.LoadParticipantAsync(command.ParticipantId, actor, cancellationToken);
        var target = command.Target ?? Correction.ParticipantTarget;
        // Asked about a value that exists, so that the site can answer it (or correct it).
        await Corrector.EnsureTargetAsync(db, participant, target, command.Field!, cancellationToken);
        var query = new DataQuery(participant, target, command.Field!, command.Question!.Trim(), actor.Name, clock.GetUtcNow());
        db.DataQueries.Add(query);
        return DataQueryView.From(query);
    }
}

/// <summary>
/// POST /api/queries/{queryId}/answer (coordinator of the participant's site): an answer, and optionally the corrected
/// value (<c>{"correction": {"value": ...}}</c>) of the queried target and field, whose reason is the answer.
/// </summary>
public sealed record AnswerDataQuery(Guid QueryId, string? Answer, QueryCorrectionRequest? Correction) : ICommand<DataQueryView>, IAuditedCommand
{
    public string? AuditTrialId => null;
}

public sealed record AnswerDataQueryRequest(string? Answer, QueryCorrectionRequest? Correction);

/// <param name="Value">Required; the corrected value of the queried field (JSON null clears an optional answer).</param>
public sealed record QueryCorrectionRequest(JsonElement Value);

public sealed class AnswerDataQueryValidator : AbstractValidator<AnswerDataQuery>
{
    public AnswerDataQueryValidator()
    {
        RuleFor(a => a.Answer).NotEmpty().WithMessage("is required: the site's answer (with a correction, why the value was wrong)").MaximumLength(2_000);
        RuleFor(a => a.Correction!.Value).Must(v => v.ValueKind != JsonValueKind.Undefined)
            .WithMessage("is required: the corrected value").OverridePropertyName("correction.value").When(a => a.Correction is not null);
    }
}

public sealed class AnswerDataQueryHandler(
    TrialDbContext db, InstrumentCatalogue catalogue, IActorAccessor actors, TimeProvider clock, NotificationOutbox notifications)
    : ICommandHandler<AnswerDataQuery, DataQueryView>
{
    public async ValueTask<DataQueryView> Handle(AnswerDataQuery command, CancellationToken cancellationToken)
    {
        var actor = actors.Current;
        var query = await db.DataQueries.SingleOrDefaultAsync(q => q.Id == command.QueryId, cancellationToken);
        if (query is null || !actor.MaySeeSite(query.Site))
        {
            throw new NotFoundException($"No data query with id {command.QueryId}.");
        }

        if (!query.IsOpen)
        {
            throw new Domain.Common.WorkflowConflictException($"The query was already answered by {query.AnsweredBy}; a new question needs a new query.");
        }

        var answer = command.Answer!.Trim();
        Guid? correctionId = null;
        if (command.Correction is { } correction)
        {
            var participant = await db.LoadParticipantAsync(query.ParticipantId, actor, cancellationToken);
            correctionId = (await new Corrector(db, catalogue, clock, notifications).CorrectAsync(
                actor, participant, query.Target, query.Field, correction.Value, answer, query.Id, cancellationToken)).Id;
        }

        query.Close(answer, correctionId, actor.Name, clock.GetUtcNow());
        return DataQueryView.From(query);
    }
}

/// <summary>GET /api/trials/{trialId}/queries?status=open|answered|all: the trial's data queries (a coordinator's: of their sites).</summary>
public sealed record ListDataQueries(string TrialId, string? Status) : IQuery<IReadOnlyList<DataQueryView>>;

public sealed class ListDataQueriesHandler(TrialDbContext db, IActorAccessor actors) : IQueryHandler<ListDataQueries, IReadOnlyList<DataQueryView>>
{
    public async ValueTask<IReadOnlyList<DataQueryView>> Handle(ListDataQueries query, CancellationToken cancellationToken)
    {
        if (query.Status is not (null or "open" or "answered" or "all"))
        {
            throw RequestValidationException.For("status", "must be open, answered or all");
        }

        await db.EnsureTrialExistsAsync(query.TrialId, cancellationToken);
        var queries = db.DataQueries.AsNoTracking().Where(q => q.TrialId == query.TrialId);
        queries = query.Status switch
        {
            null or "open" => queries.Where(q => q.AnsweredAt == null),
            "answered" => queries.Where(q => q.AnsweredAt != null),
            _ => queries,
        };
        var actor = actors.Current;
        if (actor.Sites.Count > 0)
        {
            var sites = actor.Sites.ToList();
            queries = queries.Where(q => sites.Contains(q.Site));
        }

        return [.. (await queries.ToListAsync(cancellationToken)).Select(DataQueryView.From)];
    }
}
