namespace TrialManager.Domain.Statistics;

/// <summary>
/// Krippendorff's alpha for nominal data, from the coincidence matrix (Krippendorff, "Computing Krippendorff's
/// Alpha-Reliability", 2011): alpha = 1 - (n - 1) D_o / D_e with D_o the observed and D_e the expected
/// disagreeing coincidences. Any number of raters, any of them missing on any unit; units with one value are
/// not pairable and are left out.
/// </summary>
public static class KrippendorffAlpha
{
    internal const string TooFewReason = "No unit has two or more values.";
    internal const string OneCategoryReason = "Every value is in one category, so there is no expected disagreement.";

    public static AgreementResult Nominal(IEnumerable<IReadOnlyList<string>> units)
    {
        ArgumentNullException.ThrowIfNull(units);
        var pairable = units.Where(u => u.Count >= 2).ToList();
        if (pairable.Count == 0)
        {
            return new AgreementResult(null, 0, 0) { UndefinedReason = TooFewReason };
        }

        // o_ck summed over units: each ordered pair of values from different raters weighs 1 / (m_u - 1). Only its
        // margins n_c and its off-diagonal total (observed disagreement) are needed for nominal data.
        var margins = new Dictionary<string, double>(StringComparer.Ordinal);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        double disagreement = 0;
        long values = 0;
        foreach (var unit in pairable)
        {
            counts.Clear();
            foreach (var value in unit)
            {
                ArgumentNullException.ThrowIfNull(value, nameof(units));
                counts[value] = counts.GetValueOrDefault(value) + 1;
            }

            var m = unit.Count;
            foreach (var (value, count) in counts)
            {
                // Pairs (value, other): count * (m - count) ordered pairs, each 1 / (m - 1).
                disagreement += (double)count * (m - count) / (m - 1);
                margins[value] = margins.GetValueOrDefault(value) + count;
            }

            values += m;
        }

        if (margins.Count == 1)
        {
            return new AgreementResult(null, pairable.Count, values) { UndefinedReason = OneCategoryReason };
        }

        // Expected disagreement: sum over c != k of n_c n_k = n^2 - sum n_c^2.
        double n = values;
        var expected = (n * n) - margins.Values.Sum(total => total * total);
        return new AgreementResult(1 - ((n - 1) * disagreement / expected), pairable.Count, values);
    }
}
