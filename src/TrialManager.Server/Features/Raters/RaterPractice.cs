using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Raters;

/// <summary>
/// The practice page's view for the signed-in rater: each open trial that certifies on reference cases, the rater's own
/// certification status there and the cases (material only) with the outcome of the rater's own practice rating.
/// Nothing of the experts' answer and nothing of other raters.
/// </summary>
public sealed record GetRaterPractice : IQuery<IReadOnlyList<PracticeTrialView>>;

public sealed record PracticeTrialView(string TrialId, string Title, CertificationRule Rule, RaterCertificationStatus Status, IReadOnlyList<PracticeCaseView> Cases);

/// <param name="Agreed">The outcome the rater was told when practising (null: not practised yet).</param>
public sealed record PracticeCaseView(string Code, string Material, bool? Agreed);

public sealed class GetRaterPracticeHandler(TrialDbContext db, IActorAccessor actors) : IQueryHandler<GetRaterPractice, IReadOnlyList<PracticeTrialView>>
{
    public async ValueTask<IReadOnlyList<PracticeTrialView>> Handle(GetRaterPractice query, CancellationToken cancellationToken)
    {
        var me = actors.Current.Name;
        // Certification may come before recruitment opens, so a draft trial is listed; a closed one needs no more raters.
        var trials = await db.Trials.AsNoTracking().Where(t => t.Status != TrialStatus.Closed).ToListAsync(cancellationToken);
        var ids = trials.Where(t => t.Definition.FormulationRule.Certification is not null).Select(t => t.Id).ToList();
        var cases = await db.ReferenceCases.AsNoTracking().Where(c => ids.Contains(c.TrialId)).ToListAsync(cancellationToken);
        var mine = await db.PracticeRatings.AsNoTracking().Where(r => ids.Contains(r.TrialId) && r.Rater == me).ToListAsync(cancellationToken);

        var views = new List<PracticeTrialView>();
        foreach (var trial in trials.Where(t => cases.Exists(c => c.TrialId == t.Id)).OrderBy(t => t.Id, StringComparer.Ordinal))
        {
            var rule = trial.Definition.FormulationRule.Certification!;
            var own = mine.Where(r => r.TrialId == trial.Id).ToList();
            views.Add(new PracticeTrialView(trial.Id, trial.Definition.Title, rule,
                RaterCertification.Evaluate([.. own.Select(r => r.Agreed)], rule),
                [.. cases.Where(c => c.TrialId == trial.Id).OrderBy(c => c.Code, StringComparer.Ordinal)
                    .Select(c => new PracticeCaseView(c.Code, c.Material, own.Find(r => r.CaseCode == c.Code)?.Agreed))]));
        }

        return views;
    }
}
