using TrialManager.Domain.Common;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Therapy;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Features.Participants;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Therapy;

/// <summary>
/// GET /api/trials/{trialId}/caseloads (admin, statistician): each therapist's participants by arm, and whether
/// therapists are nested in arms or crossed with them, as registered and as it turned out; the analysis model
/// (therapist as a random effect within or across arms) depends on it.
/// </summary>
public sealed record GetCaseloads(string TrialId) : IQuery<CaseloadsView>;

public sealed record CaseloadsView(TherapistDesign Design, TherapistDesign ObservedDesign, IReadOnlyList<TherapistCaseload> Therapists);

public sealed record TherapistCaseload(string Code, string Site, IReadOnlyList<string> Arms, IReadOnlyDictionary<string, int> Caseload);

public sealed class GetCaseloadsHandler(TrialDbContext db) : IQueryHandler<GetCaseloads, CaseloadsView>
{
    public async ValueTask<CaseloadsView> Handle(GetCaseloads query, CancellationToken cancellationToken)
    {
        var trial = await db.LoadTrialAsync(query.TrialId, cancellationToken);
        var arms = trial.Definition.Arms.Select(a => a.Code).ToList();
        var therapists = await db.Therapists.AsNoTracking().Where(t => t.TrialId == trial.Id).ToListAsync(cancellationToken);

        // Participants per (therapist, arm), in one grouped query.
        var counts = await (
                from p in db.Participants.AsNoTracking().Where(p => p.TrialId == trial.Id && p.TherapistCode != null)
                join a in db.Allocations.AsNoTracking() on p.Id equals a.ParticipantId
                group p by new { p.TherapistCode, a.Arm } into g
                select new { Therapist = g.Key.TherapistCode!, g.Key.Arm, Count = g.Count() })
            .ToListAsync(cancellationToken);

        var rows = therapists.OrderBy(t => t.Code, StringComparer.Ordinal).Select(t => new TherapistCaseload(
                t.Code, t.Site, [.. t.Arms.Select(a => a.Wire())],
                arms.ToDictionary(a => a.Wire(), a => counts.Where(c => c.Therapist == t.Code && c.Arm == a).Sum(c => c.Count))))
            .ToList();
        var registered = TherapistDesigns.Classify([.. therapists.Select(t => (IReadOnlyCollection<ArmCode>)t.Arms)], arms.Count);
        var observed = TherapistDesigns.Classify(
            [.. therapists.Select(t => (IReadOnlyCollection<ArmCode>)[.. counts.Where(c => c.Therapist == t.Code && c.Count > 0).Select(c => c.Arm)])], arms.Count);
        return new CaseloadsView(registered, observed, rows);
    }
}
