using System.Globalization;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Common;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Raters;

/// <summary>Whether a rater's rating may count toward a trial's primary formulation.</summary>
internal static class Certifications
{
    /// <summary>A trial with reference cases (and a certification rule) certifies its raters; one without needs none.</summary>
    public static async Task<bool> RequiredAsync(TrialDbContext db, Trial trial, CancellationToken cancellationToken) =>
        trial.Definition.FormulationRule.Certification is not null
        && await db.ReferenceCases.AnyAsync(c => c.TrialId == trial.Id, cancellationToken);

    public static async Task<RaterCertificationStatus> StatusAsync(TrialDbContext db, Trial trial, string rater, CancellationToken cancellationToken)
    {
        var agreed = await db.PracticeRatings.AsNoTracking()
            .Where(r => r.TrialId == trial.Id && r.Rater == rater).Select(r => r.Agreed).ToListAsync(cancellationToken);
        return RaterCertification.Evaluate(agreed, trial.Definition.FormulationRule.Certification ?? new CertificationRule(1, 1));
    }

    /// <summary>
    /// Refuses (409) a rating by an uncertified rater in a trial that certifies: it is not kept, so every stored rating
    /// of such a trial counts, and the rater learns what is missing.
    /// </summary>
    public static async Task EnsureMayRateAsync(TrialDbContext db, Trial trial, string rater, CancellationToken cancellationToken)
    {
        if (!await RequiredAsync(db, trial, cancellationToken))
        {
            return;
        }

        var status = await StatusAsync(db, trial, rater, cancellationToken);
        if (!status.Certified)
        {
            var rule = trial.Definition.FormulationRule.Certification!;
            throw new WorkflowConflictException(string.Create(CultureInfo.InvariantCulture,
                $"Rater {rater} is not certified for trial {trial.Id}: {status.Agreed} of {status.Cases} practised reference cases agreed with the experts; certification needs an agreement of at least {rule.MinAgreement:0.###} over at least {rule.MinCases} cases. In a trial with reference cases only certified raters' ratings count toward the primary formulation."));
        }
    }
}
