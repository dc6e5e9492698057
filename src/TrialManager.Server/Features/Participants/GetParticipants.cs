using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Trials;
using TrialManager.Domain.Instruments;
using TrialManager.Infrastructure.Instruments;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;
using TrialManager.Server.Security;

namespace TrialManager.Server.Features.Participants;

public sealed record GetParticipant(string ParticipantId) : IQuery<ParticipantView>;

/// <summary>GET /api/trials/{trialId}/participants?status=&amp;site=&amp;search=: the coordinator's list, a page in screening order.</summary>
public sealed record ListParticipants(string TrialId, string? Status, string? Site, string? Search, PageRequest Page)
    : IQuery<Page<ParticipantSummary>>;

public sealed record ParticipantSummary(
    string Id, string Site, ParticipantStatus Status, Formulation? PrimaryFormulation, ArmCode? Arm, DateTimeOffset ScreenedAt);

public sealed class GetParticipantsHandler(TrialDbContext db, IActorAccessor actors, InstrumentCatalogue catalogue)
    : IQueryHandler<GetParticipant, ParticipantView>, IQueryHandler<ListParticipants, Page<ParticipantSummary>>
{
    public async ValueTask<ParticipantView> Handle(GetParticipant query, CancellationToken cancellationToken)
    {
        var actor = actors.Current;
        var participant = await db.LoadParticipantAsync(query.ParticipantId, actor, cancellationToken);
        var allocation = await db.Allocations.AsNoTracking().SingleOrDefaultAsync(a => a.ParticipantId == participant.Id, cancellationToken);
        // In the order made: each correction's old value is the one before it, the first's the value as entered.
        var corrections = (await db.Corrections.AsNoTracking().Where(c => c.ParticipantId == participant.Id).ToListAsync(cancellationToken))
            .OrderBy(c => c.CorrectedAt).Select(CorrectionView.From).ToList();
        var view = ParticipantView.From(participant, allocation) with { Corrections = corrections };
        if (actor.Role != Roles.Therapist)
        {
            return view;
        }

        var measures = await db.Measures.AsNoTracking().Where(m => m.ParticipantId == participant.Id)
            .Select(m => new { m.Id, m.Instrument, m.Version }).ToListAsync(cancellationToken);
        return view.ForTherapist(measures
            .Where(m => (catalogue.Find(m.Instrument, m.Version) ?? catalogue.Find(m.Instrument))?.Definition.Respondent == InstrumentRespondent.Therapist)
            .Select(m => $"measure:{m.Id:D}").ToHashSet(StringComparer.Ordinal));
    }

    public async ValueTask<Page<ParticipantSummary>> Handle(ListParticipants query, CancellationToken cancellationToken)
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

        if (query.Page.Key(2) is [var screenedAt, var id])
        {
            var after = PageRequest.Instant(screenedAt);
            participants = participants.Where(p => p.ScreenedAt > after || (p.ScreenedAt == after && string.Compare(p.Id, id) > 0));
        }

        // Keyset in SQL on every provider (an index on trial, screening time and id): a page costs the same at any
        // depth. The arm comes with each row (left join on the allocation), not from a second read of the allocations.
        var rows = await (
                from p in participants
                join a in db.Allocations.AsNoTracking() on p.Id equals a.ParticipantId into allocation
                from a in allocation.DefaultIfEmpty()
                orderby p.ScreenedAt, p.Id
                select new ParticipantSummary(p.Id, p.Site, p.Status, p.PrimaryFormulation, (ArmCode?)a.Arm, p.ScreenedAt))
            .Take(query.Page.Limit + 1)
            .ToListAsync(cancellationToken);
        return Page<ParticipantSummary>.From(rows, query.Page, p => PageRequest.Cursor(PageRequest.Text(p.ScreenedAt), p.Id));
    }
}
