using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Statistics;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Features.Participants;
using TrialManager.Server.Security;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Raters;

/// <summary>
/// GET /api/raters/me/queue: the cases waiting for this rater, in the trials where the rater's rating counts (recruiting
/// or paused; certified there, or the trial certifies nobody), of the sites the key may see. A case waits for an
/// independent rating when it has none yet, or when it was drawn for double rating and another rater gave the first;
/// it waits for a consensus when this rater's rating and another's disagree.
/// </summary>
public sealed record GetRaterQueue : IQuery<IReadOnlyList<RaterCaseView>>;

public sealed class GetRaterQueueHandler(TrialDbContext db, IActorAccessor actors) : IQueryHandler<GetRaterQueue, IReadOnlyList<RaterCaseView>>
{
    public async ValueTask<IReadOnlyList<RaterCaseView>> Handle(GetRaterQueue query, CancellationToken cancellationToken)
    {
        var actor = actors.Current;
        var me = actor.Name;
        var open = await db.Trials.AsNoTracking()
            .Where(t => t.Status == TrialStatus.Recruiting || t.Status == TrialStatus.Paused).ToListAsync(cancellationToken);
        var trialIds = new List<string>();
        foreach (var trial in open)
        {
            if (!await Certifications.RequiredAsync(db, trial, cancellationToken)
                || (await Certifications.StatusAsync(db, trial, me, cancellationToken)).Certified)
            {
                trialIds.Add(trial.Id);
            }
        }

        var candidates = await db.Participants.AsNoTracking()
            .Where(p => trialIds.Contains(p.TrialId)
                        && (p.Status == ParticipantStatus.Consented || p.Status == ParticipantStatus.FormulationPending))
            .ToListAsync(cancellationToken);

        var queue = new List<RaterCaseView>();
        // Oldest first, ordered here: SQLite cannot order by a DateTimeOffset.
        foreach (var p in candidates.Where(p => actor.MaySeeSite(p.Site)).OrderBy(p => p.ScreenedAt).ThenBy(p => p.Id, StringComparer.Ordinal))
        {
            var independent = p.Ratings.Where(r => !r.Consensus).ToList();
            var ratedByMe = independent.Exists(r => r.Rater == me);
            var task = p.Status switch
            {
                ParticipantStatus.Consented when p.Ratings.Count == 0 => "rating",
                ParticipantStatus.FormulationPending when p.AwaitingFormulation == FormulationAwaiting.SecondRating && !ratedByMe => "rating",
                ParticipantStatus.FormulationPending when p.AwaitingFormulation == FormulationAwaiting.Consensus && ratedByMe => "consensus",
                _ => null,
            };
            if (task is not null)
            {
                queue.Add(RaterCaseView.From(p, me, task));
            }
        }

        return queue;
    }
}

/// <summary>GET /api/trials/{trialId}/raters: each rater's certification, practice, ratings made and agreement with consensus.</summary>
public sealed record GetTrialRaters(string TrialId) : IQuery<TrialRatersView>;

/// <param name="CertificationRequired">False for a trial without reference cases: every rater's rating counts.</param>
public sealed record TrialRatersView(bool CertificationRequired, CertificationRule? Certification, int ReferenceCases, IReadOnlyList<TrialRaterView> Raters);

/// <param name="Ratings">Independent blinded ratings of this trial's participants (those that enter agreement figures).</param>
public sealed record TrialRaterView(
    string Rater, bool Certified, RaterCertificationStatus Practice, int Ratings, int ConsensusCases, double? AgreementWithConsensus);

