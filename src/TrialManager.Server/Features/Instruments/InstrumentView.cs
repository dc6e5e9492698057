using TrialManager.Domain.Instruments;
using TrialManager.Infrastructure.Instruments;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Instruments;

/// <summary>
/// An instrument as any role sees it: items with their scale resolved, subscales, scoring with the missing-item
/// rule, bands, alert rules, licence note and whose wording the labels are. A fidelity item's tag is left out: it
/// would tell a blind rater which elements belong to which arm; differentiation is computed from it afterwards.
/// </summary>
public sealed record InstrumentView(
    string Code,
    string Version,
    string Title,
    InstrumentRespondent Respondent,
    string Licence,
    WordingView Wording,
    IReadOnlyList<InstrumentItemView> Items,
    IReadOnlyList<Subscale> Subscales,
    InstrumentScoring Scoring,
    IReadOnlyList<ScoreBand> Bands,
    IReadOnlyList<AlertRule> Alerts)
{
    public static InstrumentView From(Instrument instrument)
    {
        var d = instrument.Definition;
        return new InstrumentView(
            d.Code, d.Version, d.Title, d.Respondent, d.Licence,
            instrument.Wording is { } w ? new WordingView("licensed", w.Source) : new WordingView("own", null),
            [.. d.Items.Select(i => new InstrumentItemView(i.Id, instrument.LabelOf(i), ScaleView.From(d.ScaleOf(i)), i.AppliesWhen, i.Dimension))],
            d.SubscaleList, d.Scoring, d.BandList, d.AlertList);
    }
}

/// <summary><c>own</c>: our short labels; <c>licensed</c>: the wording the trial supplied, with its source.</summary>
public sealed record WordingView(string Kind, string? Source);

public sealed record InstrumentItemView(string Id, string Label, ScaleView Scale, ItemCondition? AppliesWhen, FidelityDimension? Dimension);

public sealed record ScaleView(string Code, int Min, int Max, IReadOnlyList<ScaleAnchor> Anchors)
{
    public static ScaleView From(ResponseScale scale) => new(scale.Code, scale.Min, scale.Max, scale.Anchors);
}
