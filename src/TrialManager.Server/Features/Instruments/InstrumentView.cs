using TrialManager.Domain.Common;
using TrialManager.Domain.Instruments;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Instruments;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Instruments;

/// <summary>
/// An instrument as any role sees it: items with their scale resolved, subscales, scoring with the missing-item
/// rule, bands, alert rules, licence note and whose wording the labels are. A fidelity item's tag is left out: it
/// would tell a blind rater which elements belong to which arm; differentiation is computed from it afterwards.
/// <paramref name="PrimaryRule"/> is the formulation rating's rule in words (null for the questionnaires and forms).
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
    IReadOnlyList<AlertRule> Alerts,
    string? PrimaryRule = null)
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

/// <summary>
/// The formulation rating described like an instrument, so a rater's tools read its anchored scale where they read the
/// others'. It is not in the catalogue: it is entered only through <c>POST /api/participants/{id}/formulations</c>
/// (never as a measure), its items are the factor codes of that body, and the rule that turns scores into a primary
/// formulation belongs to each trial, so it is described in words.
/// </summary>
public static class FormulationInstrument
{
    public const string Code = "formulation";

    public static readonly InstrumentView View = Build();

    private static InstrumentView Build()
    {
        var scale = new ScaleView(Code, FormulationScores.Min, FormulationScores.Max,
            [.. FormulationScores.Anchors.Select((label, value) => new ScaleAnchor(value, label))]);
        return new InstrumentView(
            Code, "1.0", "Case formulation: maintaining factors", InstrumentRespondent.Rater,
            "Our own anchored scale; no licence needed.", new WordingView("own", null),
            [.. Enum.GetValues<Formulation>().Select(f => new InstrumentItemView(f.Wire(), $"{Capitalized(f.Wire())} factor maintains the problem", scale, null, null))],
            [], new InstrumentScoring(ScoringMethod.None, Total: false, Decimals: 0, new MissingItemRule(MissingItemPolicy.Refuse)), [], [],
            "The primary formulation is the factor scored highest when it leads the next highest by at least the trial's "
            + "formulationRule.minMargin points; otherwise the rating is indeterminate. Every factor is scored; the first rating, "
            + "an agreeing second rating or a consensus rating decides the participant's primary formulation.");
    }

    private static string Capitalized(string word) => char.ToUpperInvariant(word[0]) + word[1..];
}

/// <summary><c>own</c>: our short labels; <c>licensed</c>: the wording the trial supplied, with its source.</summary>
public sealed record WordingView(string Kind, string? Source);

public sealed record InstrumentItemView(string Id, string Label, ScaleView Scale, ItemCondition? AppliesWhen, FidelityDimension? Dimension);

public sealed record ScaleView(string Code, int Min, int Max, IReadOnlyList<ScaleAnchor> Anchors)
{
    public static ScaleView From(ResponseScale scale) => new(scale.Code, scale.Min, scale.Max, scale.Anchors);
}
