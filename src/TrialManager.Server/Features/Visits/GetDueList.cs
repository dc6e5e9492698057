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
/// therapist: assessors read it. One page of the list, in the order of <see cref="DueView.Key"/>.
/// </summary>
public sealed record GetDueList(string TrialId, string? Site, string? Status, PageRequest Page) : IQuery<Page<DueView>>;

/// <param name="Session">The session's number, for a session.</param>
/// <param name="Visit">The visit's code, for a visit.</param>
public sealed record DueView(
    string ParticipantId, string Site, DueKind Kind, int? Session, string? Visit, DateOnly From, DateOnly To, DueStatus Status)
{
    /// <summary>The list's order and page key: by site, then date, participant and item.</summary>
    public string Key => $"{Site}|{From:yyyy-MM-dd}|{ParticipantId}|{Kind.Wire()}|{Session?.ToString("D4", System.Globalization.CultureInfo.InvariantCulture) ?? Visit}";
}

/// <summary>
/// A page needs only the participants whose entries can fall on it: no entry of a participant opens before their stored
/// next-due date (<see cref="Participant.NextDue"/>, the rule's earliest open item), and only those whose date has come
/// have any. So participants are read site by site in next-due order, a page's worth at a time, until the page is full
/// and the next batch cannot open anything before its last entry. The rule itself still makes every entry.
/// </summary>
public sealed class GetDueListHandler(TrialDbContext db, IActorAccessor actors, TimeProvider clock) : IQueryHandler<GetDueList, Page<DueView>>
{

    public async ValueTask<Page<DueView>> Handle(GetDueList query, CancellationToken cancellationToken)
    {
        var trial = await db.ReadTrialAsync(query.TrialId, cancellationToken);
        if (query.Site is { } requested && !trial.Definition.Sites.Contains(requested, StringComparer.Ordinal))
        {
            throw RequestValidationException.For("site", $"is not a site of the trial ({string.Join(", ", trial.Definition.Sites)})");
        }

        DueStatus? status = null;
        if (query.Status is not null)
        {
            status = Wire.TryParse<DueStatus>(query.Status, out var s) ? s : throw RequestValidationException.For("status", "must be due or overdue");
        }

        var page = query.Page;
        var after = page.Key(1) is [var last] ? last : null;
        var actor = actors.Current;
        if (query.Site is not null && !actor.MaySeeSite(query.Site))
        {
            // Like a participant of another site: the same answer as a site with nothing due, which tells nothing.
            return new Page<DueView>([], null);
        }

        // A trial without a schedule has nothing due.
        if (trial.Definition.Schedule is not { } schedule)
        {
            return new Page<DueView>([], null);
        }

        // The sites that have someone followed (read, not taken from the definition, so nobody is left out). Every key of
        // a site starts with "site|", so the sites follow each other in the ordinal order of that prefix.
        var sites = (query.Site is { } one
                ? [one]
                : await db.Participants.AsNoTracking()
                    .Where(p => p.TrialId == trial.Id && (p.Status == ParticipantStatus.Randomized || p.Status == ParticipantStatus.FollowUp))
                    .Select(p => p.Site).Distinct().ToListAsync(cancellationToken))
            .Where(actor.MaySeeSite)
            .OrderBy(x => x + "|", StringComparer.Ordinal)
            .ToList();
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        // A batch of a page's worth: every participant read has at least one entry.
        var batchSize = Math.Min(page.Limit + 1, 500);
        var rows = new List<(DueView Item, string Key)>();
        foreach (var site in sites)
        {
            var prefix = site + "|";
            if (after is not null && string.CompareOrdinal(prefix, after) < 0 && !after.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue; // the whole site lies before the cursor
            }

            DateOnly? lastDue = null;
            string? lastId = null;
            while (true)
            {
                if (lastDue is { } due && Full(rows, page) && string.CompareOrdinal(rows[page.Limit].Key, $"{prefix}{due:yyyy-MM-dd}") < 0)
                {
                    break; // no later participant of the site opens anything before the page's end
                }

                // Once the page is full (its end is of this site: a full page from an earlier site ended the loop), a
                // participant whose date is after the page's last entry opens nothing on it: the next batch is only the
                // ties of that day, not another page's worth.
                var bound = Full(rows, page) && rows[page.Limit].Item.From < today ? rows[page.Limit].Item.From : today;
                var batch = await AddBatchAsync(trial.Id, site, lastDue, lastId, batchSize, schedule, bound, today, status, after, rows, cancellationToken);
                if (batch is null)
                {
                    break;
                }

                (lastDue, lastId, var read) = batch.Value;
                rows.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
                if (rows.Count > page.Limit + 1)
                {
                    rows.RemoveRange(page.Limit + 1, rows.Count - page.Limit - 1);
                }

                if (read < batchSize)
                {
                    break; // the site has no one left with something due by the bound
                }
            }

            if (Full(rows, page))
            {
                break; // every key of a later site is greater
            }
        }

        var p = Page<(DueView Item, string Key)>.From(rows, page, x => PageRequest.Cursor(x.Key));
        return new Page<DueView>([.. p.Items.Select(x => x.Item)], p.Next);
    }

