using System.Globalization;
using System.Text.RegularExpressions;

namespace TrialManager.Domain.Instruments;

/// <summary>
/// Checks a definition before it is used: ids 1..n, scales and anchors, subscales, scoring, bands and alert rules.
/// Returns every problem found (empty when the definition is sound), each naming what it is about.
/// </summary>
public static partial class InstrumentValidator
{
    public static IReadOnlyList<string> Problems(InstrumentDefinition definition)
    {
        var problems = new List<string>();
        void Problem(string text) => problems.Add(text);

        if (!CodePattern().IsMatch(definition.Code ?? string.Empty))
        {
            Problem($"code '{definition.Code}' must be letters, digits and '-', starting with a letter.");
        }

        if (!VersionPattern().IsMatch(definition.Version ?? string.Empty))
        {
            Problem($"version '{definition.Version}' must look like 1.0.");
        }

        if (string.IsNullOrWhiteSpace(definition.Title))
        {
            Problem("title is required.");
        }

        if (string.IsNullOrWhiteSpace(definition.Licence))
        {
            Problem("licence is required (say who owns the instrument and that the labels are our own).");
        }

        CheckScales(definition, Problem);
        CheckItems(definition, Problem);
        if (problems.Count > 0)
        {
            // Scoring, bands and alerts are read through the items and scales: checked only once those hold.
            return problems;
        }

        CheckSubscales(definition, Problem);
        CheckScoring(definition, Problem);
        CheckBands(definition, Problem);
        CheckAlerts(definition, Problem);
        return problems;
    }

    /// <summary>The lowest and highest value a score over these items can take.</summary>
    public static (double Min, double Max) Range(InstrumentDefinition definition, IReadOnlyList<InstrumentItem> items)
    {
        var scales = items.Select(definition.ScaleOf).ToList();
        return definition.Scoring.Method == ScoringMethod.Sum
            ? (scales.Sum(s => (double)s.Min), scales.Sum(s => (double)s.Max))
            : (scales.Min(s => (double)s.Min), scales.Max(s => (double)s.Max));
    }

    private static void CheckScales(InstrumentDefinition definition, Action<string> problem)
    {
        if (definition.Scales is not { Count: > 0 })
        {
            problem("scales: at least one scale is required.");
            return;
        }

        foreach (var duplicate in definition.Scales.GroupBy(s => s.Code).Where(g => g.Count() > 1))
        {
            problem($"scale '{duplicate.Key}' is defined more than once.");
        }

        foreach (var scale in definition.Scales)
        {
            var name = $"scale '{scale.Code}'";
            if (scale.Min >= scale.Max)
            {
                problem($"{name}: min {scale.Min} must be below max {scale.Max}.");
                continue;
            }

            var anchors = scale.Anchors ?? [];
            foreach (var outside in anchors.Where(a => a.Value < scale.Min || a.Value > scale.Max))
            {
                problem($"{name}: anchor {outside.Value} is outside {scale.Min}-{scale.Max}.");
            }

            foreach (var duplicate in anchors.GroupBy(a => a.Value).Where(g => g.Count() > 1))
            {
                problem($"{name}: value {duplicate.Key} has more than one anchor.");
            }

            foreach (var blank in anchors.Where(a => string.IsNullOrWhiteSpace(a.Label)))
            {
                problem($"{name}: anchor {blank.Value} has no label.");
            }

            if (scale.IsCoded)
            {
                var unanchored = Enumerable.Range(scale.Min, scale.Max - scale.Min + 1).Where(v => anchors.All(a => a.Value != v)).ToList();
                if (unanchored.Count > 0 || anchors.Any(a => string.IsNullOrWhiteSpace(a.Code)))
                {
                    problem($"{name}: a coded scale needs an anchor with a code for every value (missing: {string.Join(", ", unanchored)}).");
                }

                foreach (var duplicate in anchors.Where(a => a.Code is not null).GroupBy(a => a.Code).Where(g => g.Count() > 1))
                {
                    problem($"{name}: code '{duplicate.Key}' names more than one value.");
                }
            }
            else if (anchors.All(a => a.Value != scale.Min) || anchors.All(a => a.Value != scale.Max))
            {
                problem($"{name}: anchors must cover the scale, at least its ends {scale.Min} and {scale.Max}.");
            }
        }
    }