public sealed class GetTrialRatersHandler(TrialDbContext db) : IQueryHandler<GetTrialRaters, TrialRatersView>
{
    public async ValueTask<TrialRatersView> Handle(GetTrialRaters query, CancellationToken cancellationToken)
    {
        var trial = await db.LoadTrialAsync(query.TrialId, cancellationToken);
        var rule = trial.Definition.FormulationRule.Certification;
        var referenceCases = await db.ReferenceCases.CountAsync(c => c.TrialId == trial.Id, cancellationToken);
        var required = rule is not null && referenceCases > 0;

        var practice = (await db.PracticeRatings.AsNoTracking().Where(r => r.TrialId == trial.Id)
                .Select(r => new { r.Rater, r.Agreed }).ToListAsync(cancellationToken))
            .GroupBy(r => r.Rater, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyCollection<bool>)[.. g.Select(r => r.Agreed)], StringComparer.Ordinal);
        var cases = await db.Participants.AsNoTracking()
            .Where(p => p.TrialId == trial.Id && p.Ratings.Any())
            .Select(p => new { p.Ratings, p.RandomizedAt })
            .ToListAsync(cancellationToken);
        var agreement = FormulationAgreement.Compute(cases.Select(c => new RatedCase(c.Ratings, c.RandomizedAt)))
            .Raters.ToDictionary(r => r.Rater, StringComparer.Ordinal);

        var raters = practice.Keys.Union(agreement.Keys).Order(StringComparer.Ordinal).Select(rater =>
        {
            var status = RaterCertification.Evaluate(practice.GetValueOrDefault(rater) ?? [], rule ?? new CertificationRule(1, 1));
            var made = agreement.GetValueOrDefault(rater);
            return new TrialRaterView(rater, !required || status.Certified, status, made?.Ratings ?? 0, made?.ConsensusCases ?? 0, made?.AgreementWithConsensus);
        });
        return new TrialRatersView(required, rule, referenceCases, [.. raters]);
    }
}

/// <summary>
/// GET /api/trials/{trialId}/double-ratings: which participants were drawn for a second independent rating, and why: each
/// one's draw (HMAC-SHA256 of the trial's seed over the study id, as a fraction) fell below the share. A statistician
/// can recompute every draw from the seed in the randomization plan.
/// </summary>
public sealed record GetDoubleRatings(string TrialId) : IQuery<DoubleRatingsView>;

public sealed record DoubleRatingsView(double? Share, string Rule, IReadOnlyList<DoubleRatedView> Participants);

/// <param name="Awaiting"><c>secondRating</c> or <c>consensus</c> while the formulation is pending; null otherwise.</param>
/// <param name="DecidingRating">The number of the rating that decided the primary formulation.</param>
public sealed record DoubleRatedView(string ParticipantId, double Draw, ParticipantStatus Status, int IndependentRatings, FormulationAwaiting? Awaiting, int? DecidingRating);

public sealed class GetDoubleRatingsHandler(TrialDbContext db) : IQueryHandler<GetDoubleRatings, DoubleRatingsView>
{
    public async ValueTask<DoubleRatingsView> Handle(GetDoubleRatings query, CancellationToken cancellationToken)
    {
        var trial = await db.LoadTrialAsync(query.TrialId, cancellationToken);
        var share = trial.Definition.FormulationRule.DoubleRating?.Share;
        const string rule = "drawn when HMAC-SHA256(key: the trial's seed, message: the key derivation's message for \"double-rating/\" + " +
                            "study id), its first 53 bits as a fraction of 2^53, is below the share";
        if (share is not { } s)
        {
            return new DoubleRatingsView(null, rule, []);
        }

        var derivation = trial.Derivation();
        var participants = await db.Participants.AsNoTracking()
            .Where(p => p.TrialId == trial.Id && p.Status != ParticipantStatus.ScreenFailed)
            .ToListAsync(cancellationToken);
        var drawn = participants.OrderBy(p => p.ScreenedAt).ThenBy(p => p.Id, StringComparer.Ordinal)
            .Select(p => (Participant: p, Draw: DoubleRating.Draw(trial.Seed, derivation, p.Id)))
            .Where(d => d.Draw < s)
            .Select(d => new DoubleRatedView(
                d.Participant.Id, d.Draw, d.Participant.Status, d.Participant.Ratings.Count(r => !r.Consensus),
                d.Participant.Status == ParticipantStatus.FormulationPending ? d.Participant.AwaitingFormulation : null,
                d.Participant.DecidingRating));
        return new DoubleRatingsView(s, rule, [.. drawn]);
    }
}
