using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Common;
using TrialManager.Domain.Statistics;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Statistics;

/// <summary>
/// GET /api/trials/{id}/reliability: how reliably the formulation (what the trial randomizes on) is rated. Cohen's
/// kappa between the first two independent ratings (the original four fields), Fleiss' kappa and Krippendorff's
/// alpha over every independent rating, ICC(1,1) with its 95% interval per factor score, each rater's agreement
/// with consensus, and the first-two agreement by month. Consensus ratings and ratings made after allocation
/// (unblinded) enter no figure: see <see cref="FormulationAgreement"/>.
/// </summary>
public sealed record GetReliability(string TrialId) : IQuery<ReliabilityView>;

public sealed record ReliabilityView(
    double? Kappa, double? StandardError, int N, double? Agreement, string? Note,
    double? FleissKappa, double? KrippendorffAlpha, int Subjects, long IndependentRatings,
    IReadOnlyDictionary<string, IccView> Icc, IReadOnlyList<RaterReliabilityView> Raters, IReadOnlyList<MonthlyAgreement> ByMonth);

/// <param name="N">Participants with two independent ratings (the pairs the ICC is computed over).</param>
public sealed record IccView(double? Value, double? Lower, double? Upper, int N, string? Note);

public sealed record RaterReliabilityView(string Rater, int N, int ConsensusCases, double? AgreementWithConsensus);

public sealed class GetReliabilityHandler(TrialDbContext db) : IQueryHandler<GetReliability, ReliabilityView>
{
    public async ValueTask<ReliabilityView> Handle(GetReliability query, CancellationToken cancellationToken)
    {
        await db.EnsureTrialExistsAsync(query.TrialId, cancellationToken);

        var cases = await db.Participants.AsNoTracking()
            .Where(p => p.TrialId == query.TrialId && p.Ratings.Any())
            .Select(p => new { p.Ratings, p.RandomizedAt })
            .ToListAsync(cancellationToken);
        var report = FormulationAgreement.Compute(cases.Select(c => new RatedCase(c.Ratings, c.RandomizedAt)));

        var cohen = report.Cohen;
        return new ReliabilityView(
            cohen.Kappa, cohen.StandardError, cohen.N, cohen.Agreement, cohen.UndefinedReason,
            report.Fleiss.Value, report.Krippendorff.Value, report.Fleiss.Subjects, report.Fleiss.Ratings,
            report.Icc.ToDictionary(
                i => i.Key.Wire(),
                i => new IccView(i.Value.Value, i.Value.Lower, i.Value.Upper, i.Value.Subjects, i.Value.UndefinedReason)),
            [.. report.Raters.Select(r => new RaterReliabilityView(r.Rater, r.Ratings, r.ConsensusCases, r.AgreementWithConsensus))],
            report.ByMonth);
    }
}
