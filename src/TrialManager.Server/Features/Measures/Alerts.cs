using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Instruments;
using TrialManager.Domain.Measures;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Features.Participants;
using TrialManager.Server.Security;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Measures;

/// <summary>A safety alert as the participant's site sees it: what raised it, and who acknowledged it with what action.</summary>
public sealed record AlertView(
    Guid Id, string ParticipantId, Guid MeasureId, string Instrument, string Rule, AlertKind Kind, DateTimeOffset RaisedAt,
    string? AcknowledgedBy, DateTimeOffset? AcknowledgedAt, string? Action)
{
    public static AlertView From(SafetyAlert a) =>
        new(a.Id, a.ParticipantId, a.MeasureId, a.Instrument, a.Rule, a.Kind, a.RaisedAt, a.AcknowledgedBy, a.AcknowledgedAt, a.Action);
}

/// <summary>GET /api/trials/{trialId}/alerts?status=open|all (coordinator, own sites): unacknowledged first, newest first.</summary>
public sealed record GetAlerts(string TrialId, string? Status) : IQuery<IReadOnlyList<AlertView>>;

public sealed class GetAlertsHandler(TrialDbContext db, IActorAccessor actors) : IQueryHandler<GetAlerts, IReadOnlyList<AlertView>>
{
    public async ValueTask<IReadOnlyList<AlertView>> Handle(GetAlerts query, CancellationToken cancellationToken)
    {
        if (query.Status is not (null or "open" or "all"))
        {
            throw RequestValidationException.For("status", "must be open or all");
        }

        var trial = await db.LoadTrialAsync(query.TrialId, cancellationToken);
        var actor = actors.Current;
        var alerts = db.SafetyAlerts.AsNoTracking().Where(a => a.TrialId == trial.Id);
        if (query.Status != "all")
        {
            alerts = alerts.Where(a => a.AcknowledgedAt == null);
        }

        if (actor.Sites.Count > 0)
        {
            var sites = actor.Sites.ToList();
            alerts = alerts.Where(a => sites.Contains(a.Site));
        }

        // Few per trial, and SQLite cannot order instants: ordered here.
        return [.. (await alerts.ToListAsync(cancellationToken))
            .OrderBy(a => a.AcknowledgedAt is not null).ThenByDescending(a => a.RaisedAt).Select(AlertView.From)];
    }
}

/// <summary>How many safety alerts wait for acknowledgement in one trial, at the caller's sites.</summary>
public sealed record OpenAlertCount(string TrialId, int Count);

/// <summary>
/// The open alerts of the coordinator's sites counted by trial, for the notice at the top of their pages (no route of
/// its own: the pages' view of what <c>GET /api/trials/{trialId}/alerts</c> lists). Counted by the database, so a
/// trial with many open alerts costs one grouped count per page.
/// </summary>
public sealed record GetOpenAlertCounts : IQuery<IReadOnlyList<OpenAlertCount>>;

public sealed class GetOpenAlertCountsHandler(TrialDbContext db, IActorAccessor actors) : IQueryHandler<GetOpenAlertCounts, IReadOnlyList<OpenAlertCount>>
{
    public async ValueTask<IReadOnlyList<OpenAlertCount>> Handle(GetOpenAlertCounts query, CancellationToken cancellationToken)
    {
        var actor = actors.Current;
        var alerts = db.SafetyAlerts.AsNoTracking().Where(a => a.AcknowledgedAt == null);
        if (actor.Sites.Count > 0)
        {
            var sites = actor.Sites.ToList();
            alerts = alerts.Where(a => sites.Contains(a.Site));
        }

        var counts = await alerts.GroupBy(a => a.TrialId).Select(g => new OpenAlertCount(g.Key, g.Count())).ToListAsync(cancellationToken);
        return [.. counts.OrderBy(c => c.TrialId, StringComparer.Ordinal)];
    }
}

/// <summary>POST /api/alerts/{alertId}/acknowledgement (coordinator of the alert's site): what was done about it.</summary>
public sealed record AcknowledgeAlert(Guid AlertId, string? Action) : ICommand<AlertView>, IAuditedCommand
{
    public string? AuditTrialId => null;
}

public sealed record AcknowledgeAlertRequest(string? Action);

public sealed class AcknowledgeAlertValidator : AbstractValidator<AcknowledgeAlert>
{
    public AcknowledgeAlertValidator() =>
        RuleFor(a => a.Action).NotEmpty().WithMessage("is required: what was done about the alert").MaximumLength(2_000);
}

public sealed class AcknowledgeAlertHandler(TrialDbContext db, IActorAccessor actors, TimeProvider clock) : ICommandHandler<AcknowledgeAlert, AlertView>
{
    public async ValueTask<AlertView> Handle(AcknowledgeAlert command, CancellationToken cancellationToken)
    {
        var actor = actors.Current;
        var alert = await db.SafetyAlerts.SingleOrDefaultAsync(a => a.Id == command.AlertId, cancellationToken);
        if (alert is null || !actor.MaySeeSite(alert.Site))
        {
            throw new NotFoundException($"No alert with id {command.AlertId}.");
        }

        alert.Acknowledge(actor.Name, command.Action!.Trim(), clock.GetUtcNow());
        return AlertView.From(alert);
    }
}
