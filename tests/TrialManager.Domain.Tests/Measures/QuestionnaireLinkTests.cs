using TrialManager.Domain.Common;
using TrialManager.Domain.Instruments;
using TrialManager.Domain.Measures;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Schedule;
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

    private static readonly TrialSchedule Schedule = new(4, 7, [new("baseline", 0, 7), new("week4", 28, 7)], ["sample"], ["sample"]);

    private static QuestionnaireLink VisitLink(
        Participant p, string visit = "week4", InstrumentDefinition? instrument = null, TrialSchedule? schedule = null, params (string, string)[] existing) =>
        QuestionnaireLink.ForVisit(p, schedule ?? Schedule, instrument ?? SampleInstruments.Summed(), visit, existing, "hash", "coordinator", Walk.Now, Week);

    [Fact]
    public void ForVisit_AtAScheduledVisit_KeepsTheVisitAndNoSession()
    {
        var link = VisitLink(InTherapy());

        Assert.Equal(("week4", (int?)null, "sample"), (link.Visit, link.Session, link.Instrument));
        Assert.Equal(Walk.Now + Week, link.ExpiresAt);
    }

    [Fact]
    public void ForVisit_InFollowUp_IsAllowed()
    {
        var p = InTherapy();
        p.StopTreatment(TreatmentStopCategory.ParticipantChoice, null, Walk.Now);

        Assert.Equal("baseline", VisitLink(p, "baseline").Visit);
    }

    [Theory]
    [InlineData("week5")]
    [InlineData("Week4")]
    [InlineData("")]
    public void ForVisit_AtAVisitNotInTheSchedule_IsRefusedOnVisit(string visit)
    {
        var error = Assert.Throws<DomainValidationException>(() => VisitLink(InTherapy(), visit));

        Assert.Equal("visit", error.Field);
        Assert.Contains("baseline, week4", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ForVisit_WithoutASchedule_IsRefusedOnVisit()
    {
        var p = InTherapy();

        Assert.Equal("visit", Assert.Throws<DomainValidationException>(() =>
            QuestionnaireLink.ForVisit(p, null, SampleInstruments.Summed(), "week4", [], "hash", "coordinator", Walk.Now, Week)).Field);
    }

    [Fact]
    public void ForVisit_OfAnInstrumentNotAVisitInstrument_OrNotTheParticipants_IsRefusedOnInstrument()
    {
        var p = InTherapy();
        var sessionsOnly = Schedule with { VisitInstruments = ["other"] };

        Assert.Contains("not a visit instrument", Assert.Throws<DomainValidationException>(() => VisitLink(p, schedule: sessionsOnly)).Message, StringComparison.Ordinal);
        Assert.Equal("instrument", Assert.Throws<DomainValidationException>(() => VisitLink(p, schedule: sessionsOnly)).Field);
        Assert.Equal("instrument", Assert.Throws<DomainValidationException>(() => VisitLink(p, instrument: SampleInstruments.Log())).Field);
    }

    [Fact]
    public void ForVisit_AlreadyRecordedAtThatVisit_IsAConflict_ButAnotherVisitIsNot()
    {
        var p = InTherapy();

        Assert.Contains("already recorded for visit week4", Assert.Throws<WorkflowConflictException>(() =>
            VisitLink(p, "week4", existing: ("sample", "week4"))).Message, StringComparison.Ordinal);
        Assert.Equal("baseline", VisitLink(p, "baseline", existing: ("sample", "week4")).Visit);
    }

    [Theory]
    [InlineData(ParticipantStatus.Eligible)]
    [InlineData(ParticipantStatus.Consented)]
    [InlineData(ParticipantStatus.Formulated)]
    [InlineData(ParticipantStatus.Withdrawn)]
    [InlineData(ParticipantStatus.Completed)]
    public void ForVisit_OutsideTherapyAndFollowUp_IsAConflictNamingTheStatus(ParticipantStatus status)
    {
        var (p, _) = Walk.To(status);

        Assert.Contains(status.Wire(), Assert.Throws<WorkflowConflictException>(() => VisitLink(p)).Message, StringComparison.Ordinal);
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
