namespace TrialManager.Domain.Statistics;

/// <summary>
/// Fleiss' kappa (1971) for many raters on a nominal scale, where each subject may be rated by different raters.
/// Subjects may carry different numbers of ratings (the usual generalisation: each subject's pairwise agreement is
/// taken over its own n_i(n_i - 1) ordered pairs, and category shares over all ratings); with the same number for
/// every subject it is Fleiss's formula exactly. Subjects with fewer than two ratings carry no agreement and are left out.
/// </summary>
public static class FleissKappa
{
    internal const string TooFewReason = "No subject has two or more ratings.";
    internal const string OneCategoryReason = "Every rating is in one category, so chance agreement is 1 and kappa is 0/0.";

    public static AgreementResult Compute(IEnumerable<IReadOnlyList<string>> subjects)
    {
        ArgumentNullException.ThrowIfNull(subjects);
        var rated = subjects.Where(s => s.Count >= 2).ToList();
        if (rated.Count == 0)
        {
            return new AgreementResult(null, 0, 0) { UndefinedReason = TooFewReason };
        }

        var categoryTotals = new Dictionary<string, long>(StringComparer.Ordinal);
        long ratings = 0;
        double agreementSum = 0;
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var subject in rated)
        {
            counts.Clear();
            foreach (var category in subject)
            {
                ArgumentNullException.ThrowIfNull(category, nameof(subjects));
                counts[category] = counts.GetValueOrDefault(category) + 1;
            }

            long n = subject.Count, agreeingPairs = 0;
            foreach (var (category, count) in counts)
            {
                agreeingPairs += count * (count - 1);
                categoryTotals[category] = categoryTotals.GetValueOrDefault(category) + count;
            }

            agreementSum += (double)agreeingPairs / (n * (n - 1));
            ratings += n;
        }

        var observed = agreementSum / rated.Count;
        var chance = categoryTotals.Values.Sum(total => ((double)total / ratings) * ((double)total / ratings));
        if (categoryTotals.Count == 1)
        {
            return new AgreementResult(null, rated.Count, ratings) { UndefinedReason = OneCategoryReason };
        }

        return new AgreementResult((observed - chance) / (1 - chance), rated.Count, ratings);
    }
}

/// <summary>A chance-corrected agreement coefficient over several raters.</summary>
/// <param name="Value">The coefficient; null when undefined (see <see cref="UndefinedReason"/>).</param>
/// <param name="Subjects">Subjects with two or more ratings (the ones that count).</param>
/// <param name="Ratings">Ratings of those subjects.</param>
public sealed record AgreementResult(double? Value, int Subjects, long Ratings)
{
    public string? UndefinedReason { get; init; }
}
