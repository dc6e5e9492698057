using TrialManager.Domain.Instruments;

namespace TrialManager.Domain.Tests.Instruments;

public sealed class FidelityProfileTests
{
    private static readonly ResponseScale Rating = new("r", 0, 6, [new(0, "None"), new(6, "Much")]);

    private static InstrumentDefinition Form() => new(
        "fidelity-sample", "1.0", "Form", InstrumentRespondent.Rater, "Ours.", [Rating],
        [
            new("1", "Shared", "r", Tag: FidelityTag.Shared, Dimension: FidelityDimension.Adherence),
            new("2", "Mediator a", "r", Tag: FidelityTag.PrescribedMediator, Dimension: FidelityDimension.Adherence),
            new("3", "Mediator b", "r", Tag: FidelityTag.PrescribedMediator, Dimension: FidelityDimension.Adherence),
            new("4", "Mediator b competence", "r", new ItemCondition("3", [1, 2, 3, 4, 5, 6]), FidelityTag.PrescribedMediator, FidelityDimension.Competence),
            new("5", "Moderator", "r", Tag: FidelityTag.PrescribedModerator, Dimension: FidelityDimension.Adherence),
            new("6", "Proscribed", "r", Tag: FidelityTag.Proscribed, Dimension: FidelityDimension.Adherence),
        ],
        new InstrumentScoring(ScoringMethod.None, false, 0, new MissingItemRule(MissingItemPolicy.Refuse)));

    [Fact]
    public void Differentiation_IsOwnArmsPrescribedAdherence_MinusTheOtherArms()
    {
        var form = Form();
        Assert.Empty(InstrumentValidator.Problems(form));
        var answers = new Dictionary<string, int> { ["1"] = 5, ["2"] = 4, ["3"] = 6, ["4"] = 3, ["5"] = 1, ["6"] = 0 };

        var profile = FidelityProfile.Of(form, answers);

        Assert.Equal(5, profile.Adherence[FidelityTag.PrescribedMediator]);
        Assert.Equal(1, profile.Adherence[FidelityTag.PrescribedModerator]);
        Assert.Equal(3, profile.Competence[FidelityTag.PrescribedMediator]);
        Assert.Null(profile.Competence[FidelityTag.Shared]);
        Assert.Equal(4, profile.Differentiation("mediator"));
        Assert.Equal(-4, profile.Differentiation("moderator"));
        Assert.Null(profile.Differentiation("comparator"));
    }

    [Fact]
    public void CompetenceOfAnElementNotDelivered_CannotBeRated()
    {
        var answers = SampleInstruments.Answers(("1", 5), ("2", 4), ("3", 0), ("4", 3), ("5", 1), ("6", 0));

        Assert.Equal(["does not apply unless item 3 is 1 or 2 or 3 or 4 or 5 or 6"], MeasureScorer.Score(Form(), answers).Errors["4"]);
    }
}