    private static void CheckItems(InstrumentDefinition definition, Action<string> problem)
    {
        if (definition.Items is not { Count: > 0 })
        {
            problem("items: at least one item is required.");
            return;
        }

        for (var i = 0; i < definition.Items.Count; i++)
        {
            var item = definition.Items[i];
            var expected = (i + 1).ToString(CultureInfo.InvariantCulture);
            if (item.Id != expected)
            {
                problem($"item ids are 1..n in order: item {i + 1} has id '{item.Id}'.");
            }

            if (string.IsNullOrWhiteSpace(item.Label))
            {
                problem($"item {item.Id}: label is required.");
            }

            if (definition.Scales.All(s => s.Code != item.Scale))
            {
                problem($"item {item.Id}: scale '{item.Scale}' is not defined.");
            }

            if (item.AppliesWhen is { } condition)
            {
                var earlier = definition.Items.Take(i).FirstOrDefault(x => x.Id == condition.Item);
                if (earlier is null)
                {
                    problem($"item {item.Id}: appliesWhen must name an earlier item, not '{condition.Item}'.");
                }
                else if (condition.Values is not { Count: > 0 }
                         || definition.Scales.FirstOrDefault(s => s.Code == earlier.Scale) is { } scale
                         && condition.Values.Any(v => v < scale.Min || v > scale.Max))
                {
                    problem($"item {item.Id}: appliesWhen needs values on item {condition.Item}'s scale.");
                }
            }

            if (item.Tag.HasValue != item.Dimension.HasValue)
            {
                problem($"item {item.Id}: a fidelity item has both a tag and a dimension.");
            }
        }

        if (definition.Items.Any(i => i.Tag.HasValue) && definition.Items.Any(i => !i.Tag.HasValue))
        {
            problem("items: on a fidelity form every item is tagged.");
        }
    }

    private static void CheckSubscales(InstrumentDefinition definition, Action<string> problem)
    {
        var ids = definition.Items.Select(i => i.Id).ToHashSet();
        foreach (var duplicate in definition.SubscaleList.GroupBy(s => s.Code).Where(g => g.Count() > 1))
        {
            problem($"subscale '{duplicate.Key}' is defined more than once.");
        }

        foreach (var subscale in definition.SubscaleList)
        {
            if (!CodePattern().IsMatch(subscale.Code ?? string.Empty) || subscale.Code == InstrumentDefinition.TotalScore)
            {
                problem($"subscale '{subscale.Code}': the code must be a name other than '{InstrumentDefinition.TotalScore}'.");
            }

            if (subscale.Items is not { Count: > 0 })
            {
                problem($"subscale '{subscale.Code}' has no items.");
                continue;
            }

            foreach (var unknown in subscale.Items.Where(i => !ids.Contains(i)))
            {
                problem($"subscale '{subscale.Code}' names item '{unknown}', which does not exist.");
            }

            if (subscale.Items.Distinct().Count() != subscale.Items.Count)
            {
                problem($"subscale '{subscale.Code}' names an item twice.");
            }
        }
    }

    private static void CheckScoring(InstrumentDefinition definition, Action<string> problem)
    {
        var scoring = definition.Scoring;
        if (scoring is null || scoring.Missing is null)
        {
            problem("scoring with a missing-item rule is required.");
            return;
        }

        var missing = scoring.Missing;
        if (scoring.Decimals is < 0 or > 4)
        {
            problem("scoring.decimals must be 0 to 4.");
        }

        if (missing.Policy == MissingItemPolicy.Refuse && (missing.MaxMissing != 0 || missing.MaxMissingPerSubscale != 0))
        {
            problem("scoring.missing: 'refuse' allows no missing items, so maxMissing and maxMissingPerSubscale are 0.");
        }

        if (missing.MaxMissing < 0 || missing.MaxMissingPerSubscale < 0)
        {
            problem("scoring.missing: maxMissing and maxMissingPerSubscale cannot be negative.");
        }

        if (scoring.Method == ScoringMethod.None)
        {
            if (scoring.Total || definition.SubscaleList.Count > 0 || missing.Policy == MissingItemPolicy.Prorate)
            {
                problem("scoring: an instrument scored 'none' has no total, no subscales and nothing to prorate.");
            }

            return;
        }

        if (!scoring.Total && definition.SubscaleList.Count == 0)
        {
            problem("scoring: a sum or mean needs a total or subscales to compute.");
        }

        foreach (var item in definition.Items.Where(i => definition.ScaleOf(i).IsCoded || i.AppliesWhen is not null))
        {
            problem($"scoring: item {item.Id} is coded or conditional and cannot enter a {scoring.Method.ToString().ToLowerInvariant()}.");
        }

        if (scoring.Total && missing.MaxMissing >= definition.Items.Count)
        {
            problem($"scoring.missing: maxMissing {missing.MaxMissing} must leave at least one of the {definition.Items.Count} items answered.");
        }

        foreach (var subscale in definition.SubscaleList.Where(s => missing.MaxMissingPerSubscale >= s.Items.Count))
        {
            problem($"scoring.missing: maxMissingPerSubscale {missing.MaxMissingPerSubscale} must leave at least one item of subscale '{subscale.Code}' answered.");
        }
    }

