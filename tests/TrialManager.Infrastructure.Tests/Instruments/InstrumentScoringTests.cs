using TrialManager.Domain.Instruments;
using static TrialManager.Infrastructure.Tests.Instruments.ShippedInstruments;

namespace TrialManager.Infrastructure.Tests.Instruments;

/// <summary>Each shipped instrument scored by hand: the sums and means below are worked out in the comments.</summary>
public sealed class InstrumentScoringTests
{
    [Theory]
    [InlineData(new[] { 0, 0, 0, 0, 0, 0, 0, 0, 0 }, 0, "minimal")]
    [InlineData(new[] { 1, 1, 1, 1, 0, 0, 0, 0, 0 }, 4, "minimal")]
    [InlineData(new[] { 1, 1, 1, 1, 1, 0, 0, 0, 0 }, 5, "mild")]
    [InlineData(new[] { 2, 2, 2, 2, 1, 1, 0, 0, 0 }, 10, "moderate")]
    [InlineData(new[] { 2, 2, 2, 2, 2, 2, 2, 1, 0 }, 15, "moderatelySevere")]
    [InlineData(new[] { 3, 3, 3, 3, 2, 2, 2, 2, 0 }, 20, "severe")]
    [InlineData(new[] { 3, 3, 3, 3, 3, 3, 3, 3, 3 }, 27, "severe")]
    public void Phq9_SumsNineItems_IntoItsBands(int[] answers, double total, string band)
    {
        var measure = Scored("phq9", [.. answers.Select(a => (int?)a)]);

        Assert.Equal(total, measure.Scores["total"]);
        Assert.Equal(band, measure.Band);
        Assert.False(measure.Prorated);
    }

    [Fact]
    public void Phq9_OneMissingItem_IsProrated_TwoLeaveNoTotal()
    {
        // Eight answered items sum to 2+2+2+1+1+1+1+0 = 10; 10 / 8 x 9 = 11.25, rounded 11: moderate.
        var prorated = Scored("phq9", [2, 2, 2, 1, null, 1, 1, 1, 0]);
        Assert.Equal(11, prorated.Scores["total"]);
        Assert.Equal("moderate", prorated.Band);
        Assert.True(prorated.Prorated);

        // 2+2+2+1+1+1+0 = 9 over 7 items, 2 missing: more than the rule's 1.
        var missing = Scored("phq9", [2, 2, 2, 1, null, 1, 1, null, 0]);
        Assert.Null(missing.Scores["total"]);
        Assert.Null(missing.Band);
    }

    [Fact]
    public void Phq9_SelfHarmItemAboveZero_Alerts_AndARiseOfFive_IsADeterioration()
    {
        Assert.Equal(["selfHarm"], Scored("phq9", [0, 0, 0, 0, 0, 0, 0, 0, 1]).Alerts.Select(a => a.Rule));
        Assert.Empty(Scored("phq9", [1, 1, 1, 1, 1, 1, 1, 1, 0]).Alerts);
        // Total 8 after 3: up by 5.
        Assert.Equal(["deterioration"], Scored("phq9", [1, 1, 1, 1, 1, 1, 1, 1, 0], previousTotal: 3).Alerts.Select(a => a.Rule));
        Assert.Empty(Scored("phq9", [1, 1, 1, 1, 1, 1, 1, 1, 0], previousTotal: 4).Alerts);
        // A missing item 9 cannot fire the self-harm rule (the total is prorated from the other eight: 8 / 8 x 9 = 9).
        var unanswered = Scored("phq9", [1, 1, 1, 1, 1, 1, 1, 1, null]);
        Assert.Empty(unanswered.Alerts);
        Assert.Equal(9, unanswered.Scores["total"]);
    }

