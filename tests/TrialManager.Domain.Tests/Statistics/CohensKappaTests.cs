using System.Numerics;
using TrialManager.Domain.Statistics;

namespace TrialManager.Domain.Tests.Statistics;

// Requirement: kappa and its large-sample standard error agree with a standard statistics package to 1e-9.
// No statistics package runs on this machine, so each table below carries values that a package published,
// and every published value is checked at the precision it was published. Where that is coarser than 1e-9
// (SAS prints 4 decimals), the same Fleiss-Cohen-Everitt formula is also evaluated here independently in exact
// rational arithmetic (BigInteger fractions, square root in System.Decimal) and the production doubles must
// match it to 1e-12. The published values pin down *which* formula; the exact check pins down its digits.
public class CohensKappaTests
{
    private const double ExactTolerance = 1e-12;

    // The normal quantile SAS uses for 95% confidence limits: kappa +- z * ASE.
    private const double Z975 = 1.959963984540054;

    // 3 x 3. Source: statsmodels/statsmodels, statsmodels/stats/tests/test_inter_rater.py, table10 with
    // UnweightedCohens: "comparison to printout of a SAS example": Kappa 0.4842, ASE 0.1380,
    // 95% limits 0.2137 and 0.7547 (PROC FREQ output, 4 decimals).
    private static readonly long[,] SasThreeCategories =
    {
        { 0, 4, 1 },
        { 0, 8, 0 },
        { 0, 1, 5 },
    };

    // 4 x 4. Source: SAS/STAT User's Guide, The FREQ Procedure, Getting Started, "Agreement Study"
    // (support.sas.com/documentation/cdl/en/statug/67523/HTML/default/statug_freq_gettingstarted02.htm):
    // skin condition rated by two dermatologists (terrible, poor, marginal, clear). Published: simple kappa
    // 0.3449, 95% confidence limits (0.2030, 0.4868).
    private static readonly long[,] SasSkinCondition =
    {
        { 10, 4, 1, 0 },
        { 5, 10, 12, 2 },
        { 2, 4, 12, 5 },
        { 0, 2, 6, 13 },
    };

    [Fact]
    public void Compute_ThreeCategorySasTable_MatchesSasKappaAndAse()
    {
        var result = CohensKappa.Compute(SasThreeCategories);

        Assert.Equal(0.4842, result.Kappa!.Value, 4);
        Assert.Equal(0.1380, result.StandardError!.Value, 4);
        Assert.Equal(0.2137, result.Kappa.Value - (Z975 * result.StandardError.Value), 4);
        Assert.Equal(0.7547, result.Kappa.Value + (Z975 * result.StandardError.Value), 4);
        Assert.Equal(19, result.N);
        Assert.InRange(result.Agreement!.Value - (13.0 / 19), -1e-15, 1e-15);
        AssertMatchesExactArithmetic(SasThreeCategories, result);
    }

    [Fact]
    public void Compute_FourCategorySkinConditionTable_MatchesSasKappaAndConfidenceLimits()
    {
        var result = CohensKappa.Compute(SasSkinCondition);

        Assert.Equal(0.3449, result.Kappa!.Value, 4);
        Assert.Equal(0.2030, result.Kappa.Value - (Z975 * result.StandardError!.Value), 4);
        Assert.Equal(0.4868, result.Kappa.Value + (Z975 * result.StandardError.Value), 4);
        Assert.Equal(88, result.N);
        AssertMatchesExactArithmetic(SasSkinCondition, result);
    }

    [Fact]
    public void Compute_PairsOverOurFourFormulations_MatchesTheSameSasTable()
    {
        // The skin-condition counts relabelled as our formulations, fed as raw pairs in a scrambled order:
        // kappa depends on the cross-classification only, not on labels or order.
        string[] formulations = ["cognitive", "interpersonal", "behavioral", "environmental"];
        var pairs = new List<(string First, string Second)>();
        for (var i = 0; i < 4; i++)
        {
            for (var j = 0; j < 4; j++)
            {
                for (var c = 0; c < SasSkinCondition[i, j]; c++)
                {
                    pairs.Add((formulations[i], formulations[j]));
                }
            }
        }

        var random = new Random(88);
        var shuffled = pairs.OrderBy(_ => random.Next()).ToList();

        var fromPairs = CohensKappa.Compute(shuffled);
        var fromTable = CohensKappa.Compute(SasSkinCondition);

        Assert.Equal(0.3449, fromPairs.Kappa!.Value, 4);
        Assert.Equal(fromTable.Kappa!.Value, fromPairs.Kappa.Value, 14);
        Assert.Equal(fromTable.StandardError!.Value, fromPairs.StandardError!.Value, 14);
        Assert.Equal(88, fromPairs.N);
        AssertMatchesExactArithmetic(SasSkinCondition, fromPairs);
    }

