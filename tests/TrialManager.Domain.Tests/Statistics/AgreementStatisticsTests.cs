using TrialManager.Domain.Statistics;

namespace TrialManager.Domain.Tests.Statistics;

// Published worked examples, checked at the precision they were published. The digits beyond that are held to R
// (psych::ICC, psych::cohen.kappa and the textbook formulas) by the integration tests' R cross-check.
public class AgreementStatisticsTests
{
    // Fleiss (1971), Table 1: 30 patients, each diagnosed by 6 of a pool of psychiatrists into 5 categories
    // (depression, personality disorder, schizophrenia, neurosis, other); each row counts the raters per category.
    // Published kappa: .430.
    private static readonly int[][] Fleiss1971 =
    [
        [0, 0, 0, 6, 0], [0, 3, 0, 0, 3], [0, 1, 4, 0, 1], [0, 0, 0, 0, 6], [0, 3, 0, 3, 0],
        [2, 0, 4, 0, 0], [0, 0, 4, 0, 2], [2, 0, 3, 1, 0], [2, 0, 0, 4, 0], [0, 0, 0, 0, 6],
        [1, 0, 0, 5, 0], [1, 1, 0, 4, 0], [0, 3, 3, 0, 0], [1, 0, 0, 5, 0], [0, 2, 0, 3, 1],
        [0, 0, 5, 0, 1], [3, 0, 0, 1, 2], [5, 1, 0, 0, 0], [0, 2, 0, 4, 0], [1, 0, 2, 0, 3],
        [0, 0, 0, 0, 6], [0, 1, 0, 5, 0], [0, 2, 0, 1, 3], [2, 0, 0, 4, 0], [1, 0, 0, 4, 1],
        [0, 5, 0, 1, 0], [4, 0, 0, 0, 2], [0, 2, 0, 4, 0], [1, 0, 5, 0, 0], [0, 0, 0, 0, 6],
    ];

    // Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", the nominal example with missing values:
    // 4 observers, 12 units (0 = missing). Published alpha (nominal): 0.743.
    private static readonly int[][] Krippendorff2011 =
    [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, 0, 0, 0],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, 0, 3],
        [0, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, 0],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, 0],
    ];

    // Shrout & Fleiss (1979), Table 1: 6 targets rated by 4 judges. Published (Table 2 and text): BMS 11.24,
    // WMS 6.26, ICC(1,1) .17; psych::ICC on the same data prints the ICC1 interval as -0.13 to 0.72.
    private static readonly double[][] ShroutFleiss1979 =
    [
        [9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7],
    ];

    [Fact]
    public void FleissKappa_OnFleiss1971_Is0430()
    {
        var result = FleissKappa.Compute(FromCounts(Fleiss1971));

        Assert.Equal(30, result.Subjects);
        Assert.Equal(180, result.Ratings);
        Assert.Equal(0.430, result.Value!.Value, 3);
    }

    [Fact]
    public void FleissKappa_WithEqualRatersPerSubject_IsTheTextbookFormula()
    {
        // Fleiss's own notation: P_i = (sum_j n_ij^2 - n) / (n (n - 1)), p_j = sum_i n_ij / (N n).
        const int n = 6;
        var pBar = Fleiss1971.Average(row => (row.Sum(c => (double)c * c) - n) / (n * (n - 1.0)));
        var pe = Enumerable.Range(0, 5).Sum(j => Math.Pow(Fleiss1971.Sum(row => row[j]) / (30.0 * n), 2));

        Assert.Equal((pBar - pe) / (1 - pe), FleissKappa.Compute(FromCounts(Fleiss1971)).Value!.Value, 12);
    }

    [Fact]
    public void KrippendorffAlpha_OnKrippendorff2011_Is0743()
    {
        var units = Enumerable.Range(0, 12)
            .Select(u => (IReadOnlyList<string>)[.. Krippendorff2011.Select(o => o[u]).Where(v => v != 0).Select(v => v.ToString())])
            .ToList();

        var result = KrippendorffAlpha.Nominal(units);

        Assert.Equal(11, result.Subjects); // unit 12 has one value: not pairable
        Assert.Equal(0.743, result.Value!.Value, 3);
    }

    [Fact]
    public void KrippendorffAlpha_WithTwoRatersAndNoMissing_IsScottsPiCorrectedForSampleSize()
    {
        // For two raters and N units: alpha = 1 - (2N - 1) D / (sum_{c != k} n_c n_k), D = disagreeing units * 2.
        IReadOnlyList<string>[] units = [["a", "a"], ["a", "b"], ["b", "b"], ["c", "c"], ["a", "c"]];
        var margins = new Dictionary<string, double> { ["a"] = 4, ["b"] = 3, ["c"] = 3 };
        var expected = 1 - ((10 - 1) * 4.0 / ((10 * 10) - margins.Values.Sum(v => v * v)));

        Assert.Equal(expected, KrippendorffAlpha.Nominal(units).Value!.Value, 12);
    }

    [Fact]
    public void Icc11_OnShroutFleiss1979_MatchesThePublishedFigures()
    {
        var result = IntraclassCorrelation.OneWayRandomSingle([.. ShroutFleiss1979.Select(r => (IReadOnlyList<double>)r)]);

        // From the published mean squares: (11.24 - 6.26) / (11.24 + 3 x 6.26) = .166.
        Assert.Equal(0.17, result.Value!.Value, 2);
        Assert.Equal(-0.13, result.Lower!.Value, 2);
        Assert.Equal(0.72, result.Upper!.Value, 2);
        Assert.Equal(6, result.Subjects);
        Assert.Equal(4, result.RatingsPerSubject);
    }

    [Fact]
    public void Icc11_WhenRatersAgreeOnEverySubject_IsOneWithLimitsOfOne()
    {
        var result = IntraclassCorrelation.OneWayRandomSingle([[1, 1], [3, 3], [4, 4]]);

        Assert.Equal((1.0, 1.0, 1.0), (result.Value!.Value, result.Lower!.Value, result.Upper!.Value));
    }

    [Fact]
    public void Icc11_WhenEveryRatingIsTheSame_IsUndefinedAndSaysWhy()
    {
        var result = IntraclassCorrelation.OneWayRandomSingle([[2, 2], [2, 2]]);

        Assert.Null(result.Value);
        Assert.Equal(IntraclassCorrelation.NoVarianceReason, result.UndefinedReason);
    }

    [Fact]
    public void Icc11_WithUnequalRatingsPerSubject_IsRefused() =>
        Assert.Throws<ArgumentException>(() => IntraclassCorrelation.OneWayRandomSingle([[1, 2], [1, 2, 3]]));

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.975)]
    [InlineData(0.025)]
    [InlineData(0.999)]
    public void FQuantile_WithTwoNumeratorDegrees_MatchesTheClosedForm(double p)
    {
        // With df1 = 2 the F distribution function is 1 - (1 + 2f / d2)^(-d2 / 2), which inverts in closed form.
        foreach (var d2 in new[] { 1.0, 2, 7, 30, 5_000 })
        {
            var expected = d2 / 2 * (Math.Pow(1 - p, -2 / d2) - 1);
            Assert.Equal(1, FDistribution.Quantile(p, 2, d2) / expected, 11);
        }
    }

    [Fact]
    public void FQuantile_MatchesPublishedTableValues()
    {
        Assert.Equal(161.4476, FDistribution.Quantile(0.95, 1, 1), 4);
        Assert.Equal(647.789, FDistribution.Quantile(0.975, 1, 1), 3);
        Assert.Equal(3.3820, FDistribution.Quantile(0.975, 5, 18), 4);
        Assert.Equal(1.0, FDistribution.Quantile(0.5, 7, 7), 12); // the median of F(d, d) is 1
    }

    [Fact]
    public void FQuantile_InvertsTheDistributionFunction()
    {
        foreach (var (d1, d2) in new[] { (1.0, 1.0), (3, 17), (99, 100), (9_999, 10_000), (0.5, 4) })
        {
            foreach (var p in new[] { 0.001, 0.025, 0.5, 0.975, 0.999 })
            {
                Assert.Equal(p, FDistribution.Cdf(FDistribution.Quantile(p, d1, d2), d1, d2), 12);
            }
        }
    }

    private static List<IReadOnlyList<string>> FromCounts(int[][] counts) =>
        [.. counts.Select(row => (IReadOnlyList<string>)[.. row.SelectMany((count, category) => Enumerable.Repeat($"c{category}", count))])];
}
