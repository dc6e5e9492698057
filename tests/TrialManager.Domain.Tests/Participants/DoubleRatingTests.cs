using CsCheck;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Randomization;
using TrialManager.Domain.Trials;

namespace TrialManager.Domain.Tests.Participants;

public sealed class DoubleRatingTests
{
    private static readonly KeyDerivation Derivation = KeyDerivation.Version2("t-domain");
    private const string Seed = "00112233445566778899aabbccddeeff";

    [Fact]
    public void Draw_IsReproducible_AndInUnitInterval()
    {
        Gen.String.Select(Gen.Double[0.01, 1.0]).Sample((id, share) =>
        {
            var first = DoubleRating.Draw(Seed, Derivation, id);
            Assert.Equal(first, DoubleRating.Draw(Seed, Derivation, id));
            Assert.InRange(first, 0.0, 1.0 - double.Epsilon);
            Assert.Equal(first < share, DoubleRating.IsDrawn(Seed, Derivation, id, share));
        });
    }

    [Fact]
    public void Draw_DependsOnTheSecretSeed_SoTheStudyIdAloneDoesNotPredictIt()
    {
        var ids = Enumerable.Range(1, 400).Select(i => $"t-domain-AAA-{i:D4}").ToList();
        var withOne = ids.Select(id => DoubleRating.IsDrawn(Seed, Derivation, id, 0.5)).ToList();
        var withOther = ids.Select(id => DoubleRating.IsDrawn("ffeeddccbbaa99887766554433221100", Derivation, id, 0.5)).ToList();

        Assert.NotEqual(withOne, withOther);
    }

    [Theory]
    [InlineData(0.25)]
    [InlineData(0.5)]
    [InlineData(1.0)]
    public void Share_IsTheLongRunProportionDrawn(double share)
    {
        var drawn = Enumerable.Range(1, 4000).Count(i => DoubleRating.IsDrawn(Seed, Derivation, $"t-domain-AAA-{i:D4}", share));

        // Binomial(4000, share): four standard deviations either side.
        var sd = Math.Sqrt(4000 * share * (1 - share));
        Assert.InRange(drawn, (4000 * share) - (4 * sd) - 0.5, (4000 * share) + (4 * sd) + 0.5);
    }

    [Fact]
    public void DrawnParticipant_StaysPending_UntilASecondRater_ThenFormulatedByTheFirstWhenTheyAgree()
    {
        var (p, trial) = Walk.To(ParticipantStatus.Consented);

        p.RateFormulation(trial.Definition, "R01", Walk.CognitiveLeads, false, null, Walk.Now, doubleRated: true);
        Assert.Equal(ParticipantStatus.FormulationPending, p.Status);
        Assert.Equal(FormulationAwaiting.SecondRating, p.AwaitingFormulation);
        Assert.Null(p.PrimaryFormulation);
        Assert.Null(p.DecidingRating);
        Assert.Throws<Common.WorkflowConflictException>(() => p.EnsureCanBeRandomized());

        p.RateFormulation(trial.Definition, "R02", new FormulationScores(3, 1, 1, 0), false, null, Walk.Now, doubleRated: true);
        Assert.Equal(ParticipantStatus.Formulated, p.Status);
        Assert.Null(p.AwaitingFormulation);
        Assert.Equal(Formulation.Cognitive, p.PrimaryFormulation);
        Assert.Equal(1, p.DecidingRating);
    }

    [Fact]
    public void DrawnParticipant_TheSameRaterTwice_IsRefused()
    {
        var (p, trial) = Walk.To(ParticipantStatus.Consented);
        p.RateFormulation(trial.Definition, "R01", Walk.CognitiveLeads, false, null, Walk.Now, doubleRated: true);

        Assert.Throws<Common.DomainValidationException>(() =>
            p.RateFormulation(trial.Definition, "R01", Walk.CognitiveLeads, false, null, Walk.Now, doubleRated: true));
        Assert.Equal(FormulationAwaiting.SecondRating, p.AwaitingFormulation);
    }

