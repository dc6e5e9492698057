using TrialManager.Domain.Common;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Trials;

namespace TrialManager.Domain.Statistics;

/// <summary>One participant's formulation ratings, with when (if ever) the participant was allocated.</summary>
public sealed record RatedCase(IReadOnlyList<FormulationRating> Ratings, DateTimeOffset? RandomizedAt);

/// <summary>
/// The reliability of the formulation, the measurement the trial randomizes on. Only independent ratings count:
/// never a consensus rating (it is not independent of the ratings it settles), and never a rating made after the
/// participant's allocation (the rater may have known the arm: kept and marked unblinded, left out here).
/// Raters differ between participants, so the pooled statistics are those that do not assume one fixed pair of
/// raters: Fleiss' kappa and Krippendorff's alpha over every independent rating (one per rater and participant),
/// and ICC(1,1) per factor score over the first two. Cohen's kappa of the first two is kept for continuity.
/// An indeterminate primary formulation is a category of its own.
/// </summary>
public static class FormulationAgreement
{
    public const string Indeterminate = "indeterminate";

    public static FormulationAgreementReport Compute(IEnumerable<RatedCase> cases)
    {
        ArgumentNullException.ThrowIfNull(cases);
        var independentPerCase = new List<IReadOnlyList<FormulationRating>>();
        var consensusPerCase = new List<(IReadOnlyList<FormulationRating> Independent, Formulation? Consensus)>();
        foreach (var rated in cases)
        {
            var independent = Independent(rated);
            independentPerCase.Add(independent);
            var consensus = rated.Ratings.LastOrDefault(r => r.Consensus);
            if (consensus is not null)
            {
                consensusPerCase.Add((independent, consensus.Primary));
            }
        }

        var pairs = independentPerCase.Where(r => r.Count >= 2).Select(r => (First: r[0], Second: r[1])).ToList();
        var cohen = CohensKappa.Compute(pairs.Select(p => (Category(p.First), Category(p.Second))));
        var nominal = independentPerCase.Select(r => (IReadOnlyList<string>)[.. r.Select(Category)]).ToList();
        var icc = Enum.GetValues<Formulation>().ToDictionary(
            factor => factor,
            factor => IntraclassCorrelation.OneWayRandomSingle([.. pairs.Select(p => (IReadOnlyList<double>)[p.First.Scores[factor], p.Second.Scores[factor]])]));

        return new FormulationAgreementReport(
            cohen,
            FleissKappa.Compute(nominal),
            KrippendorffAlpha.Nominal(nominal),
            icc,
            Raters(independentPerCase, consensusPerCase),
            ByMonth(pairs));
    }

    /// <summary>
    /// The ratings that enter agreement: not consensus, made before allocation, the first of each rater, in order.
    /// </summary>
    public static IReadOnlyList<FormulationRating> Independent(RatedCase rated)
    {
        ArgumentNullException.ThrowIfNull(rated);
        var independent = new List<FormulationRating>(rated.Ratings.Count);
        foreach (var rating in rated.Ratings.OrderBy(r => r.Number))
        {
            // A handful of ratings per participant: a linear look-up beats a set.
            if (!rating.Consensus && IsBlind(rating, rated.RandomizedAt) && !independent.Exists(r => r.Rater == rating.Rater))
            {
                independent.Add(rating);
            }
        }

        return independent;
    }

    /// <summary>Whether a rating was made before the participant's allocation (so blind to the arm).</summary>
    public static bool IsBlind(FormulationRating rating, DateTimeOffset? randomizedAt) =>
        randomizedAt is null || rating.RatedAt < randomizedAt.Value;

    public static string Category(FormulationRating rating) => rating.Primary?.Wire() ?? Indeterminate;

    private static IReadOnlyList<RaterAgreement> Raters(
        List<IReadOnlyList<FormulationRating>> independentPerCase,
        List<(IReadOnlyList<FormulationRating> Independent, Formulation? Consensus)> consensusPerCase)
    {
        var ratings = independentPerCase.SelectMany(r => r).GroupBy(r => r.Rater, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var withConsensus = consensusPerCase
            .SelectMany(c => c.Independent.Select(r => (r.Rater, Agreed: r.Primary == c.Consensus)))
            .GroupBy(x => x.Rater, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (Cases: g.Count(), Agreed: g.Count(x => x.Agreed)), StringComparer.Ordinal);
        return [.. ratings.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r =>
        {
            var consensus = withConsensus.GetValueOrDefault(r.Key);
            return new RaterAgreement(r.Key, r.Value, consensus.Cases,
                consensus.Cases == 0 ? null : (double)consensus.Agreed / consensus.Cases);
        })];
    }

    // Drift: the first-two agreement by the calendar month (UTC) in which the second rating completed the pair.
    private static IReadOnlyList<MonthlyAgreement> ByMonth(List<(FormulationRating First, FormulationRating Second)> pairs) =>
        [.. pairs
            .GroupBy(p => (p.Second.RatedAt.UtcDateTime.Year, p.Second.RatedAt.UtcDateTime.Month))
            .OrderBy(g => g.Key)
            .Select(g =>
            {
                var kappa = CohensKappa.Compute(g.Select(p => (Category(p.First), Category(p.Second))));
                var month = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{g.Key.Year:0000}-{g.Key.Month:00}");
                return new MonthlyAgreement(month, kappa.N, kappa.Agreement, kappa.Kappa);
            })];
}

/// <param name="Cohen">Cohen's kappa between the first two independent ratings.</param>
/// <param name="Fleiss">Fleiss' kappa over every independent rating.</param>
/// <param name="Krippendorff">Krippendorff's alpha (nominal) over every independent rating.</param>
/// <param name="Icc">ICC(1,1) of each factor's 0-4 score over the first two independent ratings.</param>
public sealed record FormulationAgreementReport(
    KappaResult Cohen,
    AgreementResult Fleiss,
    AgreementResult Krippendorff,
    IReadOnlyDictionary<Formulation, IccResult> Icc,
    IReadOnlyList<RaterAgreement> Raters,
    IReadOnlyList<MonthlyAgreement> ByMonth);

/// <param name="Ratings">The rater's independent ratings.</param>
/// <param name="ConsensusCases">Those on participants that went on to a consensus rating.</param>
/// <param name="AgreementWithConsensus">Share of those where the rater's primary formulation equals the consensus.</param>
public sealed record RaterAgreement(string Rater, int Ratings, int ConsensusCases, double? AgreementWithConsensus);

/// <param name="Month">yyyy-MM (UTC) of the rating that completed the pair.</param>
public sealed record MonthlyAgreement(string Month, int N, double? Agreement, double? Kappa);
