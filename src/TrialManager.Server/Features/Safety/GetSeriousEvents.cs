using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Participants;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;
using TrialManager.Server.Features.Participants;

namespace TrialManager.Server.Features.Safety;

/// <summary>
/// An event with its participant's study id and site, as medical reviewers list serious ones: never the arm. The
/// description is the site's narrative, which a medical review needs. <paramref name="ChangedSinceReview"/>: reviewed,
/// then corrected, so it waits for a review again (the earlier review is still in <see cref="EventView.Review"/>).
/// </summary>
public sealed record TrialEventView(string ParticipantId, string Site, EventView Event, bool ChangedSinceReview);

/// <summary>
/// GET /api/trials/{trialId}/events?review=pending|all (admin, dsmb): the trial's serious adverse events, those still
/// waiting for a medical review (the default: never reviewed, or corrected since their review) or all of them, oldest first.
/// </summary>
public sealed record GetSeriousEvents(string TrialId, string? Review) : IQuery<IReadOnlyList<TrialEventView>>;

public sealed class GetSeriousEventsHandler(TrialDbContext db, IActorAccessor actors) : IQueryHandler<GetSeriousEvents, IReadOnlyList<TrialEventView>>
{
    public async ValueTask<IReadOnlyList<TrialEventView>> Handle(GetSeriousEvents query, CancellationToken cancellationToken)
    {
        if (query.Review is not (null or "pending" or "all"))
        {
            throw RequestValidationException.For("review", "must be pending or all");
        }

        await db.EnsureTrialExistsAsync(query.TrialId, cancellationToken);
        var pending = query.Review != "all";
        var actor = actors.Current;
        var corrected = await db.Corrections.Where(c => c.TrialId == query.TrialId).LastEventCorrectionsAsync(cancellationToken);
        var correctedIds = corrected.Keys.ToList();
        // Few participants have a serious event: their whole records are read, the events picked here.
        var participants = await db.Participants.AsNoTracking().AsSplitQuery()
            .Where(p => p.TrialId == query.TrialId
                        && p.Events.Any(e => e.Type == ParticipantEventType.SeriousAdverseEvent
                                             && (!pending || e.ReviewedAt == null || correctedIds.Contains(e.Id))))
            .ToListAsync(cancellationToken);
        return [.. participants.Where(p => actor.MaySeeSite(p.Site))
            .SelectMany(p => p.Events.Where(e => e.IsSerious)
                .Select(e => (e, Changed: e.ChangedSinceReview(corrected.TryGetValue(e.Id, out var at) ? at : null)))
                .Where(x => !pending || x.e.ReviewedAt is null || x.Changed)
                .Select(x => new TrialEventView(p.Id, p.Site, EventView.From(x.e), x.Changed)))
            .OrderBy(v => v.Event.RecordedAt).ThenBy(v => v.Event.Id)];
    }
}
