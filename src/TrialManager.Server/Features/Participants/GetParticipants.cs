using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;
using TrialManager.Server.Errors;
using TrialManager.Server.Security;

namespace TrialManager.Server.Features.Participants;

public sealed record GetParticipant(string ParticipantId) : IQuery<ParticipantView>;

/// <summary>GET /api/trials/{trialId}/participants?status=&amp;site=&amp;search=: the coordinator's list.</summary>
public sealed record ListParticipants(string TrialId, string? Status, string? Site, string? Search) : IQuery<IReadOnlyList<ParticipantSummary>>;

public sealed record ParticipantSummary(
    string Id, string Site, ParticipantStatus Status, Formulation? PrimaryFormulation, ArmCode? Arm, DateTimeOffset ScreenedAt);

public sealed class GetParticipantsHandler(TrialDbContext db, IActorAccessor actors)
    : IQueryHandler<GetParticipant, ParticipantView>, IQueryHandler<ListParticipants, IReadOnlyList<ParticipantSummary>>
{
    public async ValueTask<ParticipantView> Handle(GetParticipant query, CancellationToken cancellationToken)
    {
        var participant = await db.LoadParticipantAsync(query.ParticipantId, actors.Current, cancellationToken);
        var allocation = await db.Allocations.AsNoTracking().SingleOrDefaultAsync(a => a.ParticipantId == participant.Id, cancellationToken);
        return ParticipantView.From(participant, allocation);
    }

    public async ValueTask<IReadOnlyList<ParticipantSummary>> Handle(ListParticipants query, CancellationToken cancellationToken)
    {
        await db.EnsureTrialExistsAsync(query.TrialId, cancellationToken);

        var participants = db.Participants.AsNoTracking().Where(p => p.TrialId == query.TrialId);
        if (query.Status is not null)
        {
            if (!Wire.TryParse<ParticipantStatus>(query.Status, out var status))
            {
                throw RequestValidationException.For("status", "must be a participant status, e.g. eligible or randomized");
            }

            participants = participants.Where(p => p.Status == status);
        }

        var actor = actors.Current;
        if (query.Site is not null)
        {
            participants = participants.Where(p => p.Site == query.Site);
        }

        if (actor.Sites.Count > 0)
        {
            var sites = actor.Sites.ToList();
            participants = participants.Where(p => sites.Contains(p.Site));
        }

        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var search = query.Search.Trim();
            participants = participants.Where(p => p.Id.Contains(search));
        }

        // The arm comes with each row (left join on the allocation), not from a second read of the whole trial's
        // allocations. Ordered in memory: SQLite cannot ORDER BY a DateTimeOffset column; every row is returned anyway.
        var rows = await (
                from p in participants
                join a in db.Allocations.AsNoTracking() on p.Id equals a.ParticipantId into allocation
                from a in allocation.DefaultIfEmpty()
                select new ParticipantSummary(p.Id, p.Site, p.Status, p.PrimaryFormulation, (ArmCode?)a.Arm, p.ScreenedAt))
            .ToListAsync(cancellationToken);
        return [.. rows.OrderBy(p => p.ScreenedAt).ThenBy(p => p.Id, StringComparer.Ordinal)];
    }
}
