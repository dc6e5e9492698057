using System.Globalization;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Instruments;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Instruments;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;
using TrialManager.Server.Features.Participants;

namespace TrialManager.Server.Features.Raters;

/// <summary>
/// GET /api/raters/me/ratings: the formulation ratings the signed-in rater made themselves (not the paper ratings a
/// coordinator entered in their name), newest first, each with the correction target (<c>rating:N</c>) a rater needs for
/// <c>POST /api/participants/{id}/corrections</c>. It carries what the rater's queue showed and what they entered:
/// never the participant's status, the decided formulation, another rater's rating, or anything of the allocation.
/// The number N counts the participant's ratings up to this one; the rater learns it only after rating, so it cannot
/// sway the rating, and it says nothing of the arm.
/// </summary>
public sealed record GetMyRatings : IQuery<IReadOnlyList<MyRatingView>>;

/// <param name="Target">The correction target of this rating: <c>rating:N</c>.</param>
/// <param name="Primary">What this rating's own scores give under the trial's margin (as the rating's answer said), not the decided formulation.</param>
/// <param name="Corrections">This rater's own corrections of the rating, oldest first (another person's reason may name what a blind rater must not learn).</param>
public sealed record MyRatingView(
    string ParticipantId, string TrialId, string Target, bool Consensus, FormulationScores Scores, Formulation? Primary, string? Rationale,
    DateTimeOffset RatedAt, IReadOnlyList<CorrectionView> Corrections)
{
    /// <summary>Newest first, then by study id and number: the list's keyset order.</summary>
    public static string KeyOf(MyRatingView r) =>
        string.Create(CultureInfo.InvariantCulture, $"{long.MaxValue - r.RatedAt.UtcTicks:D19}|{r.ParticipantId}|{r.Target}");
}

/// <summary>
/// GET /api/raters/me/fidelity-ratings: the fidelity forms the signed-in rater recorded, newest first, each with its
/// correction target (<c>measure:{id}</c>): a rater cannot read a participant's measures, so this is where they find
/// it. Only what the rater typed (study id, session, form, date, answers) and when: no score (the forms score nothing;
/// differentiation is computed from the item tags, never shown), no therapist, no arm.
/// </summary>
public sealed record GetMyFidelityRatings : IQuery<IReadOnlyList<MyFidelityRatingView>>;

/// <param name="Target">The correction target of this rating: <c>measure:{id}</c>.</param>
/// <param name="Items">The answers as they stand (corrections applied), by item id.</param>
/// <param name="Corrections">This rater's own corrections of the measure, oldest first.</param>
public sealed record MyFidelityRatingView(
    string ParticipantId, string TrialId, string Target, string Instrument, string Version, int? Session, DateOnly CompletedOn,
    IReadOnlyDictionary<string, int> Items, DateTimeOffset RecordedAt, IReadOnlyList<CorrectionView> Corrections)
{
    /// <summary>Newest first, then by target: the list's keyset order.</summary>
    public static string KeyOf(MyFidelityRatingView r) => string.Create(CultureInfo.InvariantCulture, $"{long.MaxValue - r.RecordedAt.UtcTicks:D19}|{r.Target}");
}

public sealed class GetMyRatingsHandler(TrialDbContext db, IActorAccessor actors) : IQueryHandler<GetMyRatings, IReadOnlyList<MyRatingView>>
{
    public async ValueTask<IReadOnlyList<MyRatingView>> Handle(GetMyRatings query, CancellationToken cancellationToken)
    {
        var actor = actors.Current;
        var own = await RaterRatings.LoadAsync(db, actor, cancellationToken);
        var ids = own.Select(x => x.Participant.Id).Distinct().ToList();
        var corrections = (await db.Corrections.AsNoTracking()
                .Where(c => c.CorrectedBy == actor.Name && ids.Contains(c.ParticipantId) && c.Target.StartsWith("rating:"))
                .ToListAsync(cancellationToken))
            .ToLookup(c => (c.ParticipantId, c.Target));
        return
        [
            .. own.Select(x =>
            {
                var target = string.Create(CultureInfo.InvariantCulture, $"rating:{x.Rating.Number}");
                return new MyRatingView(
                    x.Participant.Id, x.Participant.TrialId, target, x.Rating.Consensus, x.Rating.Scores, x.Rating.Primary, x.Rating.Rationale,
                    x.Rating.RatedAt, [.. corrections[(x.Participant.Id, target)].OrderBy(c => c.CorrectedAt.UtcTicks).Select(CorrectionView.From)]);
            }),
        ];
    }
}

public sealed class GetMyFidelityRatingsHandler(TrialDbContext db, InstrumentCatalogue catalogue, IActorAccessor actors)
    : IQueryHandler<GetMyFidelityRatings, IReadOnlyList<MyFidelityRatingView>>
{
    public async ValueTask<IReadOnlyList<MyFidelityRatingView>> Handle(GetMyFidelityRatings query, CancellationToken cancellationToken)
    {
        var actor = actors.Current;
        if (actor.Role != Roles.Rater)
        {
            throw new ForbiddenException("Only a rater lists the fidelity ratings they recorded here.");
        }

        var me = actor.Name;
        var forms = catalogue.All.Where(i => i.Definition.Respondent == InstrumentRespondent.Rater).Select(i => i.Definition.Code).Distinct().ToList();
        var measures = await db.Measures.AsNoTracking()
            .Where(m => m.RecordedBy == me && forms.Contains(m.Instrument))
            .Join(db.Participants, m => m.ParticipantId, p => p.Id, (m, p) => new { Measure = m, p.Site })
            .ToListAsync(cancellationToken);
        var visible = measures.Where(x => actor.MaySeeSite(x.Site)).Select(x => x.Measure).ToList();
        var corrections = (await db.Corrections.AsNoTracking()
                .Where(c => c.CorrectedBy == me && c.Target.StartsWith("measure:"))
                .ToListAsync(cancellationToken))
            .ToLookup(c => c.Target);
        return
        [
            .. visible.Select(m =>
            {
                var target = $"measure:{m.Id:D}";
                return new MyFidelityRatingView(
                    m.ParticipantId, m.TrialId, target, m.Instrument, m.Version, m.Session, m.CompletedOn, m.Answers, m.RecordedAt,
                    [.. corrections[target].OrderBy(c => c.CorrectedAt.UtcTicks).Select(CorrectionView.From)]);
            }),
        ];
    }
}
