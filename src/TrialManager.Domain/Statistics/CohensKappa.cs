using System.Numerics;

namespace TrialManager.Domain.Statistics;

/// <summary>
/// Cohen's kappa for two raters on a nominal scale, with the large-sample (non-null) standard error of
/// Fleiss, Cohen and Everitt (1969): the "ASE" of SAS PROC FREQ and statsmodels' <c>std_kappa</c>.
/// </summary>
/// <remarks>
/// <para>Edge cases, by convention:</para>
/// <list type="bullet">
/// <item>N = 0: every statistic is null (nothing was rated).</item>
/// <item>Chance agreement pe = 1 (both raters put every subject in one and the same category): kappa is
/// 0/0, so <see cref="KappaResult.Kappa"/> and <see cref="KappaResult.StandardError"/> are null and
/// <see cref="KappaResult.UndefinedReason"/> says why; <see cref="KappaResult.Agreement"/> is still reported (it is 1).
/// We do not report kappa = 1 there: the data carry no information to tell agreement from chance.</item>
/// <item>Perfect agreement with pe &lt; 1 gives kappa = 1 and a standard error of 0.</item>
/// </list>
/// </remarks>
public static class CohensKappa
{
    internal const string NoRatingsReason = "No rated pairs.";

    internal const string ChanceAgreementIsOneReason =
        "Chance agreement is 1 (both raters used one and the same single category), so kappa is 0/0.";

    /// <summary>Kappa over rated pairs. Categories are whatever strings appear, compared ordinally.</summary>
    public static KappaResult Compute(IEnumerable<(string First, string Second)> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);

