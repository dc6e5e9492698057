using System.Globalization;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;
using TrialManager.Server.Features.Participants;

namespace TrialManager.Server.Features.Raters;

/// <summary>
/// The ratings the signed-in rater made themselves (not the paper ratings a coordinator entered in their name, which the
/// coordinator corrects), newest first, with the corrections they made of them, for the rater's "my ratings" page. Each
/// is named by an <see cref="RaterRatingView.Address"/> made of what the rater knows (the trial and when they rated),
/// never by the participant's study id (a randomized participant's leaves the rater's queue) nor by the rating's
/// sequence number (it tells a blind rater how many ratings came before theirs).
/// </summary>
public sealed record GetRaterRatings : IQuery<IReadOnlyList<RaterRatingView>>;

/// <param name="Address">The trial, the rating's instant (UTC ticks) and its place among this rater's ratings made in that
/// same instant in that trial (0 but in seeded data): <c>trial.ticks.k</c>.</param>
/// <param name="Site">The case's site, age and severity: its material as the queue listed it when the rater rated it.</param>
/// <param name="Corrections">This rater's own corrections of the rating, oldest first, with the target named <c>rating</c>.</param>
public sealed record RaterRatingView(
    string Address, string TrialId, string Site, int AgeYears, int Severity, DateTimeOffset RatedAt, bool Consensus,
    FormulationScores Scores, Formulation? Primary, string? Rationale, IReadOnlyList<CorrectionView> Corrections);

/// <summary>Which participant and rating number an address of the rater's own names: for the page's correction, never shown.</summary>
public sealed record FindRaterRating(string? Address) : IQuery<RaterRatingTarget>;

public sealed record RaterRatingTarget(string ParticipantId, int Number);

internal static class RaterRatings
{
    /// <summary>The rater's own self-made ratings of participants of the sites the key may see, with their addresses.</summary>
    public static async Task<List<(Participant Participant, FormulationRating Rating, string Address)>> LoadAsync(
        TrialDbContext db, Actor actor, CancellationToken cancellationToken)
    {
        if (actor.Role != Roles.Rater)
        {
            throw new ForbiddenException("Only a rater lists and corrects their own ratings here.");
        }

        var me = actor.Name;
        var participants = await db.Participants.AsNoTracking()
            .Where(p => p.Ratings.Any(r => r.Rater == me && r.EnteredBy == null)).ToListAsync(cancellationToken);
        // Ordered here (SQLite cannot order by a DateTimeOffset); the place within one instant counts every own rating,
        // visible or not, so an address keeps naming the same rating.
        var own = participants
            .SelectMany(p => p.Ratings.Where(r => r.Rater == me && r.EnteredBy is null).Select(r => (Participant: p, Rating: r)))
            .OrderBy(x => x.Rating.RatedAt.UtcTicks).ThenBy(x => x.Participant.Id, StringComparer.Ordinal).ThenBy(x => x.Rating.Number)
            .GroupBy(x => (x.Participant.TrialId, x.Rating.RatedAt.UtcTicks))
            .SelectMany(g => g.Select((x, k) => (x.Participant, x.Rating,
                Address: string.Create(CultureInfo.InvariantCulture, $"{g.Key.TrialId}.{g.Key.UtcTicks}.{k}"))));
        return [.. own.Where(x => actor.MaySeeSite(x.Participant.Site))];
    }
}

public sealed class GetRaterRatingsHandler(TrialDbContext db, IActorAccessor actors) : IQueryHandler<GetRaterRatings, IReadOnlyList<RaterRatingView>>
{
    public async ValueTask<IReadOnlyList<RaterRatingView>> Handle(GetRaterRatings query, CancellationToken cancellationToken)
    {
        var actor = actors.Current;
        var own = await RaterRatings.LoadAsync(db, actor, cancellationToken);
        var ids = own.Select(x => x.Participant.Id).Distinct().ToList();
        // Only the rater's own corrections: a reason is free text, and another person's may name what a blind rater must not learn.
        var corrections = (await db.Corrections.AsNoTracking()
                .Where(c => c.CorrectedBy == actor.Name && ids.Contains(c.ParticipantId) && c.Target.StartsWith("rating:"))
                .ToListAsync(cancellationToken))
            .ToLookup(c => (c.ParticipantId, c.Target));
        return
        [
            .. own.OrderByDescending(x => x.Rating.RatedAt.UtcTicks).ThenByDescending(x => x.Address, StringComparer.Ordinal).Select(x => new RaterRatingView(
                x.Address, x.Participant.TrialId, x.Participant.Site, x.Participant.AgeYears, x.Participant.Severity, x.Rating.RatedAt,
                x.Rating.Consensus, x.Rating.Scores, x.Rating.Primary, x.Rating.Rationale,
                [.. corrections[(x.Participant.Id, $"rating:{x.Rating.Number.ToString(CultureInfo.InvariantCulture)}")]
                    .OrderBy(c => c.CorrectedAt.UtcTicks).Select(c => CorrectionView.From(c) with { Target = "rating" })])),
        ];
    }
}

public sealed class FindRaterRatingHandler(TrialDbContext db, IActorAccessor actors) : IQueryHandler<FindRaterRating, RaterRatingTarget>
{
    public async ValueTask<RaterRatingTarget> Handle(FindRaterRating query, CancellationToken cancellationToken)
    {
        var own = await RaterRatings.LoadAsync(db, actors.Current, cancellationToken);
        // Another rater's rating, a paper rating entered in this rater's name, or one of another site: the same answer.
        var found = own.FirstOrDefault(x => x.Address == query.Address);
        return found.Rating is { } rating
            ? new RaterRatingTarget(found.Participant.Id, rating.Number)
            : throw new NotFoundException("That is not one of your ratings; nothing was corrected.");
    }
}
