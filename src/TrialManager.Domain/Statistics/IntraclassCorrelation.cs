namespace TrialManager.Domain.Statistics;

/// <summary>
/// ICC(1,1) of Shrout and Fleiss (1979): one-way random effects, absolute agreement, a single rating. It is the
/// intraclass correlation that fits when the raters differ from subject to subject (each participant's two ratings
/// come from whichever raters were free), because it makes no use of who rated: ICC(2,1) would need the same raters
/// on every subject. The confidence limits are the F-based ones Shrout and Fleiss give, as R's
/// <c>psych::ICC</c> computes them (its "ICC1" row).
/// </summary>
public static class IntraclassCorrelation
{
    internal const string TooFewSubjectsReason = "At least two subjects with every rating are needed.";
    internal const string NoVarianceReason = "Every rating is the same, so the correlation is 0/0.";

    /// <summary>
    /// ICC(1,1) over subjects that each carry the same number (two or more) of ratings.
    /// </summary>
    /// <param name="ratings">One row per subject: its ratings, in any order.</param>
    /// <param name="confidence">The confidence level of the interval (0.95 for 95%).</param>
    public static IccResult OneWayRandomSingle(IReadOnlyList<IReadOnlyList<double>> ratings, double confidence = 0.95)
    {
        ArgumentNullException.ThrowIfNull(ratings);
        if (!(confidence is > 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(confidence), "The confidence level must lie strictly between 0 and 1.");
        }

        var n = ratings.Count;
        var k = n == 0 ? 0 : ratings[0].Count;
        foreach (var row in ratings)
        {
            if (row.Count != k)
            {
                throw new ArgumentException("Every subject must carry the same number of ratings.", nameof(ratings));
            }

            if (row.Any(value => !double.IsFinite(value)))
            {
                throw new ArgumentException("Ratings must be finite numbers.", nameof(ratings));
            }
        }

        if (n < 2 || k < 2)
        {
            return new IccResult(null, null, null, n, k) { UndefinedReason = TooFewSubjectsReason };
        }

        // One-way ANOVA: between-subject and within-subject mean squares.
        var grand = ratings.Sum(row => row.Sum()) / (n * k);
        double between = 0, within = 0;
        foreach (var row in ratings)
        {
            var mean = row.Average();
            between += (mean - grand) * (mean - grand);
            within += row.Sum(value => (value - mean) * (value - mean));
        }

        var dfBetween = n - 1.0;
        var dfWithin = n * (k - 1.0);
        var msb = k * between / dfBetween;
        var msw = within / dfWithin;
        if (msb + ((k - 1) * msw) == 0)
        {
            return new IccResult(null, null, null, n, k) { UndefinedReason = NoVarianceReason };
        }

        var icc = (msb - msw) / (msb + ((k - 1) * msw));
        if (msw == 0)
        {
            // Raters agree on every subject: the estimate is 1 and F is infinite, so both limits are 1.
            return new IccResult(icc, 1, 1, n, k);
        }

        var f = msb / msw;
        var upperTail = 1 - ((1 - confidence) / 2);
        var fLow = f / FDistribution.Quantile(upperTail, dfBetween, dfWithin);
        var fHigh = f * FDistribution.Quantile(upperTail, dfWithin, dfBetween);
        return new IccResult(icc, (fLow - 1) / (fLow + k - 1), (fHigh - 1) / (fHigh + k - 1), n, k);
    }
}

/// <summary>An intraclass correlation with its confidence interval.</summary>
/// <param name="Value">The estimate; null when undefined (see <see cref="UndefinedReason"/>).</param>
/// <param name="Lower">Lower confidence limit; null when the estimate is.</param>
/// <param name="Upper">Upper confidence limit; null when the estimate is.</param>
/// <param name="Subjects">Subjects rated.</param>
/// <param name="RatingsPerSubject">Ratings per subject.</param>
public sealed record IccResult(double? Value, double? Lower, double? Upper, int Subjects, int RatingsPerSubject)
{
    public string? UndefinedReason { get; init; }
}
