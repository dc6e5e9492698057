using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Common;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Statistics;

/// <summary>GET /api/trials/{id}/consort: the counts of the CONSORT flow diagram, from the records.</summary>
public sealed record GetConsort(string TrialId) : IQuery<ConsortView>;

/// <param name="Assessed">Everyone screened.</param>
/// <param name="Excluded">Everyone who left before randomization, by reason (their status at exit).</param>
/// <param name="AwaitingRandomization">Still in the pipeline: eligible, consented or being formulated.</param>
/// <param name="StoppedTreatment">Per arm: therapy stopped (a treatment stop), whatever happened next; still followed up.</param>
/// <param name="LostToFollowUp">Per arm: withdrawn after allocation with the category lostToFollowUp.</param>
/// <param name="Analysed">
/// Per arm, intention to treat: every allocated participant whose data collection has not ended, i.e. all but those lost
/// to follow-up or who withdrew consent (a treatment stop keeps them in).
/// </param>
public sealed record ConsortView(
    int Assessed,
    ConsortExclusions Excluded,
    int AwaitingRandomization,
    int Randomized,
    IReadOnlyDictionary<string, int> Allocated,
    IReadOnlyDictionary<string, int> Withdrawn,
    IReadOnlyDictionary<string, int> Completed,
    IReadOnlyDictionary<string, int> StoppedTreatment,
    IReadOnlyDictionary<string, int> LostToFollowUp,
    IReadOnlyDictionary<string, int> Analysed,
    ConsortFormulation Formulation,
    ConsortNotes Notes);

/// <param name="MisStratified">Allocated participants whose stratification variable was corrected later (allocation and stratum stand).</param>
/// <param name="IneligibleAfterRandomization">Allocated participants whose corrected answers fail a criterion; analysed as allocated.</param>
public sealed record ConsortNotes(int MisStratified, int IneligibleAfterRandomization);

/// <param name="PendingSecondRating">Drawn for double rating, waiting for the second independent rating.</param>
/// <param name="PendingConsensus">Waiting for a consensus rating (the two raters disagreed, or the rating was indeterminate).</param>
/// <param name="ExcludedByFormulation">Excluded because the decided primary formulation is not among the trial's.</param>
public sealed record ConsortFormulation(int PendingSecondRating, int PendingConsensus, int ExcludedByFormulation);

public sealed record ConsortExclusions(int Total, IReadOnlyDictionary<string, int> Reasons);

public sealed class GetConsortHandler(TrialDbContext db) : IQueryHandler<GetConsort, ConsortView>
{
    public async ValueTask<ConsortView> Handle(GetConsort query, CancellationToken cancellationToken)
    {
        var trial = await db.ReadTrialAsync(query.TrialId, cancellationToken);
        var arms = trial.Definition.Arms.Select(a => a.Code).ToArray();

        // Participants by (status, allocated arm or none), in one grouped query.
        var rows = await (
                from p in db.Participants.AsNoTracking().Where(p => p.TrialId == query.TrialId)
                join a in db.Allocations.AsNoTracking() on p.Id equals a.ParticipantId into allocation
                from a in allocation.DefaultIfEmpty()
                group p by new { p.Status, Arm = (ArmCode?)a.Arm, Stopped = p.TreatmentStoppedAt != null, p.WithdrawalCategory } into g
                select new { g.Key.Status, g.Key.Arm, g.Key.Stopped, g.Key.WithdrawalCategory, Count = g.Count() })
            .ToListAsync(cancellationToken);

        int Count(Func<ParticipantStatus, ArmCode?, bool> predicate) => rows.Where(r => predicate(r.Status, r.Arm)).Sum(r => r.Count);
        Dictionary<string, int> ByArm(Func<ParticipantStatus, bool> status) =>
            arms.ToDictionary(a => a.Wire(), a => Count((s, arm) => status(s) && arm == a));
        Dictionary<string, int> ByArmWhere(Func<ParticipantStatus, bool, WithdrawalCategory?, bool> predicate) =>
            arms.ToDictionary(a => a.Wire(), a => rows.Where(r => r.Arm == a && predicate(r.Status, r.Stopped, r.WithdrawalCategory)).Sum(r => r.Count));
        static bool Left(ParticipantStatus s, WithdrawalCategory? c) =>
            s == ParticipantStatus.Withdrawn && c is WithdrawalCategory.LostToFollowUp or WithdrawalCategory.WithdrewConsent;

        var pending = await db.Participants.AsNoTracking()
            .Where(p => p.TrialId == query.TrialId && p.Status == ParticipantStatus.FormulationPending)
            .GroupBy(p => p.AwaitingFormulation)
            .Select(g => new { Awaiting = g.Key, Count = g.Count() })
            .ToListAsync(cancellationToken);
        int Pending(FormulationAwaiting awaiting) => pending.Where(p => p.Awaiting == awaiting).Sum(p => p.Count);

        // Pooled over arms: a note on data quality, readable by everyone who reads the flow.
        var notes = await db.Participants.AsNoTracking()
            .Where(p => p.TrialId == query.TrialId && (p.MisStratified || p.IneligibleAfterRandomization))
            .Select(p => new { p.MisStratified, p.IneligibleAfterRandomization })
            .ToListAsync(cancellationToken);

        var reasons = new Dictionary<string, int>
        {
            ["screenFailed"] = Count((s, _) => s == ParticipantStatus.ScreenFailed),
            ["declined"] = Count((s, _) => s == ParticipantStatus.Declined),
            ["excluded"] = Count((s, _) => s == ParticipantStatus.Excluded),
            ["ineligible"] = Count((s, _) => s == ParticipantStatus.Ineligible),
            ["withdrawn"] = Count((s, arm) => s == ParticipantStatus.Withdrawn && arm is null),
        };
        return new ConsortView(
            Assessed: rows.Sum(r => r.Count),
            Excluded: new ConsortExclusions(reasons.Values.Sum(), reasons),
            AwaitingRandomization: Count((s, _) => s is ParticipantStatus.Eligible or ParticipantStatus.Consented
                or ParticipantStatus.FormulationPending or ParticipantStatus.Formulated),
            Randomized: Count((_, arm) => arm is not null),
            Allocated: ByArm(_ => true),
            Withdrawn: ByArm(s => s == ParticipantStatus.Withdrawn),
            Completed: ByArm(s => s == ParticipantStatus.Completed),
            StoppedTreatment: ByArmWhere((_, stopped, _) => stopped),
            LostToFollowUp: ByArmWhere((s, _, c) => s == ParticipantStatus.Withdrawn && c == WithdrawalCategory.LostToFollowUp),
            Analysed: ByArmWhere((s, _, c) => !Left(s, c)),
            Formulation: new ConsortFormulation(
                Pending(FormulationAwaiting.SecondRating), Pending(FormulationAwaiting.Consensus), Count((s, _) => s == ParticipantStatus.Excluded)),
            Notes: new ConsortNotes(notes.Count(n => n.MisStratified), notes.Count(n => n.IneligibleAfterRandomization)));
    }
}
