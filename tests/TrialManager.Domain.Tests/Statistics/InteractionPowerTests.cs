using TrialManager.Domain.Statistics;

namespace TrialManager.Domain.Tests.Statistics;

public class InteractionPowerTests
{
    // A 2 x 2 (two formulations, arms 1:1) whose interaction contrast (difference in differences) is d, in SD units.
    private static PowerInput TwoByTwo(double d, int participants, int trials = 10_000, double dropout = 0) => new()
    {
        Formulations = ["cognitive", "interpersonal"],
        Arms = [("mediator", 1), ("moderator", 1)],
        CellMeans = new[,] { { -d / 4, d / 4 }, { d / 4, -d / 4 } },
        Prevalence = [1, 1],
        Dropout = dropout,
        Participants = participants,
        Trials = trials,
        BalancedWithinFormulation = true,
        Seed = "power-tests",
    };

    [Fact]
    public void ClosedForm_For2x2_IsTheNoncentralFWithLambdaFromTheCellSizes()
    {
        // Balanced 2 x 2 with n per cell: Var(contrast) = 4 sigma^2 / n, so lambda = d^2 n / 4; F(1, 4n - 4).
        const double d = 0.6;
        const int n = 60;
        var lambda = d * d * n / 4;
        var expected = 1 - NoncentralF.Cdf(FDistribution.Quantile(0.95, 1, (4 * n) - 4), 1, (4 * n) - 4, lambda);

        Assert.Equal(expected, InteractionPower.ClosedFormInteractionPower(TwoByTwo(d, 4 * n), 4 * n), 12);
    }

    [Fact]
    public void SizeFor80_For2x2_AgreesWithTheNormalApproximation()
    {
        // N = 4 cells x 4 (z_.975 + z_.80)^2 / d^2 = 502.3 for d = 0.5; the exact F test needs a few more.
        var report = InteractionPower.Run(TwoByTwo(0.5, 240, trials: 4_000));

        Assert.InRange(report.ParticipantsFor80!.Value, 502, 512);
        Assert.InRange(report.ParticipantsFor90!.Value, 670, 690);
        Assert.InRange(report.SimulatedPowerAt80!.Value, 0.8 - 0.03, 0.8 + 0.03);
    }

    [Theory]
    [InlineData(0.6, 240, 0.0)]
    [InlineData(0.4, 400, 0.2)]
    [InlineData(0.0, 240, 0.0)]
    public void Simulation_For2x2_MatchesTheClosedFormWithinMonteCarloError(double d, int participants, double dropout)
    {
        var report = InteractionPower.Run(TwoByTwo(d, participants, dropout: dropout));

        // 10,000 trials: the simulated share has a standard error of at most 0.005; 0.02 is four of them.
        Assert.InRange(report.Interaction!.Power - report.Interaction.ClosedForm, -0.02, 0.02);
        if (d == 0)
        {
            Assert.InRange(report.Interaction.Power, 0.05 - 0.015, 0.05 + 0.015); // the test holds its size
        }
    }

    [Fact]
    public void ArmEffects_ArePerFormulation()
    {
        var input = TwoByTwo(0.8, 240) with { CellMeans = new[,] { { 0, 0.8 }, { 0, 0 } } };

        var report = InteractionPower.Run(input);

        Assert.Equal(["cognitive", "interpersonal"], report.ArmEffects.Select(a => a.Formulation));
        Assert.True(report.ArmEffects[0].ArmEffect.Power > 0.8);
        Assert.InRange(report.ArmEffects[1].ArmEffect.Power, 0.02, 0.08);
        Assert.InRange(report.ArmEffects[0].ArmEffect.Power - report.ArmEffects[0].ArmEffect.ClosedForm, -0.02, 0.02);
    }

    [Fact]
    public void ThreeArmsAndFourFormulations_AreTestedJointly()
    {
        var input = new PowerInput
        {
            Formulations = ["cognitive", "interpersonal", "behavioral", "environmental"],
            Arms = [("mediator", 1), ("moderator", 1), ("comparator", 1)],
            CellMeans = new[,] { { 0, 0.3, 0 }, { 0.3, 0, 0 }, { 0, 0.3, 0 }, { 0, 0, 0 } },
            Prevalence = [4, 3, 2, 1],
            Dropout = 0.1,
            Participants = 600,
            Trials = 4_000,
            BalancedWithinFormulation = false,
            Seed = "three-arms",
        };

        var report = InteractionPower.Run(input);

        Assert.InRange(report.Interaction!.Power - report.Interaction.ClosedForm, -0.03, 0.03);
    }

    [Fact]
    public void Run_IsReproducibleFromItsSeed()
    {
        var input = TwoByTwo(0.5, 240, trials: 2_000);

        Assert.Equal(InteractionPower.Run(input).Interaction, InteractionPower.Run(input).Interaction);
        Assert.NotEqual(InteractionPower.Run(input).Interaction, InteractionPower.Run(input with { Seed = "other" }).Interaction);
    }

    [Fact]
    public void OneFormulation_HasNoInteraction()
    {
        var input = TwoByTwo(0.5, 240, trials: 500) with { Formulations = ["cognitive"], CellMeans = new[,] { { 0, 0.5 } }, Prevalence = [1] };

        var report = InteractionPower.Run(input);

        Assert.Null(report.Interaction);
        Assert.Null(report.ParticipantsFor80);
        Assert.Single(report.ArmEffects);
    }
}
