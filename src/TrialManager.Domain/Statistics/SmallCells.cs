namespace TrialManager.Domain.Statistics;

public enum CellDisclosure
{
    Shown,

    /// <summary>A count of 1 to minimum size - 1: printed as "&lt;5".</summary>
    Small,

    /// <summary>Hidden only so that a small count cannot be worked out from the totals printed beside it.</summary>
    Complementary,
}

/// <summary>
/// Small-cell suppression for a count table whose column totals are published exactly (the CONSORT totals):
/// counts of 1 to <c>minSize - 1</c> are hidden, and then, while a row or column has exactly one hidden cell (which
/// its total would give away), its smallest positive shown cell is hidden too. Zero is shown and never hidden: it says
/// nobody, and when every other cell of a line is zero the hidden one equals the line's total, which is published
/// anyway. This is the usual one-line-at-a-time heuristic, not an exact solution of the table's equations.
/// </summary>
public static class SmallCells
{
    /// <param name="counts">Rows of equal length.</param>
    /// <param name="minSize">Smallest count shown; 1 or less shows everything.</param>
    /// <param name="lastIsRowTotal">The last column holds each row's total, so each row is an equation too.</param>
    public static CellDisclosure[][] Suppress(IReadOnlyList<IReadOnlyList<int>> counts, int minSize, bool lastIsRowTotal)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var hidden = counts.Select(row => row.Select(n => n > 0 && n < minSize ? CellDisclosure.Small : CellDisclosure.Shown).ToArray()).ToArray();
        var columns = counts.Count == 0 ? 0 : counts[0].Count;
        var lines = Enumerable.Range(0, columns).Select(c => Enumerable.Range(0, counts.Count).Select(r => (r, c)).ToArray()).ToList();
        if (lastIsRowTotal)
        {
            lines.AddRange(Enumerable.Range(0, counts.Count).Select(r => Enumerable.Range(0, columns).Select(c => (r, c)).ToArray()));
        }

        for (var changed = true; changed;)
        {
            changed = false;
            foreach (var line in lines)
            {
                if (line.Count(cell => hidden[cell.r][cell.c] != CellDisclosure.Shown) != 1)
                {
                    continue;
                }

                // The smallest positive count hides the least.
                var shown = line.Where(cell => hidden[cell.r][cell.c] == CellDisclosure.Shown && counts[cell.r][cell.c] > 0)
                    .OrderBy(cell => counts[cell.r][cell.c]).ToList();
                if (shown.Count > 0)
                {
                    hidden[shown[0].r][shown[0].c] = CellDisclosure.Complementary;
                    changed = true;
                }
            }
        }

        return hidden;
    }
}