    [Fact]
    public void Compute_FiveCategoryAnxietyRatings_MatchesIrrKappa2ToPublishedDigits()
    {
        // Source: statsmodels/statsmodels, statsmodels/stats/tests/test_inter_rater.py, test_cohens_kappa_irr:
        // R irr `kappa2(anxiety[,2:3])` (unweighted) printed Kappa = -0.006289308 (9 decimals). The ratings
        // are raters 2 and 3 of irr's `anxiety` data set as listed in that file; rater 2 uses categories
        // 1, 2, 3, 4, 6 and rater 3 uses 1, 2, 3, 4, 6 (none uses 5).
        int[] rater2 = [3, 6, 4, 6, 2, 4, 2, 4, 3, 3, 2, 3, 3, 3, 2, 2, 1, 3, 3, 4];
        int[] rater3 = [2, 1, 4, 4, 3, 2, 1, 6, 1, 1, 1, 2, 3, 3, 1, 1, 3, 3, 2, 2];
        var pairs = rater2.Zip(rater3, (a, b) => (a.ToString(System.Globalization.CultureInfo.InvariantCulture), b.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        var result = CohensKappa.Compute(pairs);

        Assert.InRange(result.Kappa!.Value - -0.006289308, -5e-10, 5e-10);
        Assert.Equal(-1.0 / 159, result.Kappa.Value, 15);
        Assert.Equal(20, result.N);
        Assert.Equal(4.0 / 20, result.Agreement!.Value, 15);
    }

    [Fact]
    public void Compute_NoPairs_ReturnsNullsAndZeroN()
    {
        var result = CohensKappa.Compute([]);

        Assert.Equal(new KappaResult(null, null, 0, null), result with { UndefinedReason = null });
        Assert.NotNull(result.UndefinedReason);
        Assert.Equal(result, CohensKappa.Compute(new long[3, 3]));
    }

    [Fact]
    public void Compute_WhenBothRatersUseOneCategory_KappaIsNullWithReason()
    {
        var result = CohensKappa.Compute([("cognitive", "cognitive"), ("cognitive", "cognitive"), ("cognitive", "cognitive")]);

        Assert.Null(result.Kappa);
        Assert.Null(result.StandardError);
        Assert.Equal(3, result.N);
        Assert.Equal(1.0, result.Agreement);
        Assert.Contains("Chance agreement is 1", result.UndefinedReason, StringComparison.Ordinal);
        Assert.Null(CohensKappa.Compute(new long[,] { { 0, 0 }, { 0, 5 } }).Kappa);
    }

    [Fact]
    public void Compute_PerfectAgreementOverTwoCategories_KappaOneAndStandardErrorZero()
    {
        var result = CohensKappa.Compute(new long[,] { { 7, 0 }, { 0, 3 } });

        Assert.Equal(1.0, result.Kappa);
        Assert.Equal(0.0, result.StandardError!.Value, 15);
        Assert.Equal(1.0, result.Agreement);
        Assert.Null(result.UndefinedReason);
    }

    [Fact]
    public void Compute_OneRaterConstantTheOtherNot_KappaZeroIsDefined()
    {
        // pe < 1 (the second rater varies), po = pe, so kappa = 0 exactly.
        var result = CohensKappa.Compute(new long[,] { { 3, 2 }, { 0, 0 } });

        Assert.Equal(0.0, result.Kappa!.Value, 15);
        AssertMatchesExactArithmetic(new long[,] { { 3, 2 }, { 0, 0 } }, result);
    }

    [Fact]
    public void Compute_RandomTables_MatchExactArithmetic()
    {
        var random = new Random(20261126);
        for (var trial = 0; trial < 200; trial++)
        {
            var k = random.Next(2, 7);
            var table = new long[k, k];
            for (var i = 0; i < k; i++)
            {
                for (var j = 0; j < k; j++)
                {
                    table[i, j] = random.Next(0, i == j ? 60 : 25);
                }
            }

            var result = CohensKappa.Compute(table);
            if (result.Kappa is not null)
            {
                AssertMatchesExactArithmetic(table, result);
            }
        }
    }

    [Fact]
    public void Compute_NonSquareOrNegativeTable_Throws()
    {
        Assert.Throws<ArgumentException>(() => CohensKappa.Compute(new long[2, 3]));
        Assert.Throws<ArgumentException>(() => CohensKappa.Compute(new long[,] { { 1, -1 }, { 0, 2 } }));
    }

    private static void AssertMatchesExactArithmetic(long[,] table, KappaResult result)
    {
        var (kappa, variance, agreement) = ExactKappa(table);
        var standardError = DecimalSqrt(variance.ToDecimal());

        Assert.InRange(Math.Abs((decimal)result.Kappa!.Value - kappa.ToDecimal()), 0m, (decimal)ExactTolerance);
        Assert.InRange(Math.Abs((decimal)result.StandardError!.Value - standardError), 0m, (decimal)ExactTolerance);
        Assert.InRange(Math.Abs((decimal)result.Agreement!.Value - agreement.ToDecimal()), 0m, (decimal)ExactTolerance);
    }

    // An independent evaluation of Fleiss, Cohen & Everitt (1969) in exact fractions, written from the
    // formula (SAS PROC FREQ documentation, "Simple Kappa Coefficient") rather than from the production code.
    private static (Fraction Kappa, Fraction Variance, Fraction Agreement) ExactKappa(long[,] table)
    {
        var k = table.GetLength(0);
        long n = 0;
        foreach (var count in table)
        {
            n += count;
        }

        Fraction P(int i, int j) => new(table[i, j], n);
        Fraction Row(int i) => Enumerable.Range(0, k).Aggregate(Fraction.Zero, (s, j) => s + P(i, j));
        Fraction Column(int j) => Enumerable.Range(0, k).Aggregate(Fraction.Zero, (s, i) => s + P(i, j));

        var po = Enumerable.Range(0, k).Aggregate(Fraction.Zero, (s, i) => s + P(i, i));
        var pe = Enumerable.Range(0, k).Aggregate(Fraction.Zero, (s, i) => s + (Row(i) * Column(i)));
        var kappa = (po - pe) / (Fraction.One - pe);
        var q = Fraction.One - kappa;

        var a = Fraction.Zero;
        var b = Fraction.Zero;
        for (var i = 0; i < k; i++)
        {
            var d = Fraction.One - ((Row(i) + Column(i)) * q);
            a += P(i, i) * d * d;
            for (var j = 0; j < k; j++)
            {
                if (i != j)
                {
                    var m = Column(i) + Row(j);
                    b += P(i, j) * m * m;
                }
            }
        }

        b = b * q * q;
        var c = kappa - (pe * q);
        var variance = (a + b - (c * c)) / ((Fraction.One - pe) * (Fraction.One - pe) * new Fraction(n, 1));
        return (kappa, variance, po);
    }

    private static decimal DecimalSqrt(decimal value)
    {
        if (value == 0m)
        {
            return 0m;
        }

        var x = (decimal)Math.Sqrt((double)value);
        for (var i = 0; i < 6; i++)
        {
            x = (x + (value / x)) / 2m;
        }

        return x;
    }

    private readonly record struct Fraction
    {
        public Fraction(BigInteger numerator, BigInteger denominator)
        {
            if (denominator.Sign < 0)
            {
                numerator = -numerator;
                denominator = -denominator;
            }

            var gcd = BigInteger.GreatestCommonDivisor(numerator, denominator);
            Numerator = gcd.IsZero ? numerator : numerator / gcd;
            Denominator = gcd.IsZero ? denominator : denominator / gcd;
        }

        public static Fraction Zero => new(0, 1);

        public static Fraction One => new(1, 1);

        public BigInteger Numerator { get; }

        public BigInteger Denominator { get; }

        public static Fraction operator +(Fraction x, Fraction y) =>
            new((x.Numerator * y.Denominator) + (y.Numerator * x.Denominator), x.Denominator * y.Denominator);

        public static Fraction operator -(Fraction x, Fraction y) =>
            new((x.Numerator * y.Denominator) - (y.Numerator * x.Denominator), x.Denominator * y.Denominator);

        public static Fraction operator *(Fraction x, Fraction y) =>
            new(x.Numerator * y.Numerator, x.Denominator * y.Denominator);

        public static Fraction operator /(Fraction x, Fraction y) =>
            new(x.Numerator * y.Denominator, x.Denominator * y.Numerator);

        // 24 decimal places are far below the 1e-12 tolerance and keep |value| * 10^24 inside decimal's range.
        public decimal ToDecimal()
        {
            var scale = BigInteger.Pow(10, 24);
            var scaled = BigInteger.Divide(Numerator * scale, Denominator);
            return (decimal)scaled / 1_000_000_000_000_000_000_000_000m;
        }
    }
}
