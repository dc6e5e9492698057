using TrialManager.Domain.Instruments;
using static TrialManager.Domain.Tests.Instruments.SampleInstruments;

namespace TrialManager.Domain.Tests.Instruments;

public sealed class InstrumentValidatorTests
{
    [Fact]
    public void SoundDefinitions_HaveNoProblems()
    {
        Assert.Empty(InstrumentValidator.Problems(Summed()));
        Assert.Empty(InstrumentValidator.Problems(Log()));
    }

    public static TheoryData<string, string> Broken() => new()
    {
        { "ids out of order", "item ids are 1..n" },
        { "duplicate id", "item ids are 1..n" },
        { "unknown scale", "scale 'nope' is not defined" },
        { "min not below max", "min 3 must be below max 3" },
        { "anchors miss an end", "anchors must cover the scale" },
        { "anchor outside", "anchor 7 is outside" },
        { "coded scale with a gap", "a coded scale needs an anchor with a code for every value" },
        { "subscale names a missing item", "names item '9', which does not exist" },
        { "subscale called total", "the code must be a name other than 'total'" },
        { "bands with a gap", "bands must be contiguous" },
        { "bands short of the range", "bands must cover the total's range 0-12" },
        { "band over no total", "bands are over the total" },
        { "alert on a missing item", "item '12' does not exist" },
        { "alert above the top", "'above' must be a value on item 4's scale" },
        { "deterioration by 0", "'by' must be above 0" },
        { "prorating all items away", "maxMissing 4 must leave at least one" },
        { "refuse with missing allowed", "'refuse' allows no missing items" },
        { "conditional item in a sum", "item 2 is coded or conditional" },
        { "condition on a later item", "appliesWhen must name an earlier item" },
        { "condition outside the scale", "appliesWhen needs values on item 1's scale" },
        { "half-tagged fidelity form", "on a fidelity form every item is tagged" },
        { "no licence", "licence is required" },
        { "bad version", "version '1' must look like 1.0" },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public void BrokenDefinition_IsRefused_WithAProblemThatNamesIt(string breakage, string expected)
    {
        var definition = Break(breakage);

        var problems = InstrumentValidator.Problems(definition);

        Assert.True(problems.Any(p => p.Contains(expected, StringComparison.Ordinal)),
            $"{breakage}: expected a problem containing \"{expected}\"; got: {string.Join(" | ", problems)}");
    }

    private static InstrumentDefinition Break(string breakage)
    {
        var d = Summed();
        var log = Log();
        return breakage switch
        {
            "ids out of order" => d with { Items = [d.Items[1], d.Items[0], d.Items[2], d.Items[3]] },
            "duplicate id" => d with { Items = [d.Items[0], d.Items[0], d.Items[2], d.Items[3]] },
            "unknown scale" => d with { Items = [.. d.Items.Take(3), d.Items[3] with { Scale = "nope" }] },
            "min not below max" => d with { Scales = [ZeroToThree with { Min = 3 }] },
            "anchors miss an end" => d with { Scales = [ZeroToThree with { Anchors = [new(0, "Never")] }] },
            "anchor outside" => d with { Scales = [ZeroToThree with { Anchors = [.. ZeroToThree.Anchors, new(7, "Beyond")] }] },
            "coded scale with a gap" => log with { Scales = [log.Scales[0], log.Scales[1] with { Anchors = [new(0, "A", "a"), new(2, "C", "c")] }] },
            "subscale names a missing item" => d with { Subscales = [new Subscale("first", "First", ["1", "9"])] },
            "subscale called total" => d with { Subscales = [new Subscale("total", "Total", ["1"])] },
            "bands with a gap" => d with { Bands = [new ScoreBand("low", 0, 5), new ScoreBand("high", 7, 12)] },
            "bands short of the range" => d with { Bands = [new ScoreBand("low", 0, 5), new ScoreBand("high", 6, 11)] },
            "band over no total" => d with { Scoring = d.Scoring with { Total = false } },
            "alert on a missing item" => d with { Alerts = [new AlertRule("x", AlertKind.ItemAbove, Item: "12", Above: 0)] },
            "alert above the top" => d with { Alerts = [new AlertRule("x", AlertKind.ItemAbove, Item: "4", Above: 3)] },
            "deterioration by 0" => d with { Alerts = [new AlertRule("x", AlertKind.Deterioration, By: 0)] },
            "prorating all items away" => d with { Scoring = d.Scoring with { Missing = new MissingItemRule(MissingItemPolicy.Prorate, 4) } },
            "refuse with missing allowed" => d with { Scoring = d.Scoring with { Missing = new MissingItemRule(MissingItemPolicy.Refuse, 1) } },
            "conditional item in a sum" => d with { Items = [d.Items[0], d.Items[1] with { AppliesWhen = new ItemCondition("1", [1]) }, d.Items[2], d.Items[3]] },
            "condition on a later item" => log with { Items = [log.Items[0] with { AppliesWhen = new ItemCondition("2", [1]) }, log.Items[1]] },
            "condition outside the scale" => log with { Items = [log.Items[0], log.Items[1] with { AppliesWhen = new ItemCondition("1", [5]) }] },
            "half-tagged fidelity form" => log with { Items = [log.Items[0] with { Tag = FidelityTag.Shared, Dimension = FidelityDimension.Adherence }, log.Items[1]] },
            "no licence" => d with { Licence = " " },
            "bad version" => d with { Version = "1" },
            _ => throw new ArgumentOutOfRangeException(nameof(breakage), breakage, null),
        };
    }
}
