using System.Globalization;

namespace TrialManager.Domain.Instruments;

/// <summary>
/// Turns a respondent's answers into a measure: checks every answer against the definition (unknown item, outside
/// the scale, not a whole number, answered although it does not apply, missing where the rule refuses it; errors are
/// keyed by item id), then computes the scores, the band and the alerts. The server scores; clients never send scores.
/// </summary>
public static class MeasureScorer
{
    /// <param name="answers">Item id to answer; an absent id or a null answer is a missing item.</param>
    /// <param name="previousTotal">The participant's previous total on this instrument, for deterioration rules.</param>
    public static MeasureOutcome Score(InstrumentDefinition definition, IReadOnlyDictionary<string, decimal?> answers, double? previousTotal = null)
    {
        var errors = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        void Error(string item, string message)
        {
            if (!errors.TryGetValue(item, out var list))
            {
                errors[item] = list = [];
            }

            list.Add(message);
        }

        var ids = definition.Items.Select(i => i.Id).ToHashSet();
        foreach (var unknown in answers.Keys.Where(k => !ids.Contains(k)))
        {
            Error(unknown, $"is not an item of {definition.Code} (items 1-{definition.Items.Count})");
        }

        // In item order, so a condition reads an earlier answer already checked.
        var accepted = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var item in definition.Items)
        {
            var applies = Applies(item, accepted);
            var given = answers.TryGetValue(item.Id, out var value) ? value : null;
            if (given is null)
            {
                if (applies && definition.Scoring.Missing.Policy == MissingItemPolicy.Refuse)
                {
                    Error(item.Id, "is required");
                }

                continue;
            }

            if (!applies)
            {
                var condition = item.AppliesWhen!;
                Error(item.Id, $"does not apply unless item {condition.Item} is {string.Join(" or ", condition.Values.Select(v => Describe(definition, condition.Item, v)))}");
                continue;
            }

            var scale = definition.ScaleOf(item);
            if (given.Value != decimal.Truncate(given.Value))
            {
                Error(item.Id, "must be a whole number");
            }
            else if (given.Value < scale.Min || given.Value > scale.Max)
            {
                Error(item.Id, $"must be between {scale.Min} and {scale.Max}");
            }
            else
            {
                accepted[item.Id] = (int)given.Value;
            }
        }

        if (errors.Count > 0)
        {
            return new MeasureOutcome(errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal), null);
        }

        var scores = new Dictionary<string, double?>(StringComparer.Ordinal);
        var prorated = false;
        var rule = definition.Scoring.Missing;
        if (definition.Scoring.Method != ScoringMethod.None)
        {
            if (definition.Scoring.Total)
            {
                scores[InstrumentDefinition.TotalScore] = ScoreOf(definition, definition.Items.Select(i => i.Id).ToList(), accepted, rule.MaxMissing, ref prorated);
            }

            foreach (var subscale in definition.SubscaleList)
            {
                scores[subscale.Code] = ScoreOf(definition, subscale.Items, accepted, rule.MaxMissingPerSubscale, ref prorated);
            }
        }

        var total = scores.GetValueOrDefault(InstrumentDefinition.TotalScore);
        var band = total is { } t ? definition.BandList.FirstOrDefault(b => t >= b.Min - 1e-9 && t <= b.Max + 1e-9)?.Code : null;
        var alerts = definition.AlertList.Where(rule => Triggered(rule, accepted, total, previousTotal))
            .Select(rule => new TriggeredAlert(rule.Code, rule.Kind))
            .ToList();
        return new MeasureOutcome(new Dictionary<string, string[]>(), new ScoredMeasure(definition.Code, definition.Version, accepted, scores, band, prorated, alerts));
    }

    private static bool Applies(InstrumentItem item, IReadOnlyDictionary<string, int> accepted) =>
        item.AppliesWhen is not { } condition
        || accepted.TryGetValue(condition.Item, out var answer) && condition.Values.Contains(answer);

    private static double? ScoreOf(InstrumentDefinition definition, IReadOnlyList<string> items, IReadOnlyDictionary<string, int> accepted, int maxMissing, ref bool prorated)
    {
        var answered = items.Where(accepted.ContainsKey).Select(i => (double)accepted[i]).ToList();
        var missing = items.Count - answered.Count;
        if (answered.Count == 0 || missing > maxMissing)
        {
            return null;
        }

        prorated |= missing > 0;
        var mean = answered.Average();
        var value = definition.Scoring.Method == ScoringMethod.Sum ? mean * items.Count : mean;
        return Math.Round(value, definition.Scoring.Decimals, MidpointRounding.AwayFromZero);
    }

    private static bool Triggered(AlertRule rule, IReadOnlyDictionary<string, int> accepted, double? total, double? previousTotal) => rule.Kind switch
    {
        AlertKind.ItemAbove => accepted.TryGetValue(rule.Item!, out var answer) && answer > rule.Above,
        AlertKind.Deterioration => total is { } now && previousTotal is { } before && now - before >= rule.By!.Value - 1e-9,
        _ => false,
    };

    private static string Describe(InstrumentDefinition definition, string itemId, int value)
    {
        var item = definition.Items.First(i => i.Id == itemId);
        var code = definition.ScaleOf(item).Anchors.FirstOrDefault(a => a.Value == value)?.Code;
        var number = value.ToString(CultureInfo.InvariantCulture);
        return code is null ? number : $"{number} ({code})";
    }
}

/// <summary>Either errors keyed by item id (nothing scored) or the scored measure.</summary>
public sealed record MeasureOutcome(IReadOnlyDictionary<string, string[]> Errors, ScoredMeasure? Measure)
{
    public bool IsValid => Measure is not null;
}

/// <summary>
/// A measure as the server computed it: the accepted answers, each score (null when too many of its items are
/// missing), the band of the total, whether any score was prorated, and the alert rules it triggered.
/// </summary>
public sealed record ScoredMeasure(
    string Instrument,
    string Version,
    IReadOnlyDictionary<string, int> Answers,
    IReadOnlyDictionary<string, double?> Scores,
    string? Band,
    bool Prorated,
    IReadOnlyList<TriggeredAlert> Alerts);

public sealed record TriggeredAlert(string Rule, AlertKind Kind);
