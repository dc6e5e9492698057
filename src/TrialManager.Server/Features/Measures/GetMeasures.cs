using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Features.Participants;
using TrialManager.Server.Security;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Measures;

/// <summary>
/// GET /api/participants/{id}/measures: every measure of the participant with its scores and the alerts it raised. An
/// assessor gets the visits' measures only: a therapist's session logs and fidelity ratings would tell them the arm.
/// A page under a trial names it (<c>TrialId</c>): another trial's participant is then a 404.
/// </summary>
public sealed record GetMeasures(string ParticipantId, string? TrialId = null) : IQuery<IReadOnlyList<MeasureView>>;

public sealed class GetMeasuresHandler(TrialDbContext db, IActorAccessor actors) : IQueryHandler<GetMeasures, IReadOnlyList<MeasureView>>
{
    public async ValueTask<IReadOnlyList<MeasureView>> Handle(GetMeasures query, CancellationToken cancellationToken)
    {
        var actor = actors.Current;
        var participant = await db.LoadParticipantAsync(query.ParticipantId, query.TrialId, actor, cancellationToken);
        var blind = actor.Role == Roles.Assessor;
        var measures = await db.Measures.AsNoTracking()
            .Where(m => m.ParticipantId == participant.Id && (!blind || m.Visit != null)).ToListAsync(cancellationToken);
        var alerts = (await db.SafetyAlerts.AsNoTracking().Where(a => a.ParticipantId == participant.Id).ToListAsync(cancellationToken))
            .ToLookup(a => a.MeasureId);
        return [.. measures.OrderBy(m => m.Session ?? int.MaxValue).ThenBy(m => m.Visit, StringComparer.Ordinal).ThenBy(m => m.Instrument, StringComparer.Ordinal).Select(m => MeasureView.From(m, alerts[m.Id]))];
    }
}