    [Fact]
    public void Disagreement_NeedsConsensus_WhichDecides()
    {
        var (p, trial) = Walk.To(ParticipantStatus.Consented);
        p.RateFormulation(trial.Definition, "R01", Walk.CognitiveLeads, false, null, Walk.Now, doubleRated: true);

        // A consensus before the second independent rating would make the second rating pointless.
        var early = Assert.Throws<Common.WorkflowConflictException>(() =>
            p.RateFormulation(trial.Definition, "R03", Walk.InterpersonalLeads, true, null, Walk.Now, doubleRated: true));
        Assert.Contains("second", early.Message, StringComparison.Ordinal);

        p.RateFormulation(trial.Definition, "R02", Walk.InterpersonalLeads, false, null, Walk.Now, doubleRated: true);
        Assert.Equal(ParticipantStatus.FormulationPending, p.Status);
        Assert.Equal(FormulationAwaiting.Consensus, p.AwaitingFormulation);
        var refused = Assert.Throws<Common.WorkflowConflictException>(() => p.EnsureCanBeRandomized());
        Assert.Contains("consensus", refused.Message, StringComparison.Ordinal);

        p.RateFormulation(trial.Definition, "R01", Walk.InterpersonalLeads, true, "discussed", Walk.Now, doubleRated: true);
        Assert.Equal(ParticipantStatus.Formulated, p.Status);
        Assert.Null(p.AwaitingFormulation);
        Assert.Equal(Formulation.Interpersonal, p.PrimaryFormulation);
        Assert.Equal(3, p.DecidingRating);
    }

    [Fact]
    public void TwoIndeterminateRatings_NeedConsensus()
    {
        var (p, trial) = Walk.To(ParticipantStatus.Consented);
        p.RateFormulation(trial.Definition, "R01", Walk.Tied, false, null, Walk.Now, doubleRated: true);
        p.RateFormulation(trial.Definition, "R02", Walk.Tied, false, null, Walk.Now, doubleRated: true);

        Assert.Equal(FormulationAwaiting.Consensus, p.AwaitingFormulation);
        Assert.Equal(ParticipantStatus.FormulationPending, p.Status);
    }

    [Fact]
    public void AgreedPrimaryOutsideTheTrial_Excludes()
    {
        var (p, trial) = Walk.To(ParticipantStatus.Consented);
        p.RateFormulation(trial.Definition, "R01", Walk.BehavioralLeads, false, null, Walk.Now, doubleRated: true);
        p.RateFormulation(trial.Definition, "R02", Walk.BehavioralLeads, false, null, Walk.Now, doubleRated: true);

        Assert.Equal(ParticipantStatus.Excluded, p.Status);
        Assert.Equal(1, p.DecidingRating);
    }

    [Fact]
    public void NotDrawn_FirstRatingDecides_AsBefore_AndAnIndeterminateOneAwaitsConsensus()
    {
        var (p, trial) = Walk.To(ParticipantStatus.Consented);
        p.RateFormulation(trial.Definition, "R01", Walk.CognitiveLeads, false, null, Walk.Now);
        Assert.Equal(ParticipantStatus.Formulated, p.Status);
        Assert.Equal(1, p.DecidingRating);

        var (q, _) = Walk.To(ParticipantStatus.Consented);
        q.RateFormulation(trial.Definition, "R01", Walk.Tied, false, null, Walk.Now);
        Assert.Equal(FormulationAwaiting.Consensus, q.AwaitingFormulation);
        q.RateFormulation(trial.Definition, "R09", Walk.CognitiveLeads, true, null, Walk.Now);
        Assert.Equal(ParticipantStatus.Formulated, q.Status);
        Assert.Null(q.AwaitingFormulation);
        Assert.Equal(2, q.DecidingRating);
    }

    [Fact]
    public void Property_ADrawnParticipantIsFormulatedOnlyAfterTwoRatersAgreeOrAConsensus()
    {
        var scores = Gen.Int[0, 4].Array[4].Select(a => new FormulationScores(a[0], a[1], a[2], a[3]));
        Gen.Select(scores, scores, scores).Sample((first, second, consensus) =>
        {
            var (p, trial) = Walk.To(ParticipantStatus.Consented);
            var rule = trial.Definition.FormulationRule.MinMargin;
            p.RateFormulation(trial.Definition, "R01", first, false, null, Walk.Now, doubleRated: true);
            Assert.Equal(ParticipantStatus.FormulationPending, p.Status);
            p.RateFormulation(trial.Definition, "R02", second, false, null, Walk.Now, doubleRated: true);

            var agree = first.Primary(rule) is { } a && a == second.Primary(rule);
            Assert.Equal(agree, p.AwaitingFormulation is null);
            Assert.Equal(agree, p.Status != ParticipantStatus.FormulationPending);
            if (!agree)
            {
                p.RateFormulation(trial.Definition, "R03", consensus, true, null, Walk.Now, doubleRated: true);
                Assert.Equal(consensus.Primary(rule) is null, p.AwaitingFormulation == FormulationAwaiting.Consensus);
                Assert.Equal(consensus.Primary(rule) is null ? null : 3, p.DecidingRating);
            }
            else
            {
                Assert.Equal(1, p.DecidingRating);
            }
        });
    }
}