        var list = pairs.ToList();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (first, second) in list)
        {
            ArgumentNullException.ThrowIfNull(first, nameof(pairs));
            ArgumentNullException.ThrowIfNull(second, nameof(pairs));
            index.TryAdd(first, index.Count);
            index.TryAdd(second, index.Count);
        }

        var table = new long[index.Count, index.Count];
        foreach (var (first, second) in list)
        {
            table[index[first], index[second]]++;
        }

        return Compute(table);
    }

    /// <summary>
    /// Kappa over a square contingency table: <c>table[i, j]</c> counts subjects the first rater put in
    /// category i and the second in category j.
    /// </summary>
    /// <exception cref="ArgumentException">The table is not square, has a negative count, or more than
    /// <see cref="int.MaxValue"/> subjects.</exception>
    public static KappaResult Compute(long[,] table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var k = table.GetLength(0);
        if (table.GetLength(1) != k)
        {
            throw new ArgumentException($"The table must be square; it is {k} x {table.GetLength(1)}.", nameof(table));
        }

        long total = 0;
        foreach (var count in table)
        {
            if (count < 0)
            {
                throw new ArgumentException("Counts cannot be negative.", nameof(table));
            }

            total = checked(total + count);
        }

        if (total > int.MaxValue)
        {
            throw new ArgumentException($"At most {int.MaxValue} subjects are supported.", nameof(table));
        }

        var n = (int)total;
        if (n == 0)
        {
            return new KappaResult(null, null, 0, null) { UndefinedReason = NoRatingsReason };
        }

        // pe = 1 exactly when both raters used one single category: kappa is 0/0.
        if (UsesOneSharedCategory(table, k, total))
        {
            return new KappaResult(null, null, n, 1.0) { UndefinedReason = ChanceAgreementIsOneReason };
        }

        // Computed on the integer counts, exactly (BigInteger), and rounded to double once at the end. Doubles
        // throughout would lose the standard error near perfect or chance-level agreement, where A + B - C
        // below cancels to almost nothing and the square root magnifies the rounding (1e-17 becomes 3e-9).
        //
        // With D the diagonal count, R_i and C_i the margins of the first and second rater,
        // S = sum_i R_i C_i and M = n^2 - S, the textbook quantities are
        //   po = D / n, pe = S / n^2, kappa = (po - pe) / (1 - pe) = (D n - S) / M,
        // and the variance of Fleiss, Cohen & Everitt (1969), as SAS PROC FREQ documents it,
        //   Var = [A + B - C] / [(1 - pe)^2 n], with
        //   A = sum_i p_ii [1 - (p_i. + p_.i)(1 - kappa)]^2
        //   B = (1 - kappa)^2 sum_{i != j} p_ij (p_.i + p_j.)^2
        //   C = [kappa - pe (1 - kappa)]^2,
        // becomes, after clearing denominators (1 - kappa = n (n - D) / M),
        //   Var = n U / M^4, with
        //   U = n [ sum_i d_i (M - (R_i + C_i)(n - D))^2 + (n - D)^2 sum_{i != j} x_ij (C_i + R_j)^2 ]
        //       - (D n^2 - 2 S n + S D)^2.
        // The tests evaluate the textbook form in exact fractions and compare.
        var rows = new BigInteger[k];
        var columns = new BigInteger[k];
        BigInteger diagonal = 0;
        for (var i = 0; i < k; i++)
        {
            diagonal += table[i, i];
            for (var j = 0; j < k; j++)
            {
                rows[i] += table[i, j];
                columns[j] += table[i, j];
            }
        }

        BigInteger bigN = n;
        BigInteger chanceCount = 0;
        for (var i = 0; i < k; i++)
        {
            chanceCount += rows[i] * columns[i];
        }

        var m = (bigN * bigN) - chanceCount;
        var disagreements = bigN - diagonal;

        BigInteger diagonalSum = 0;
        BigInteger offDiagonalSum = 0;
        for (var i = 0; i < k; i++)
        {
            var diagonalTerm = m - ((rows[i] + columns[i]) * disagreements);
            diagonalSum += table[i, i] * diagonalTerm * diagonalTerm;
            for (var j = 0; j < k; j++)
            {
                if (i != j && table[i, j] != 0)
                {
                    var margins = columns[i] + rows[j];
                    offDiagonalSum += table[i, j] * margins * margins;
                }
            }
        }

        var chanceTerm = (diagonal * bigN * bigN) - (2 * chanceCount * bigN) + (chanceCount * diagonal);
        var u = (bigN * (diagonalSum + (disagreements * disagreements * offDiagonalSum))) - (chanceTerm * chanceTerm);

        var kappa = Divide((diagonal * bigN) - chanceCount, m);
        var variance = Divide(bigN * u, BigInteger.Pow(m, 4));
        var agreement = Divide(diagonal, bigN);

        // U >= 0 in exact arithmetic (it is a variance); guard anyway rather than return NaN.
        return new KappaResult(kappa, Math.Sqrt(Math.Max(variance, 0)), n, agreement);
    }

    // numerator / denominator as a double to within one ulp (denominator > 0), however large both are.
    private static double Divide(BigInteger numerator, BigInteger denominator)
    {
        if (numerator.IsZero)
        {
            return 0;
        }

        // Scale so the integer quotient carries 64+ significant bits, then let double round it.
        var shift = (int)(denominator.GetBitLength() - BigInteger.Abs(numerator).GetBitLength()) + 66;
        var quotient = shift >= 0
            ? BigInteger.Divide(numerator << shift, denominator)
            : BigInteger.Divide(numerator, denominator << -shift);
        return Math.ScaleB((double)quotient, -shift);
    }

    private static bool UsesOneSharedCategory(long[,] table, int k, long total)
    {
        for (var i = 0; i < k; i++)
        {
            if (table[i, i] == total)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>Cohen's kappa for one pair of raters.</summary>
/// <param name="Kappa">(po - pe) / (1 - pe); null when N = 0 or pe = 1.</param>
/// <param name="StandardError">Large-sample standard error (Fleiss, Cohen &amp; Everitt 1969); null when kappa is.</param>
/// <param name="N">Number of rated subjects.</param>
/// <param name="Agreement">Observed proportion of agreement po; null when N = 0.</param>
public sealed record KappaResult(double? Kappa, double? StandardError, int N, double? Agreement)
{
    /// <summary>Why <see cref="Kappa"/> is null; null when it is defined.</summary>
    public string? UndefinedReason { get; init; }
}