    private static void CheckBands(InstrumentDefinition definition, Action<string> problem)
    {
        var bands = definition.BandList;
        if (bands.Count == 0)
        {
            return;
        }

        if (!definition.Scoring.Total || definition.Scoring.Method == ScoringMethod.None)
        {
            problem("bands are over the total: the instrument must score a total.");
            return;
        }

        foreach (var duplicate in bands.GroupBy(b => b.Code).Where(g => g.Count() > 1))
        {
            problem($"band '{duplicate.Key}' is defined more than once.");
        }

        var (min, max) = Range(definition, definition.Items);
        var step = Math.Pow(10, -definition.Scoring.Decimals);
        if (!Same(bands[0].Min, min) || !Same(bands[^1].Max, max))
        {
            problem($"bands must cover the total's range {min}-{max}: they run from {bands[0].Min} to {bands[^1].Max}.");
        }

        for (var i = 0; i < bands.Count; i++)
        {
            if (bands[i].Min > bands[i].Max)
            {
                problem($"band '{bands[i].Code}': min {bands[i].Min} is above max {bands[i].Max}.");
            }

            if (i > 0 && !Same(bands[i].Min, bands[i - 1].Max + step))
            {
                problem($"bands must be contiguous: '{bands[i].Code}' starts at {bands[i].Min}, not {bands[i - 1].Max + step} after '{bands[i - 1].Code}'.");
            }
        }
    }

    private static void CheckAlerts(InstrumentDefinition definition, Action<string> problem)
    {
        foreach (var duplicate in definition.AlertList.GroupBy(a => a.Code).Where(g => g.Count() > 1))
        {
            problem($"alert '{duplicate.Key}' is defined more than once.");
        }

        foreach (var alert in definition.AlertList)
        {
            var name = $"alert '{alert.Code}'";
            switch (alert.Kind)
            {
                case AlertKind.ItemAbove:
                    var item = definition.Items.FirstOrDefault(i => i.Id == alert.Item);
                    if (item is null)
                    {
                        problem($"{name}: item '{alert.Item}' does not exist.");
                    }
                    else if (alert.Above is not { } above || above < definition.ScaleOf(item).Min || above >= definition.ScaleOf(item).Max)
                    {
                        problem($"{name}: 'above' must be a value on item {item.Id}'s scale below its top ({definition.ScaleOf(item).Max}).");
                    }

                    if (alert.By is not null)
                    {
                        problem($"{name}: 'by' belongs to a deterioration rule.");
                    }

                    break;
                case AlertKind.Deterioration:
                    if (!definition.Scoring.Total || definition.Scoring.Method == ScoringMethod.None)
                    {
                        problem($"{name}: a deterioration is of the total, and the instrument scores none.");
                    }

                    if (alert.By is not > 0)
                    {
                        problem($"{name}: 'by' must be above 0.");
                    }

                    if (alert.Item is not null || alert.Above is not null)
                    {
                        problem($"{name}: 'item' and 'above' belong to an itemAbove rule.");
                    }

                    break;
                default:
                    problem($"{name}: unknown kind.");
                    break;
            }
        }
    }

    private static bool Same(double a, double b) => Math.Abs(a - b) < 1e-9;

    [GeneratedRegex("^[a-z][A-Za-z0-9-]{0,39}$")]
    private static partial Regex CodePattern();

    [GeneratedRegex(@"^\d{1,3}\.\d{1,3}$")]
    private static partial Regex VersionPattern();
}
