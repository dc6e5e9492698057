namespace TrialManager.Domain.Statistics;

/// <summary>
/// Fisher's F distribution: the cumulative probability and its inverse, for the confidence limits of an
/// intraclass correlation. Written out here (regularized incomplete beta by Lentz's continued fraction, log-gamma
/// by Lanczos) because the domain takes no numerics package; the tests hold it to R's <c>pf</c>/<c>qf</c>.
/// </summary>
public static class FDistribution
{
    /// <summary>P(F &lt;= f) for an F variable with <paramref name="df1"/> and <paramref name="df2"/> degrees of freedom.</summary>
    public static double Cdf(double f, double df1, double df2)
    {
        CheckDegrees(df1, df2);
        if (double.IsNaN(f))
        {
            throw new ArgumentOutOfRangeException(nameof(f), "F must be a number.");
        }

        if (f <= 0)
        {
            return 0;
        }

        return double.IsPositiveInfinity(f) ? 1 : CdfAt(f, df1, df2);
    }

    // x = d1 f / (d1 f + d2) and 1 - x, each computed directly: near x = 1 the difference 1 - x would keep only a
    // few digits, and with them the upper quantiles.
    private static double CdfAt(double f, double df1, double df2)
    {
        var denominator = (df1 * f) + df2;
        return RegularizedBeta(df1 * f / denominator, df2 / denominator, df1 / 2, df2 / 2);
    }

    /// <summary>The <paramref name="p"/> quantile: the f with P(F &lt;= f) = p, to the precision of a double.</summary>
    public static double Quantile(double p, double df1, double df2)
    {
        CheckDegrees(df1, df2);
        if (!(p is > 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(p), "The probability must lie strictly between 0 and 1.");
        }

        // The distribution function rises monotonically in log f, so bisection there cannot miss, and it keeps the
        // same relative precision for quantiles near 0 and far out in the tail. It stops when the interval can no
        // longer be halved in double precision (about 60 steps).
        double low = -700, high = 700;
        for (var step = 0; step < 2_000; step++)
        {
            var middle = low + ((high - low) / 2);
            if (middle <= low || middle >= high)
            {
                break;
            }

            if (CdfAt(Math.Exp(middle), df1, df2) < p)
            {
                low = middle;
            }
            else
            {
                high = middle;
            }
        }

        return Math.Exp(low + ((high - low) / 2));
    }

    /// <summary>The regularized incomplete beta function I_x(a, b), given x and y = 1 - x (each to full precision).</summary>
    internal static double RegularizedBeta(double x, double y, double a, double b)
    {
        if (x <= 0)
        {
            return 0;
        }

        if (y <= 0)
        {
            return 1;
        }

        var front = Math.Exp((a * Math.Log(x)) + (b * Math.Log(y)) - LogBeta(a, b));

        // The continued fraction converges fast for x < (a + 1) / (a + b + 2); use the symmetry otherwise.
        return x < (a + 1) / (a + b + 2)
            ? front * ContinuedFraction(x, a, b) / a
            : 1 - (front * ContinuedFraction(y, b, a) / b);
    }

    private static double ContinuedFraction(double x, double a, double b)
    {
        const double Tiny = 1e-300;
        const double Epsilon = 1e-16;
        var qab = a + b;
        var qap = a + 1;
        var qam = a - 1;
        var c = 1.0;
        var d = 1 - (qab * x / qap);
        d = Math.Abs(d) < Tiny ? Tiny : d;
        d = 1 / d;
        var h = d;

        // Converges in O(sqrt(max(a, b))) terms; the bound is far above what 10^6 subjects need.
        for (var m = 1; m <= 100_000; m++)
        {
            var m2 = 2 * m;
            var aa = m * (b - m) * x / ((qam + m2) * (a + m2));
            d = 1 + (aa * d);
            d = Math.Abs(d) < Tiny ? Tiny : d;
            c = 1 + (aa / c);
            c = Math.Abs(c) < Tiny ? Tiny : c;
            d = 1 / d;
            h *= d * c;

            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
            d = 1 + (aa * d);
            d = Math.Abs(d) < Tiny ? Tiny : d;
            c = 1 + (aa / c);
            c = Math.Abs(c) < Tiny ? Tiny : c;
            d = 1 / d;
            var delta = d * c;
            h *= delta;
            if (Math.Abs(delta - 1) < Epsilon)
            {
                return h;
            }
        }

        throw new InvalidOperationException($"The incomplete beta fraction did not converge (x = {x}, a = {a}, b = {b}).");
    }

    private static double LogBeta(double a, double b) => LogGamma(a) + LogGamma(b) - LogGamma(a + b);

    // Lanczos approximation (g = 7, 9 terms): about 15 significant digits for x >= 0.5, all an F's df/2 needs.
    private static readonly double[] Lanczos =
    [
        0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
        12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
    ];

    internal static double LogGamma(double x)
    {
        if (x < 0.5)
        {
            // Reflection: Gamma(x) Gamma(1 - x) = pi / sin(pi x).
            return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * x))) - LogGamma(1 - x);
        }

        x -= 1;
        var sum = Lanczos[0];
        for (var i = 1; i < Lanczos.Length; i++)
        {
            sum += Lanczos[i] / (x + i);
        }

        var t = x + 7.5;
        return (0.5 * Math.Log(2 * Math.PI)) + ((x + 0.5) * Math.Log(t)) - t + Math.Log(sum);
    }

    private static void CheckDegrees(double df1, double df2)
    {
        if (!(df1 > 0 && double.IsFinite(df1)) || !(df2 > 0 && double.IsFinite(df2)))
        {
            throw new ArgumentOutOfRangeException(nameof(df1), "Degrees of freedom must be positive and finite.");
        }
    }
}
