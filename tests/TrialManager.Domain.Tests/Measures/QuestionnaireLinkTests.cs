using TrialManager.Domain.Common;
using TrialManager.Domain.Instruments;
using TrialManager.Domain.Measures;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Tests.Instruments;
using TrialManager.Domain.Tests.Participants;
using TrialManager.Domain.Therapy;
using TrialManager.Domain.Trials;

namespace TrialManager.Domain.Tests.Measures;

public sealed class QuestionnaireLinkTests
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(Walk.Now.UtcDateTime);
    private static readonly TimeSpan Week = TimeSpan.FromDays(7);

    /// <summary>Randomized, in therapy with T01; session 1 held, session 2 a no-show.</summary>
    private static Participant InTherapy()
    {
        var trial = Walk.RecruitingTrial();
        var p = Participant.Screen("p", trial, Walk.EligibleAnswers, Walk.Now);
        p.Consent("1.0", Today);
        p.RateFormulation(trial.Definition, "R01", Walk.CognitiveLeads, false, null, Walk.Now);
        p.MarkRandomized(Walk.Now);
        p.AssignTherapist(Walk.Therapist(trial), ArmCode.Mediator);
        p.RecordSession(1, Today, SessionAttendance.Attended, "T01", Walk.Now);
        p.RecordSession(2, Today, SessionAttendance.NoShow, "T01", Walk.Now);
        return p;
    }

    private static QuestionnaireLink Link(Participant p, InstrumentDefinition? instrument = null, int session = 1, TimeSpan? lifetime = null) =>
        QuestionnaireLink.ForSession(p, instrument ?? SampleInstruments.Summed(), session, [], "hash", "coordinator", Walk.Now, lifetime ?? Week);

    private static Measure Answered(Participant p) => Measure.AtSession(
        p, MeasureScorer.Score(SampleInstruments.Summed(), SampleInstruments.Answers(("1", 0), ("2", 1), ("3", 2), ("4", 0))).Measure!,
        1, Today, [], "questionnaire-link", Walk.Now);

    [Fact]
    public void ForSession_OfAFormTheParticipantDoesNotAnswer_IsRefusedOnInstrument()
    {
        var error = Assert.Throws<DomainValidationException>(() => Link(InTherapy(), SampleInstruments.Log()));

        Assert.Equal("instrument", error.Field);
        Assert.Contains("therapist", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ParticipantStatus.Eligible)]
    [InlineData(ParticipantStatus.Consented)]
    [InlineData(ParticipantStatus.Formulated)]
    [InlineData(ParticipantStatus.Withdrawn)]
    [InlineData(ParticipantStatus.Completed)]
    public void ForSession_OutsideTherapyAndFollowUp_IsAConflictNamingTheStatus(ParticipantStatus status)
    {
        var (p, _) = Walk.To(status);

        Assert.Contains(status.Wire(), Assert.Throws<WorkflowConflictException>(() => Link(p)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ForSession_AtASessionNotHeld_OrAlreadyAnswered_IsAConflict()
    {
        var p = InTherapy();

        Assert.Contains("not recorded", Assert.Throws<WorkflowConflictException>(() => Link(p, session: 3)).Message, StringComparison.Ordinal);
        Assert.Contains("noShow", Assert.Throws<WorkflowConflictException>(() => Link(p, session: 2)).Message, StringComparison.Ordinal);
        Assert.Contains("already recorded", Assert.Throws<WorkflowConflictException>(() =>
            QuestionnaireLink.ForSession(p, SampleInstruments.Summed(), 1, [("sample", 1)], "hash", "coordinator", Walk.Now, Week)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ForSession_InFollowUp_IsAllowed()
    {
        var p = InTherapy();
        p.StopTreatment(TreatmentStopCategory.ParticipantChoice, null, Walk.Now);

        Assert.Equal(1, Link(p).Session);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(60)]
    [InlineData(24 * 60)]
    [InlineData(7 * 24 * 60)]
    public void ALink_IsOpenUntilItsLifetimeEnds_AndThenRefusesItsAnswers(int minutes)
    {
        var p = InTherapy();
        var lifetime = TimeSpan.FromMinutes(minutes);
        var link = Link(p, lifetime: lifetime);

        Assert.Equal(Walk.Now + lifetime, link.ExpiresAt);
        Assert.True(link.IsOpenAt(Walk.Now));
        Assert.True(link.IsOpenAt(link.ExpiresAt.AddTicks(-1)));
        Assert.False(link.IsOpenAt(link.ExpiresAt));
        Assert.Throws<WorkflowConflictException>(() => link.Answer(p, Answered(p), link.ExpiresAt));
        Assert.Null(link.UsedAt);
    }

    [Fact]
    public void ALink_IsAnsweredOnce()
    {
        var p = InTherapy();
        var link = Link(p);
        var measure = Answered(p);

        link.Answer(p, measure, Walk.Now.AddHours(1));

        Assert.Equal(measure.Id, link.MeasureId);
        Assert.Equal(Walk.Now.AddHours(1), link.UsedAt);
        Assert.False(link.IsOpenAt(Walk.Now.AddHours(2)));
        Assert.Throws<WorkflowConflictException>(() => link.Answer(p, measure, Walk.Now.AddHours(2)));
        Assert.Equal(Walk.Now.AddHours(1), link.UsedAt);
    }

    [Fact]
    public void ALink_IsNotAnswered_OnceTheParticipantWithdrew()
    {
        var p = InTherapy();
        var link = Link(p);
        var measure = Answered(p);
        p.Withdraw(WithdrawalCategory.WithdrewConsent, null, Walk.Now);

        Assert.Contains("withdrawn", Assert.Throws<WorkflowConflictException>(() => link.Answer(p, measure, Walk.Now)).Message, StringComparison.Ordinal);
        Assert.Null(link.UsedAt);
    }
}
