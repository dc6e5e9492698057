namespace TrialManager.Domain.Statistics;

/// <summary>
/// The noncentral F distribution, for the closed-form power of an F test: P(F' &lt;= f) as a Poisson(λ/2) mixture
/// of regularized incomplete betas, summed outward from the mixture's mode so that large λ neither underflows
/// nor needs thousands of terms.
/// </summary>
public static class NoncentralF
{
    public static double Cdf(double f, double df1, double df2, double noncentrality)
    {
        if (!(noncentrality >= 0) || !double.IsFinite(noncentrality))
        {
            throw new ArgumentOutOfRangeException(nameof(noncentrality), "The noncentrality must be finite and not negative.");
        }

        if (noncentrality == 0)
        {
            return FDistribution.Cdf(f, df1, df2);
        }

        if (f <= 0)
        {
            return 0;
        }

        var denominator = (df1 * f) + df2;
        double x = df1 * f / denominator, y = df2 / denominator;
        var half = noncentrality / 2;
        var mode = (int)Math.Floor(half);
        double sum = 0;

        // Poisson weights in log space: log w_j = -half + j log(half) - log(j!).
        double Term(int j) =>
            Math.Exp(-half + (j * Math.Log(half)) - FDistribution.LogGamma(j + 1.0))
            * FDistribution.RegularizedBeta(x, y, (df1 / 2) + j, df2 / 2);

        for (var j = mode; j >= 0; j--)
        {
            var term = Term(j);
            sum += term;
            if (term < 1e-17 * sum && j < mode - 10)
            {
                break;
            }
        }

        for (var j = mode + 1; j < mode + 100_000; j++)
        {
            var term = Term(j);
            sum += term;
            if (term < 1e-17 * sum && j > mode + 10)
            {
                break;
            }
        }

        return Math.Min(sum, 1);
    }
}
