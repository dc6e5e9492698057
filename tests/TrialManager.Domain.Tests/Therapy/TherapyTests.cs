using TrialManager.Domain.Common;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Tests.Participants;
using TrialManager.Domain.Therapy;
using TrialManager.Domain.Trials;

namespace TrialManager.Domain.Tests.Therapy;

public sealed class TherapyTests
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(Walk.Now.UtcDateTime);

    private static Participant Randomized()
    {
        var trial = Walk.RecruitingTrial();
        var p = Participant.Screen("p", trial, Walk.EligibleAnswers, Walk.Now);
        p.Consent("1.0", Today);
        p.RateFormulation(trial.Definition, "R01", Walk.CognitiveLeads, false, null, Walk.Now);
        p.MarkRandomized(Walk.Now);
        return p;
    }

    [Theory]
    [InlineData("ZZZ", new[] { ArmCode.Mediator }, "site")]
    [InlineData("AAA", new ArmCode[0], "arms")]
    [InlineData("AAA", new[] { ArmCode.Comparator }, "arms")]
    public void Register_OutsideTheTrialsSitesOrArms_IsRefused(string site, ArmCode[] arms, string field)
    {
        var error = Assert.Throws<DomainValidationException>(() => Therapist.Register(Walk.RecruitingTrial(), "T01", site, arms, Walk.Now));

        Assert.Equal(field, error.Field);
    }

    [Fact]
    public void Register_TakesTheTrialsSpellingOfTheSite_AndEachArmOnce()
    {
        var therapist = Therapist.Register(Walk.RecruitingTrial(), "T01", "aaa", [ArmCode.Moderator, ArmCode.Mediator, ArmCode.Moderator], Walk.Now);

        Assert.Equal("AAA", therapist.Site);
        Assert.Equal([ArmCode.Mediator, ArmCode.Moderator], therapist.Arms);
    }

    [Fact]
    public void AssignTherapist_OfAnotherSiteOrArm_IsAConflictAndChangesNothing()
    {
        var trial = Walk.RecruitingTrial();
        var p = Randomized();
        var elsewhere = Therapist.Register(trial, "T09", "BBB", [ArmCode.Mediator, ArmCode.Moderator], Walk.Now);
        var moderatorOnly = Therapist.Register(trial, "T08", "AAA", [ArmCode.Moderator], Walk.Now);
        var version = p.Version;

        Assert.Contains("works at site BBB", Assert.Throws<WorkflowConflictException>(() => p.AssignTherapist(elsewhere, ArmCode.Mediator)).Message, StringComparison.Ordinal);
        Assert.Contains("allocated to mediator", Assert.Throws<WorkflowConflictException>(() => p.AssignTherapist(moderatorOnly, ArmCode.Mediator)).Message, StringComparison.Ordinal);
        Assert.Null(p.TherapistCode);
        Assert.Equal(version, p.Version);

        p.AssignTherapist(moderatorOnly, ArmCode.Moderator);
        Assert.Equal("T08", p.TherapistCode);
    }

    [Fact]
    public void RecordSession_WithoutATherapist_IsAConflict()
    {
        var p = Randomized();

        Assert.Throws<WorkflowConflictException>(() => p.RecordSession(1, Today, SessionAttendance.Attended, "C01", Walk.Now));
        Assert.Empty(p.Sessions);
    }

    [Fact]
    public void RecordSession_OncePerNumber_DatedFromRandomization_AndKeepsWhoDeliveredAndWhoRecorded()
    {
        var p = Randomized();
        p.AssignTherapist(Walk.Therapist(Walk.RecruitingTrial()), ArmCode.Mediator);

        var first = p.RecordSession(1, Today, SessionAttendance.Attended, "T01", Walk.Now);
        p.RecordSession(2, Today.AddDays(7), SessionAttendance.NoShow, "coordinator-nyc", Walk.Now);

        Assert.Equal("T01", first.Therapist);
        Assert.Equal(["T01", "coordinator-nyc"], p.Sessions.Select(s => s.RecordedBy));
        Assert.Contains("already recorded", Assert.Throws<WorkflowConflictException>(() => p.RecordSession(1, Today, SessionAttendance.Attended, "T01", Walk.Now)).Message, StringComparison.Ordinal);
        Assert.Equal("date", Assert.Throws<DomainValidationException>(() => p.RecordSession(3, Today.AddDays(-1), SessionAttendance.Attended, "T01", Walk.Now)).Field);
        Assert.Equal(2, p.Sessions.Count);
    }

    [Fact]
    public void StopTreatment_KeepsTheParticipantInFollowUp_AndSessionsAfterTheStopAreRefused()
    {
        var p = Randomized();
        p.AssignTherapist(Walk.Therapist(Walk.RecruitingTrial()), ArmCode.Mediator);

        p.StopTreatment(TreatmentStopCategory.AdverseEvent, "private", Walk.Now);

        Assert.Equal(ParticipantStatus.FollowUp, p.Status);
        Assert.Equal(TreatmentStopCategory.AdverseEvent, p.TreatmentStopCategory);
        Assert.Equal("date", Assert.Throws<DomainValidationException>(() => p.RecordSession(1, Today.AddDays(1), SessionAttendance.Attended, "T01", Walk.Now)).Field);
        p.RecordSession(1, Today, SessionAttendance.Attended, "T01", Walk.Now);
        Assert.Throws<WorkflowConflictException>(() => p.StopTreatment(TreatmentStopCategory.Other, null, Walk.Now));

        // Withdrawal from follow-up is a withdrawal after allocation; completion is possible too.
        p.Withdraw(WithdrawalCategory.LostToFollowUp, null, Walk.Now);
        Assert.True(p.WithdrawnAfterAllocation);
    }

    [Fact]
    public void StopTreatment_WithAnUndefinedCategory_IsRefused()
    {
        var p = Randomized();

        Assert.Equal("category", Assert.Throws<DomainValidationException>(() => p.StopTreatment((TreatmentStopCategory)42, null, Walk.Now)).Field);
        Assert.Equal(ParticipantStatus.Randomized, p.Status);
    }

    [Fact]
    public void Classify_TellsNestedFromCrossedAndPartiallyCrossed()
    {
        IReadOnlyCollection<ArmCode> Arms(params ArmCode[] arms) => arms;
        var m = ArmCode.Mediator;
        var d = ArmCode.Moderator;

        Assert.Equal(TherapistDesign.None, TherapistDesigns.Classify([], 2));
        Assert.Equal(TherapistDesign.None, TherapistDesigns.Classify([Arms()], 2));
        Assert.Equal(TherapistDesign.Nested, TherapistDesigns.Classify([Arms(m), Arms(d), Arms()], 2));
        Assert.Equal(TherapistDesign.Crossed, TherapistDesigns.Classify([Arms(m, d), Arms(d, m)], 2));
        Assert.Equal(TherapistDesign.PartiallyCrossed, TherapistDesigns.Classify([Arms(m, d), Arms(d)], 2));
        Assert.Equal(TherapistDesign.PartiallyCrossed, TherapistDesigns.Classify([Arms(m, d)], 3));
    }
}
