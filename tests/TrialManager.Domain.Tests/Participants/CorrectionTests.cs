using TrialManager.Domain.Common;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Randomization;
using TrialManager.Domain.Trials;

namespace TrialManager.Domain.Tests.Participants;

/// <summary>Corrections change the current value and hand back the old one; an allocation never changes, it is only flagged.</summary>
public sealed class CorrectionTests
{
    private static (Participant Participant, Trial Trial, ParticipantAllocation Allocation) Randomized()
    {
        var (p, trial) = Walk.To(ParticipantStatus.Randomized);
        var levels = trial.Definition.FactorLevels(p.Site, Formulation.Cognitive, p.Severity);
        var allocation = new ParticipantAllocation(p, trial, Formulation.Cognitive, levels, "cognitive/AAA",
            new Allocation(0, "cognitive/AAA", 1, 1, 2, null, null, null), "test", Walk.Now);
        return (p, trial, allocation);
    }

    [Fact]
    public void CorrectAnswer_ReturnsTheOldValue_AndSetsTheNew()
    {
        var (p, _) = Walk.To(ParticipantStatus.Eligible);
        var version = p.Version;

        Assert.Equal(15, p.CorrectAnswer(ParticipantField.Severity, 21));
        Assert.Equal(21, p.Severity);
        Assert.Equal(5, p.CorrectAnswer(ParticipantField.Motivation, null));
        Assert.Null(p.Motivation);
        Assert.Equal("AAA", p.CorrectAnswer(ParticipantField.Site, "BBB"));
        Assert.Equal(version + 3, p.Version);
        // Consent fields need a consent to correct.
        Assert.Throws<WorkflowConflictException>(() => p.CorrectAnswer(ParticipantField.ConsentedOn, new DateOnly(2026, 11, 1)));
    }

    [Fact]
    public void ReviewAllocation_FlagsExactlyTheStratificationChanges_AndTheFailedCriteria()
    {
        // Every site and a range of ages and severities: misStratified iff a stratifying level (site here) differs,
        // ineligible iff the corrected answers fail a criterion. Severity is not a stratifier of this design.
        foreach (var site in new[] { "AAA", "BBB" })
        {
            foreach (var age in new[] { 12, 18, 40, 65, 66 })
            {
                foreach (var severity in new[] { 5, 10, 20, 27, 28 })
                {
                    var (p, trial, allocation) = Randomized();
                    p.CorrectAnswer(ParticipantField.Site, site);
                    p.CorrectAnswer(ParticipantField.AgeYears, age);
                    p.CorrectAnswer(ParticipantField.Severity, severity);

                    p.ReviewAllocation(trial.Definition, allocation);

                    Assert.Equal(site != allocation.Site, p.MisStratified);
                    var failed = Eligibility.FailedCriteria(trial.Definition.Eligibility, new ScreeningAnswers(site, age, severity, [], 5, 5)).Count > 0;
                    Assert.Equal(failed, p.IneligibleAfterRandomization);
                    Assert.Equal("cognitive/AAA", allocation.Stratum);
                }
            }
        }
    }

    [Fact]
    public void ReviewAllocation_ACorrectionBack_ClearsTheFlags_AndWithoutAnAllocationNothingIsFlagged()
    {
        var (p, trial, allocation) = Randomized();
        p.CorrectAnswer(ParticipantField.Site, "BBB");
        p.ReviewAllocation(trial.Definition, allocation);
        Assert.True(p.MisStratified);
        p.CorrectAnswer(ParticipantField.Site, "AAA");
        p.ReviewAllocation(trial.Definition, allocation);
        Assert.False(p.MisStratified);

        var (unallocated, _) = Walk.To(ParticipantStatus.Formulated);
        unallocated.CorrectAnswer(ParticipantField.AgeYears, 12);
        unallocated.ReviewAllocation(trial.Definition, null);
        Assert.False(unallocated.IneligibleAfterRandomization);
    }

    [Fact]
    public void CorrectRating_OfTheDecidingRating_MayNotChangeTheDecidedFormulation()
    {
        var (p, trial) = Walk.To(ParticipantStatus.Formulated);
        var d = trial.Definition;

        var error = Assert.Throws<WorkflowConflictException>(() => p.CorrectRating(d, 1, Walk.InterpersonalLeads, null));
        Assert.Contains("consensus rating", error.Message, StringComparison.Ordinal);
        Assert.Equal(Walk.CognitiveLeads, p.Ratings[0].Scores);

        var (old, _) = p.CorrectRating(d, 1, new FormulationScores(4, 2, 0, 0), "re-read the notes");
        Assert.Equal(Walk.CognitiveLeads, old);
        Assert.Equal(2, p.Ratings[0].Scores.Interpersonal);
        Assert.Equal(Formulation.Cognitive, p.PrimaryFormulation);
        Assert.Throws<DomainValidationException>(() => p.CorrectRating(d, 9, Walk.CognitiveLeads, null));
    }

    [Fact]
    public void DeclareIneligible_KeepsTheCriterion_AndNeedsOne()
    {
        var (p, _) = Walk.To(ParticipantStatus.Consented);
        Assert.Equal("criterion", Assert.Throws<DomainValidationException>(() => p.DeclareIneligible(" ", null, Walk.Now)).Field);
        Assert.Equal(ParticipantStatus.Consented, p.Status);

        p.DeclareIneligible(" bipolar ", "found in the records", Walk.Now);

        Assert.Equal(ParticipantStatus.Ineligible, p.Status);
        Assert.Equal("bipolar", p.IneligibleCriterion);
        Assert.Equal("found in the records", p.IneligibleNote);
        Assert.Equal(Walk.Now, p.IneligibleAt);
        Assert.Throws<WorkflowConflictException>(() => p.MarkRandomized(Walk.Now));
    }
}
