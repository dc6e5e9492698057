using TrialManager.Domain.Common;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Trials;

namespace TrialManager.Domain.Tests.Participants;

public sealed class FormulationRuleTests
{
    [Theory]
    [InlineData(4, 3, 0, 0, 1, Formulation.Cognitive)]
    [InlineData(4, 3, 0, 0, 2, null)]
    [InlineData(0, 2, 4, 2, 2, Formulation.Behavioral)]
    [InlineData(0, 2, 4, 3, 2, null)]
    [InlineData(1, 1, 1, 1, 1, null)]
    [InlineData(0, 0, 0, 4, 4, Formulation.Environmental)]
    [InlineData(0, 0, 0, 0, 0, Formulation.Cognitive)] // margin 0: any top factor leads; ties break in factor order
    public void Primary_IsTheTopFactorOnlyWhenItLeadsByTheMargin(int c, int i, int b, int e, int margin, Formulation? expected)
    {
        Assert.Equal(expected, new FormulationScores(c, i, b, e).Primary(margin));
    }

    [Fact]
    public void FirstRating_WithAClearLead_Formulates()
    {
        var (p, trial) = Walk.To(ParticipantStatus.Consented);

        var rating = p.RateFormulation(trial.Definition, "R01", Walk.InterpersonalLeads, false, "pattern with others", Walk.Now);

        Assert.Equal(ParticipantStatus.Formulated, p.Status);
        Assert.Equal(Formulation.Interpersonal, p.PrimaryFormulation);
        Assert.Null(p.ExclusionReason);
        Assert.Equal(1, rating.Number);
        Assert.Equal(Formulation.Interpersonal, rating.Primary);
        Assert.Equal("pattern with others", rating.Rationale);
    }

    [Fact]
    public void FirstRating_WithATie_IsPendingUntilAConsensusDecides()
    {
        var (p, trial) = Walk.To(ParticipantStatus.Consented);

        p.RateFormulation(trial.Definition, "R01", Walk.Tied, false, null, Walk.Now);
        Assert.Equal(ParticipantStatus.FormulationPending, p.Status);
        Assert.Null(p.PrimaryFormulation);

        // A second independent rater does not decide, even with a clear lead.
        p.RateFormulation(trial.Definition, "R02", Walk.CognitiveLeads, false, null, Walk.Now);
        Assert.Equal(ParticipantStatus.FormulationPending, p.Status);
        Assert.Null(p.PrimaryFormulation);

        // An indeterminate consensus keeps it pending; a clear one decides.
        p.RateFormulation(trial.Definition, "PANEL", Walk.Tied, true, "still split", Walk.Now);
        Assert.Equal(ParticipantStatus.FormulationPending, p.Status);
        p.RateFormulation(trial.Definition, "PANEL", Walk.InterpersonalLeads, true, "agreed", Walk.Now);
        Assert.Equal(ParticipantStatus.Formulated, p.Status);
        Assert.Equal(Formulation.Interpersonal, p.PrimaryFormulation);
        Assert.Equal([1, 2, 3, 4], p.Ratings.Select(r => r.Number));
    }

    [Fact]
    public void Lead_SmallerThanTheTrialsMargin_IsIndeterminate()
    {
        var trial = Walk.RecruitingTrial(minMargin: 2);
        var p = Participant.Screen("p", trial, Walk.EligibleAnswers, Walk.Now);
        p.Consent("1.0", new DateOnly(2026, 11, 20));

        p.RateFormulation(trial.Definition, "R01", new FormulationScores(4, 3, 0, 0), false, null, Walk.Now);

        Assert.Equal(ParticipantStatus.FormulationPending, p.Status);
    }

    [Fact]
    public void PrimaryOutsideTheTrialsFormulations_IsExcludedWithTheReason()
    {
        var (p, trial) = Walk.To(ParticipantStatus.Consented);

        p.RateFormulation(trial.Definition, "R01", Walk.BehavioralLeads, false, null, Walk.Now);

        Assert.Equal(ParticipantStatus.Excluded, p.Status);
        Assert.Equal(Formulation.Behavioral, p.PrimaryFormulation);
        Assert.Equal("primary formulation behavioral is not among the trial's formulations", p.ExclusionReason);
    }

    [Fact]
    public void Consensus_CanOverturnAnExclusion_AndClearsTheReason()
    {
        var (p, trial) = Walk.To(ParticipantStatus.Excluded);

        p.RateFormulation(trial.Definition, "PANEL", Walk.CognitiveLeads, true, "reviewed", Walk.Now);

        Assert.Equal(ParticipantStatus.Formulated, p.Status);
        Assert.Null(p.ExclusionReason);
        Assert.Equal(Formulation.Cognitive, p.PrimaryFormulation);
    }

    [Fact]
    public void FurtherRater_IsKeptButDoesNotDecide()
    {
        var (p, trial) = Walk.To(ParticipantStatus.Formulated);

        var rating = p.RateFormulation(trial.Definition, "R02", Walk.BehavioralLeads, false, null, Walk.Now);

        Assert.Equal(ParticipantStatus.Formulated, p.Status);
        Assert.Equal(Formulation.Cognitive, p.PrimaryFormulation);
        Assert.Null(p.ExclusionReason);
        Assert.Equal(2, rating.Number);
        Assert.Equal(Formulation.Behavioral, rating.Primary);
        Assert.Equal(["R01", "R02"], p.Ratings.Select(r => r.Rater));
    }

    [Fact]
    public void SameRaterTwice_IsRefusedOnTheRaterField()
    {
        var (p, trial) = Walk.To(ParticipantStatus.Formulated);

        var error = Assert.Throws<DomainValidationException>(
            () => p.RateFormulation(trial.Definition, "R01", Walk.InterpersonalLeads, false, null, Walk.Now));

        Assert.Equal("rater", error.Field);
        Assert.Contains("R01", error.Message, StringComparison.Ordinal);
        Assert.Single(p.Ratings);
    }

    [Fact]
    public void SameRater_MayGiveTheConsensusRating()
    {
        var (p, trial) = Walk.To(ParticipantStatus.FormulationPending);

        p.RateFormulation(trial.Definition, "R01", Walk.CognitiveLeads, true, "after discussion", Walk.Now);

        Assert.Equal(ParticipantStatus.Formulated, p.Status);
    }

    [Fact]
    public void ReliabilityPair_IsTheFirstTwoDifferentNonConsensusRaters()
    {
        var (p, trial) = Walk.To(ParticipantStatus.Consented);
        Assert.Null(p.ReliabilityPair());

        p.RateFormulation(trial.Definition, "R01", Walk.Tied, false, null, Walk.Now);
        Assert.Null(p.ReliabilityPair());

        p.RateFormulation(trial.Definition, "PANEL", Walk.CognitiveLeads, true, null, Walk.Now);
        Assert.Null(p.ReliabilityPair()); // a consensus rating is not an independent rater

        p.RateFormulation(trial.Definition, "R02", Walk.InterpersonalLeads, false, null, Walk.Now);
        p.RateFormulation(trial.Definition, "R03", Walk.BehavioralLeads, false, null, Walk.Now);

        // First rater's own primary (indeterminate) against the second rater's, whatever the consensus decided.
        Assert.Equal((null, Formulation.Interpersonal), p.ReliabilityPair());
    }
}