    private static bool Full(List<(DueView Item, string Key)> rows, PageRequest page) => rows.Count > page.Limit;

    /// <summary>
    /// The entries after the cursor of the next batch of the site's followed participants with something due by
    /// <paramref name="bound"/> (today, or the page's last day once it is full); the batch's last (next-due date, id)
    /// and how many it read, or null when none remain.
    /// </summary>
    private async Task<(DateOnly, string, int)?> AddBatchAsync(
        string trialId, string site, DateOnly? lastDue, string? lastId, int batchSize, TrialSchedule schedule, DateOnly bound, DateOnly today,
        DueStatus? status, string? after, List<(DueView Item, string Key)> rows, CancellationToken cancellationToken)
    {
        var participants = db.Participants.AsNoTracking()
            .Where(p => p.TrialId == trialId && p.Site == site && p.NextDue <= bound
                && (p.Status == ParticipantStatus.Randomized || p.Status == ParticipantStatus.FollowUp));
        if (lastDue is { } due)
        {
            participants = participants.Where(p => p.NextDue > due || (p.NextDue == due && string.Compare(p.Id, lastId) > 0));
        }

        // One row per participant: what the rule needs of their sessions is which numbers are recorded, and for almost
        // everyone those are 1..n, which the count and the bounds tell without reading the sessions themselves.
        var followed = await participants
            .OrderBy(p => p.NextDue).ThenBy(p => p.Id).Take(batchSize)
            .Select(p => new
            {
                p.Id, p.Status, p.RandomizedAt, p.NextDue,
                Sessions = p.Sessions.Count(),
                First = p.Sessions.Min(s => (int?)s.Number),
                Last = p.Sessions.Max(s => (int?)s.Number),
            })
            .ToListAsync(cancellationToken);
        if (followed.Count == 0)
        {
            return null;
        }

        // Their visit measures by the batch's ids (a page's worth), not the batch again as a subquery: the database
        // looks each participant up in the measures' index once instead of evaluating the batch a second time (and
        // PostgreSQL, given a subquery, hashed it against a scan of every measure).
        var ids = followed.Select(p => p.Id).ToList();
        var visitMeasures = (await db.Measures.AsNoTracking()
                .Where(m => ids.Contains(m.ParticipantId) && m.TrialId == trialId && m.Visit != null)
                .Select(m => new { m.ParticipantId, Visit = m.Visit!, m.Instrument })
                .ToListAsync(cancellationToken))
            .ToLookup(m => m.ParticipantId);

        // The numbers themselves only where they are not 1..n (a session left out, then a later one recorded): by id, and
        // only for those in treatment (after a treatment stop the rule lists no sessions); usually nobody, and no query.
        var gappedIds = followed
            .Where(p => p.Status == ParticipantStatus.Randomized && p.Sessions > 0 && !(p.First == 1 && p.Last == p.Sessions))
            .Select(p => p.Id).ToList();
        var gapped = gappedIds.Count == 0
            ? Enumerable.Empty<(string ParticipantId, int Number)>().ToLookup(s => s.ParticipantId, s => s.Number)
            : (await db.Participants.AsNoTracking()
                    .Where(p => gappedIds.Contains(p.Id))
                    .SelectMany(p => p.Sessions)
                    // The owner's key from the session row itself: naming p.Id inside would need an APPLY, which SQLite lacks.
                    .Select(s => new { ParticipantId = EF.Property<string>(s, "ParticipantId"), s.Number })
                    .ToListAsync(cancellationToken))
                .Select(s => (s.ParticipantId, s.Number)).ToLookup(s => s.ParticipantId, s => s.Number);

        foreach (var p in followed)
        {
            var progress = new ScheduleProgress(
                DateOnly.FromDateTime(p.RandomizedAt!.Value.UtcDateTime),
                p.Status == ParticipantStatus.Randomized,
                p.First == 1 && p.Last == p.Sessions ? Enumerable.Range(1, p.Sessions).ToHashSet() : gapped[p.Id].ToHashSet(),
                visitMeasures[p.Id].GroupBy(m => m.Visit).ToDictionary(g => g.Key, g => (IReadOnlySet<string>)g.Select(m => m.Instrument).ToHashSet()));
            foreach (var i in DueList.For(schedule, progress, today))
            {
                if (status is null || i.Status == status)
                {
                    var view = new DueView(p.Id, site, i.Kind, i.Number, i.Visit, i.From, i.To, i.Status);
                    var key = view.Key;
                    if (after is null || string.CompareOrdinal(key, after) > 0)
                    {
                        rows.Add((view, key));
                    }
                }
            }
        }

        var tail = followed[^1];
        return (tail.NextDue!.Value, tail.Id, followed.Count);
    }
}