    [Fact]
    public void Phq9_AnswersOutsideZeroToThree_OrUnknownItems_AreRefusedByItem()
    {
        var outcome = MeasureScorer.Score(Get("phq9"), new Dictionary<string, decimal?> { ["1"] = 4, ["9"] = -1, ["10"] = 0, ["2"] = 0.5m });

        Assert.Equal(["1", "10", "2", "9"], outcome.Errors.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(new[] { 0, 0, 0, 0, 1, 1, 2 }, 4, "minimal")]
    [InlineData(new[] { 1, 1, 1, 1, 1, 0, 0 }, 5, "mild")]
    [InlineData(new[] { 2, 2, 2, 1, 1, 1, 0 }, 9, "mild")]
    [InlineData(new[] { 2, 2, 2, 2, 1, 1, 0 }, 10, "moderate")]
    [InlineData(new[] { 3, 2, 2, 2, 2, 2, 2 }, 15, "severe")]
    [InlineData(new[] { 3, 3, 3, 3, 3, 3, 3 }, 21, "severe")]
    public void Gad7_SumsSevenItems_IntoItsBands(int[] answers, double total, string band)
    {
        var measure = Scored("gad7", [.. answers.Select(a => (int?)a)]);

        Assert.Equal(total, measure.Scores["total"]);
        Assert.Equal(band, measure.Band);
    }

    [Fact]
    public void Gad7_OneMissingItem_IsProrated_TwoLeaveNoTotal()
    {
        // 3+3+2+2+2+1 = 13 over six items; 13 / 6 x 7 = 15.17, rounded 15: severe.
        var prorated = Scored("gad7", [3, 3, 2, 2, 2, 1, null]);
        Assert.Equal(15, prorated.Scores["total"]);
        Assert.Equal("severe", prorated.Band);
        Assert.True(prorated.Prorated);
        // 1.5 rounds away from zero: 1+1+1+1+1+0 = 5 over six, x 7 = 5.83 -> 6.
        Assert.Equal(6, Scored("gad7", [1, 1, 1, 1, 1, 0, null]).Scores["total"]);
        Assert.Null(Scored("gad7", [3, 3, 2, 2, 2, null, null]).Scores["total"]);
    }

    [Fact]
    public void Alliance12_TotalAndSubscales_AreMeansOfTheirItems()
    {
        // goal = items 1, 4, 7, 10; task = 2, 5, 8, 11; bond = 3, 6, 9, 12.
        var measure = Scored("alliance12", [5, 4, 3, 5, 4, 3, 4, 4, 3, 4, 3, 2]);

        Assert.Equal(4.5, measure.Scores["goal"]);   // 5+5+4+4 = 18 / 4
        Assert.Equal(3.75, measure.Scores["task"]);  // 4+4+4+3 = 15 / 4
        Assert.Equal(2.75, measure.Scores["bond"]);  // 3+3+3+2 = 11 / 4
        Assert.Equal(3.67, measure.Scores["total"]); // 44 / 12 = 3.666...
        Assert.Null(measure.Band);
        Assert.Empty(measure.Alerts);
    }

    [Fact]
    public void Alliance12_MissingItems_AreLeftOutOfTheMean_WithinTheRule()
    {
        // Item 1 (goal) missing: goal = (5+4+4)/3 = 4.33; total = 39/11 = 3.545 -> 3.55.
        var one = Scored("alliance12", [null, 4, 3, 5, 4, 3, 4, 4, 3, 4, 3, 2]);
        Assert.Equal(4.33, one.Scores["goal"]);
        Assert.Equal(3.55, one.Scores["total"]);
        Assert.True(one.Prorated);

        // Items 1 and 4 missing: goal has 2 of 4 missing (rule allows 1) -> null; the total (2 of 12) is still a mean.
        var two = Scored("alliance12", [null, 4, 3, null, 4, 3, 4, 4, 3, 4, 3, 2]);
        Assert.Null(two.Scores["goal"]);
        Assert.Equal(3.4, two.Scores["total"]); // 34 / 10
        Assert.Null(Scored("alliance12", [null, null, null, 5, 4, 3, 4, 4, 3, 4, 3, 2]).Scores["total"]);
    }

    [Fact]
    public void Alliance12_ZeroIsOutsideItsOneToFiveScale()
    {
        Assert.Equal(["must be between 1 and 5"], Score("alliance12", [0, 4, 3, 5, 4, 3, 4, 4, 3, 4, 3, 2]).Errors["1"]);
    }

    [Fact]
    public void RuptureLog_NoRupture_NeedsNothingMore_AndRefusesTheRest()
    {
        var none = Scored("ruptureLog", [0]);
        Assert.Empty(none.Scores);

        var refused = Score("ruptureLog", [0, 1, 1, 0, 2]);
        Assert.Equal(["2", "3", "4", "5"], refused.Errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void RuptureLog_ARupture_NeedsTypeRepairAndResolution_AndAStrategyOnlyWhenRepairWasAttempted()
    {
        // Confrontation, repair attempted by renegotiating, partly resolved.
        Assert.Equal(5, Scored("ruptureLog", [1, 1, 1, 1, 1]).Answers.Count);
        // Withdrawal, no repair attempted, not resolved: no strategy.
        Assert.Equal(4, Scored("ruptureLog", [1, 0, 0, null, 0]).Answers.Count);
        Assert.Equal(["does not apply unless item 3 is 1 (yes)"], Score("ruptureLog", [1, 0, 0, 0, 0]).Errors["4"]);

        var incomplete = Score("ruptureLog", [1, null, 1, null, null]);
        Assert.Equal(["2", "4", "5"], incomplete.Errors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["must be between 0 and 2"], Score("ruptureLog", [1, 0, 1, 3, 2]).Errors["4"]);
    }

    [Fact]
    public void TechniqueDose_RecordsFourCounts_AllRequired()
    {
        var measure = Scored("techniqueDose", [2, 1, 0, 3]);
        Assert.Equal(new Dictionary<string, int> { ["1"] = 2, ["2"] = 1, ["3"] = 0, ["4"] = 3 }, measure.Answers);
        Assert.Empty(measure.Scores);

        Assert.Equal(["is required"], Score("techniqueDose", [2, 1, null, 3]).Errors["3"]);
        Assert.Equal(["must be between 0 and 20"], Score("techniqueDose", [2, 1, 21, 3]).Errors["3"]);
    }

    [Theory]
    [InlineData("cognitive")]
    [InlineData("interpersonal")]
    [InlineData("behavioral")]
    [InlineData("environmental")]
    public void FidelityForm_RatesEveryElement_AndDifferentiationComesFromTheTagsAfterwards(string formulation)
    {
        var form = Get($"fidelity-{formulation}");
        // Every element delivered at 6 when the mediator arm prescribes it, 2 when the moderator arm does, 4 when shared,
        // 0 when proscribed; competence 5 throughout.
        var answers = new Dictionary<string, decimal?>();
        foreach (var item in form.Items)
        {
            answers[item.Id] = item.Dimension == FidelityDimension.Competence ? 5 : item.Tag switch
            {
                FidelityTag.PrescribedMediator => 6,
                FidelityTag.PrescribedModerator => 2,
                FidelityTag.Shared => 4,
                _ => 0,
            };
        }

        var measure = MeasureScorer.Score(form, answers).Measure!;
        var profile = FidelityProfile.Of(form, measure.Answers);

        Assert.Empty(measure.Scores);
        Assert.Equal(4, profile.Differentiation("mediator"));
        Assert.Equal(-4, profile.Differentiation("moderator"));
        Assert.Equal(0, profile.Adherence[FidelityTag.Proscribed]);
        Assert.Equal(5, profile.Competence[FidelityTag.Shared]);
        Assert.Null(profile.Competence[FidelityTag.Proscribed]);
    }

    [Fact]
    public void FidelityForm_AnElementNotDelivered_HasNoCompetenceRating()
    {
        var form = Get("fidelity-cognitive");
        var answers = form.Items.ToDictionary(i => i.Id, i => (decimal?)(i.Dimension == FidelityDimension.Competence ? 4 : 3));
        answers["1"] = 0; // adherence 0 on the first element: its competence (item 2) must not be given

        Assert.Contains("does not apply unless item 1 is", Assert.Single(MeasureScorer.Score(form, answers).Errors["2"]), StringComparison.Ordinal);
        answers["2"] = null;
        Assert.True(MeasureScorer.Score(form, answers).IsValid);
    }
}
