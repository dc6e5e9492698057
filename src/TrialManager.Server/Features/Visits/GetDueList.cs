using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Common;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Schedule;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Visits;

/// <summary>
/// GET /api/trials/{trialId}/visits/due (coordinator for their sites, assessor): the sessions and visits of randomized
/// participants still followed up that are due or overdue today (the server's clock), by site. Names no arm and no
/// therapist: assessors read it.
/// </summary>
public sealed record GetDueList(string TrialId, string? Site, string? Status) : IQuery<IReadOnlyList<DueView>>;

/// <param name="Session">The session's number, for a session.</param>
/// <param name="Visit">The visit's code, for a visit.</param>
public sealed record DueView(
    string ParticipantId, string Site, DueKind Kind, int? Session, string? Visit, DateOnly From, DateOnly To, DueStatus Status)
{
    /// <summary>The list's order and page key: by site, then date, participant and item.</summary>
    public string Key => $"{Site}|{From:yyyy-MM-dd}|{ParticipantId}|{Kind.Wire()}|{Session?.ToString("D4", System.Globalization.CultureInfo.InvariantCulture) ?? Visit}";
}

public sealed class GetDueListHandler(TrialDbContext db, IActorAccessor actors, TimeProvider clock) : IQueryHandler<GetDueList, IReadOnlyList<DueView>>
{
    public async ValueTask<IReadOnlyList<DueView>> Handle(GetDueList query, CancellationToken cancellationToken)
    {
        var trial = await db.ReadTrialAsync(query.TrialId, cancellationToken);
        if (query.Site is { } site && !trial.Definition.Sites.Contains(site, StringComparer.Ordinal))
        {
            throw RequestValidationException.For("site", $"is not a site of the trial ({string.Join(", ", trial.Definition.Sites)})");
        }

        DueStatus? status = null;
        if (query.Status is not null)
        {
            status = Wire.TryParse<DueStatus>(query.Status, out var s) ? s : throw RequestValidationException.For("status", "must be due or overdue");
        }

        var actor = actors.Current;
        if (query.Site is not null && !actor.MaySeeSite(query.Site))
        {
            // Like a participant of another site: the same answer as a site with nothing due, which tells nothing.
            return [];
        }

        // A trial without a schedule has nothing due.
        if (trial.Definition.Schedule is not { } schedule)
        {
            return [];
        }

        var participants = db.Participants.AsNoTracking()
            .Where(p => p.TrialId == trial.Id && (p.Status == ParticipantStatus.Randomized || p.Status == ParticipantStatus.FollowUp));
        if (query.Site is not null)
        {
            participants = participants.Where(p => p.Site == query.Site);
        }

        if (actor.Sites.Count > 0)
        {
            var sites = actor.Sites.ToList();
            participants = participants.Where(p => sites.Contains(p.Site));
        }

        var followed = await participants
            .Select(p => new { p.Id, p.Site, p.Status, p.RandomizedAt, Sessions = p.Sessions.Select(s => s.Number).ToList() })
            .ToListAsync(cancellationToken);
        var ids = followed.Select(p => p.Id).ToList();
        var visitMeasures = (await db.Measures.AsNoTracking()
                .Where(m => m.TrialId == trial.Id && m.Visit != null && ids.Contains(m.ParticipantId))
                .Select(m => new { m.ParticipantId, Visit = m.Visit!, m.Instrument })
                .ToListAsync(cancellationToken))
            .ToLookup(m => m.ParticipantId);

        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var due = new List<DueView>();
        foreach (var p in followed)
        {
            var progress = new ScheduleProgress(
                DateOnly.FromDateTime(p.RandomizedAt!.Value.UtcDateTime),
                p.Status == ParticipantStatus.Randomized,
                p.Sessions.ToHashSet(),
                visitMeasures[p.Id].GroupBy(m => m.Visit).ToDictionary(g => g.Key, g => (IReadOnlySet<string>)g.Select(m => m.Instrument).ToHashSet()));
            due.AddRange(DueList.For(schedule, progress, today)
                .Where(i => status is null || i.Status == status)
                .Select(i => new DueView(p.Id, p.Site, i.Kind, i.Number, i.Visit, i.From, i.To, i.Status)));
        }

        return [.. due.OrderBy(d => d.Key, StringComparer.Ordinal)];
    }
}
