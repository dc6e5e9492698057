using TrialManager.Domain.Participants;
using TrialManager.Domain.Trials;

namespace TrialManager.Domain.Tests.Participants;

public sealed class EligibilityTests
{
    private static readonly EligibilityCriteria Criteria = new(18, 65, 10, 27, ["psychosis", "bipolar", "activeSuicidality"]);

    [Fact]
    public void EveryFailedCriterion_IsReported_NotJustTheFirst()
    {
        var answers = new ScreeningAnswers("AAA", 16, 30, ["bipolar", "psychosis"], null, null);

        var reasons = Eligibility.FailedCriteria(Criteria, answers);

        Assert.Equal(
            [
                "age 16 is below the minimum age 18",
                "severity 30 is above the maximum severity 27",
                "exclusion criterion present: psychosis",
                "exclusion criterion present: bipolar",
            ],
            reasons);
    }

    [Theory]
    [InlineData(18, 10)]
    [InlineData(65, 27)]
    [InlineData(40, 15)]
    public void BoundariesAreInclusive(int age, int severity)
    {
        Assert.Empty(Eligibility.FailedCriteria(Criteria, new ScreeningAnswers("AAA", age, severity, [], null, null)));
    }

    [Theory]
    [InlineData(17, 15, "age 17 is below the minimum age 18")]
    [InlineData(66, 15, "age 66 is above the maximum age 65")]
    [InlineData(30, 9, "severity 9 is below the minimum severity 10")]
    [InlineData(30, 28, "severity 28 is above the maximum severity 27")]
    public void EachBound_FailsAlone(int age, int severity, string reason)
    {
        Assert.Equal([reason], Eligibility.FailedCriteria(Criteria, new ScreeningAnswers("AAA", age, severity, [], null, null)));
    }

    [Fact]
    public void Screen_KeepsEveryReason_AndIsScreenFailed()
    {
        var trial = Walk.RecruitingTrial();

        var p = Participant.Screen("t-domain-AAA-0001", trial, new ScreeningAnswers("AAA", 70, 5, ["activeSuicidality"], 3, 4), Walk.Now);

        Assert.Equal(ParticipantStatus.ScreenFailed, p.Status);
        Assert.Equal(3, p.ScreeningReasons.Count);
        Assert.Equal(["activeSuicidality"], p.Exclusions);
        Assert.Equal(3, p.Motivation);
        Assert.Equal(4, p.Expectancy);
    }

    [Fact]
    public void Criterion_OfEveryReason_NamesItsBoundOrExclusion_NeverTheParticipantsValue()
    {
        // Over a grid of answers: every reason maps to the bound it breaks, and no criterion carries the age or score.
        foreach (var age in new[] { 0, 17, 18, 40, 65, 66, 120 })
        {
            foreach (var severity in new[] { 0, 9, 10, 27, 28, 99 })
            {
                var answers = new ScreeningAnswers("AAA", age, severity, ["bipolar"], null, null);
                var criteria = Eligibility.FailedCriteria(Criteria, answers).Select(Eligibility.Criterion).ToList();

                Assert.Equal(age < 18, criteria.Contains("age below the minimum"));
                Assert.Equal(age > 65, criteria.Contains("age above the maximum"));
                Assert.Equal(severity < 10, criteria.Contains("severity below the minimum"));
                Assert.Equal(severity > 27, criteria.Contains("severity above the maximum"));
                Assert.Contains("exclusion criterion: bipolar", criteria);
                Assert.DoesNotContain("other", criteria);
                Assert.All(criteria, c => Assert.DoesNotMatch("[0-9]", c));
            }
        }
    }
}
