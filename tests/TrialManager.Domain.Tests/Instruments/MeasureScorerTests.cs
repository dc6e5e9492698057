using CsCheck;
using TrialManager.Domain.Instruments;
using static TrialManager.Domain.Tests.Instruments.SampleInstruments;

namespace TrialManager.Domain.Tests.Instruments;

public sealed class MeasureScorerTests
{
    [Fact]
    public void CompleteAnswers_AreSummed_Banded_AndNotProrated()
    {
        var measure = MeasureScorer.Score(Summed(), Answers(("1", 1), ("2", 2), ("3", 3), ("4", 1))).Measure!;

        Assert.Equal(7, measure.Scores["total"]);
        Assert.Equal(3, measure.Scores["first"]);
        Assert.Equal("high", measure.Band);
        Assert.False(measure.Prorated);
        Assert.Empty(measure.Alerts);
    }

    [Fact]
    public void OneMissingItem_IsProrated_FromTheMeanOfTheOthers()
    {
        // 1 + 2 + 2 = 5 over three items: mean 5/3, times 4 = 6.67, rounded 7; the subscale allows none missing.
        var measure = MeasureScorer.Score(Summed(), Answers(("1", 1), ("3", 2), ("4", 2))).Measure!;

        Assert.Equal(7, measure.Scores["total"]);
        Assert.Null(measure.Scores["first"]);
        Assert.True(measure.Prorated);
        Assert.Equal("high", measure.Band);
    }

    [Fact]
    public void MoreMissingItemsThanTheRuleAllows_LeaveTheScoreNull_AndNoBand()
    {
        var measure = MeasureScorer.Score(Summed(), Answers(("1", 1), ("2", null))).Measure!;

        Assert.Null(measure.Scores["total"]);
        Assert.Null(measure.Band);
    }

    [Fact]
    public void ItemAlert_FiresAboveItsValue_AndDeterioration_FromThePreviousTotal()
    {
        var answers = Answers(("1", 3), ("2", 3), ("3", 0), ("4", 2));

        Assert.Equal(["item4"], MeasureScorer.Score(Summed(), answers).Measure!.Alerts.Select(a => a.Rule));
        Assert.Equal(["item4", "worse"], MeasureScorer.Score(Summed(), answers, previousTotal: 5).Measure!.Alerts.Select(a => a.Rule));
        Assert.Equal(["item4"], MeasureScorer.Score(Summed(), answers, previousTotal: 6).Measure!.Alerts.Select(a => a.Rule));
    }

    [Fact]
    public void BadAnswers_AreErrorsKeyedByItem_AndNothingIsScored()
    {
        var outcome = MeasureScorer.Score(Summed(), Answers(("1", 4), ("2", -1), ("3", 1.5m), ("7", 1), ("x", 0)));

        Assert.Null(outcome.Measure);
        Assert.Equal(["1", "2", "3", "7", "x"], outcome.Errors.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("must be between 0 and 3", outcome.Errors["1"]);
        Assert.Contains("must be a whole number", outcome.Errors["3"]);
        Assert.Contains("is not an item of sample (items 1-4)", outcome.Errors["7"]);
    }

    [Fact]
    public void AWholeNumberWrittenWithADecimalPoint_IsAccepted()
    {
        Assert.True(MeasureScorer.Score(Summed(), Answers(("1", 2.0m), ("2", 0), ("3", 0), ("4", 0))).IsValid);
    }

    [Fact]
    public void AnswerToAnItemThatDoesNotApply_IsRefused()
    {
        var outcome = MeasureScorer.Score(Log(), Answers(("1", 0), ("2", 1)));

        Assert.Equal(["does not apply unless item 1 is 1 (yes)"], outcome.Errors["2"]);
    }

    [Fact]
    public void UnderTheRefuseRule_AMissingItemThatApplies_IsRequired_AndOneThatDoesNot_IsNot()
    {
        Assert.Equal(["is required"], MeasureScorer.Score(Log(), Answers(("1", 1))).Errors["2"]);
        Assert.Equal(["is required"], MeasureScorer.Score(Log(), Answers()).Errors["1"]);

        var measure = MeasureScorer.Score(Log(), Answers(("1", 0))).Measure!;
        Assert.Equal(new Dictionary<string, int> { ["1"] = 0 }, measure.Answers);
        Assert.Empty(measure.Scores);
    }

    [Fact]
    public void AnyValidAnswers_GiveATotalInRange_InExactlyOneBand()
    {
        var definition = Summed();
        // -1 stands for a missing item.
        Gen.Int[-1, 3].Array[4].Sample(values =>
        {
            var answers = values.Select((v, i) => ((i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), v < 0 ? null : (decimal?)v)).ToArray();
            var measure = MeasureScorer.Score(definition, Answers(answers)).Measure!;
            var missing = values.Count(v => v < 0);
            if (missing > 1)
            {
                return measure.Scores["total"] is null && measure.Band is null;
            }

            var total = measure.Scores["total"]!.Value;
            return total is >= 0 and <= 12 && total == Math.Round(total)
                && definition.BandList.Count(b => total >= b.Min && total <= b.Max) == 1 && measure.Band is not null
                && measure.Prorated == (missing == 1)
                && (missing > 0 || total == values.Sum());
        });
    }
}
