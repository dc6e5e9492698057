using TrialManager.Domain.Instruments;

namespace TrialManager.Domain.Tests.Instruments;

/// <summary>Small definitions written out in code, so each test can break exactly one thing.</summary>
internal static class SampleInstruments
{
    public static readonly ResponseScale ZeroToThree = new("s", 0, 3, [new(0, "Never"), new(3, "Always")]);

    /// <summary>Four items 0-3 summed; one missing item prorated; bands 0-5 / 6-12; alert when item 4 is above 1, or the total rises by 3.</summary>
    public static InstrumentDefinition Summed() => new(
        "sample", "1.0", "Sample", InstrumentRespondent.Participant, "Ours.",
        [ZeroToThree],
        [new("1", "A", "s"), new("2", "B", "s"), new("3", "C", "s"), new("4", "D", "s")],
        new InstrumentScoring(ScoringMethod.Sum, Total: true, Decimals: 0, new MissingItemRule(MissingItemPolicy.Prorate, MaxMissing: 1, MaxMissingPerSubscale: 0)),
        Subscales: [new Subscale("first", "First two", ["1", "2"])],
        Bands: [new ScoreBand("low", 0, 5), new ScoreBand("high", 6, 12)],
        Alerts: [new AlertRule("item4", AlertKind.ItemAbove, Item: "4", Above: 1), new AlertRule("worse", AlertKind.Deterioration, By: 3)]);

    /// <summary>A log: item 1 yes/no, item 2 (coded) only when item 1 is yes; nothing scored, nothing may be missing.</summary>
    public static InstrumentDefinition Log() => new(
        "log", "1.0", "Log", InstrumentRespondent.Therapist, "Ours.",
        [
            new ResponseScale("yesNo", 0, 1, [new(0, "No", "no"), new(1, "Yes", "yes")]),
            new ResponseScale("kind", 0, 2, [new(0, "A", "a"), new(1, "B", "b"), new(2, "C", "c")]),
        ],
        [new("1", "Happened", "yesNo"), new("2", "Kind", "kind", new ItemCondition("1", [1]))],
        new InstrumentScoring(ScoringMethod.None, Total: false, Decimals: 0, new MissingItemRule(MissingItemPolicy.Refuse)));

    public static Dictionary<string, decimal?> Answers(params (string Item, decimal? Value)[] answers) =>
        answers.ToDictionary(a => a.Item, a => a.Value);
}
