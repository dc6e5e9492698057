using CsCheck;
using TrialManager.Domain.Common;
using TrialManager.Domain.Participants;

namespace TrialManager.Domain.Tests.Participants;

/// <summary>The safety fields of adverse events: which combinations entry and correction accept, reviews, corrections.</summary>
public sealed class AdverseEventTests
{
    private static readonly DateOnly Day = new(2026, 11, 21);

    public static readonly AdverseEventDetails Mild =
        new([], EventSeverity.Mild, EventRelatedness.Unlikely, Expected: true, EventOutcome.Recovered, ResolvedOn: null);

    private static readonly AdverseEventDetails Hospitalised =
        new([SeriousnessCriterion.Hospitalisation], EventSeverity.Severe, EventRelatedness.Possible, Expected: false, EventOutcome.Recovering, null);

    private static readonly Gen<AdverseEventDetails> Details =
        from serious in Gen.Enum<SeriousnessCriterion>().Array[0, 3]
        from severity in Gen.Enum<EventSeverity>()
        from relatedness in Gen.Enum<EventRelatedness>()
        from expected in Gen.Bool
        from outcome in Gen.Enum<EventOutcome>()
        from resolvedIn in Gen.Int[-3, 4]
        select new AdverseEventDetails(serious, severity, relatedness, expected, outcome, resolvedIn == 4 ? null : Day.AddDays(resolvedIn));

    [Fact]
    public void Check_AcceptsExactlyTheConsistentCombinations()
    {
        Gen.Select(Gen.Enum<ParticipantEventType>(), Details, Gen.Bool).Sample((type, details, withDetails) =>
        {
            var given = withDetails ? details : null;
            var errors = AdverseEventRules.Check(type, Day, given);

            var adverse = type != ParticipantEventType.ProtocolDeviation;
            var consistent = adverse
                ? given is not null
                  && given.Serious.Distinct().Count() == given.Serious.Count
                  && (type == ParticipantEventType.SeriousAdverseEvent) == given.IsSerious
                  && given.Serious.Contains(SeriousnessCriterion.Death) == (given.Outcome == EventOutcome.Fatal)
                  && (given.ResolvedOn is not { } r || (r >= Day && given.Outcome is EventOutcome.Recovered or EventOutcome.Fatal))
                : given is null;
            Assert.Equal(consistent, errors.Count == 0);
        });
    }

    [Fact]
    public void Check_NamesTheFieldAtFault()
    {
        Assert.Equal(["serious"], AdverseEventRules.Check(ParticipantEventType.SeriousAdverseEvent, Day, Mild).Keys);
        Assert.Equal(["serious"], AdverseEventRules.Check(ParticipantEventType.AdverseEvent, Day, Hospitalised).Keys);
        Assert.Equal(["outcome"], AdverseEventRules.Check(ParticipantEventType.AdverseEvent, Day, Mild with { Outcome = EventOutcome.Fatal }).Keys);
        Assert.Equal(["resolvedOn"], AdverseEventRules.Check(ParticipantEventType.AdverseEvent, Day, Mild with { ResolvedOn = Day.AddDays(-1) }).Keys);
        Assert.Equal(["type"], AdverseEventRules.Check(ParticipantEventType.ProtocolDeviation, Day, Mild).Keys);
        Assert.Empty(AdverseEventRules.Check(ParticipantEventType.ProtocolDeviation, Day, null));
    }

    [Fact]
    public void RecordEvent_RefusesAnInconsistentEvent_AndRecordsNothing()
    {
        var (p, _) = Walk.To(ParticipantStatus.Randomized);

        var refused = Assert.Throws<DomainValidationException>(() => p.RecordEvent(ParticipantEventType.SeriousAdverseEvent, Day, "x", Mild, Walk.Now));
        Assert.Equal("serious", refused.Field);
        Assert.Throws<DomainValidationException>(() => p.RecordEvent(ParticipantEventType.AdverseEvent, Day, "x", null, Walk.Now));
        Assert.Empty(p.Events);

        var recorded = p.RecordEvent(ParticipantEventType.SeriousAdverseEvent, Day, "admitted", Hospitalised, Walk.Now);
        Assert.Equal(Hospitalised with { Serious = recorded.Details!.Serious }, recorded.Details);
        Assert.Equal([SeriousnessCriterion.Hospitalisation], recorded.Serious);
        Assert.NotEqual(Guid.Empty, recorded.Id);
    }

    [Fact]
    public void ReviewEvent_OnlyOnce_AndOnlyOfASeriousEvent()
    {
        var (p, _) = Walk.To(ParticipantStatus.Randomized);
        var mild = p.RecordEvent(ParticipantEventType.AdverseEvent, Day, "headache", Mild, Walk.Now);
        var serious = p.RecordEvent(ParticipantEventType.SeriousAdverseEvent, Day, "admitted", Hospitalised, Walk.Now);

        Assert.Throws<WorkflowConflictException>(() => p.ReviewEvent(mild.Id, "dev-dsmb", "fine", Walk.Now));
        p.ReviewEvent(serious.Id, "dev-dsmb", "plausibly unrelated", Walk.Now);
        var twice = Assert.Throws<WorkflowConflictException>(() => p.ReviewEvent(serious.Id, "dev-admin", "again", Walk.Now));
        Assert.Contains("dev-dsmb", twice.Message, StringComparison.Ordinal);
        Assert.Equal(("dev-dsmb", "plausibly unrelated"), (serious.ReviewedBy, serious.ReviewComment));
    }

    [Fact]
    public void ReviewEvent_Again_OnlyWhenCorrectedSinceTheReview()
    {
        var (p, _) = Walk.To(ParticipantStatus.Randomized);
        var serious = p.RecordEvent(ParticipantEventType.SeriousAdverseEvent, Day, "admitted", Hospitalised, Walk.Now);
        p.ReviewEvent(serious.Id, "dev-dsmb", "expected", Walk.Now);
        Assert.False(serious.ChangedSinceReview(Walk.Now));
        Assert.Throws<WorkflowConflictException>(() => p.ReviewEvent(serious.Id, "dev-admin", "again", Walk.Now.AddHours(1), lastCorrectedAt: Walk.Now));

        Assert.True(serious.ChangedSinceReview(Walk.Now.AddMinutes(5)));
        p.ReviewEvent(serious.Id, "dev-admin", "related after all", Walk.Now.AddHours(1), lastCorrectedAt: Walk.Now.AddMinutes(5));
        Assert.Equal(("dev-admin", "related after all"), (serious.ReviewedBy, serious.ReviewComment));
        Assert.False(serious.ChangedSinceReview(Walk.Now.AddMinutes(5)));
    }

    [Fact]
    public void CorrectEvent_ToSerious_MakesTheTypeFollow_AndReturnsWhatItReplaced()
    {
        var (p, _) = Walk.To(ParticipantStatus.Randomized);
        var e = p.RecordEvent(ParticipantEventType.AdverseEvent, Day, "headache", Mild, Walk.Now);
        var version = p.Version;

        var old = p.CorrectEvent(e.Id, EventField.Serious, new List<SeriousnessCriterion> { SeriousnessCriterion.OtherImportant }, out var oldType);

        Assert.Equal(Array.Empty<SeriousnessCriterion>(), old);
        Assert.Equal(ParticipantEventType.AdverseEvent, oldType);
        Assert.True(e.IsSerious);
        Assert.Equal(version + 1, p.Version);

        Assert.Equal(EventSeverity.Mild, p.CorrectEvent(e.Id, EventField.Severity, EventSeverity.Severe, out oldType));
        Assert.Null(oldType);
    }

    [Fact]
    public void CorrectEvent_RefusesWhatEntryWouldRefuse_AndChangesNothing()
    {
        var (p, _) = Walk.To(ParticipantStatus.Randomized);
        var e = p.RecordEvent(ParticipantEventType.AdverseEvent, Day, "headache", Mild with { ResolvedOn = Day.AddDays(2) }, Walk.Now);
        var deviation = p.RecordEvent(ParticipantEventType.ProtocolDeviation, Day, "missed", null, Walk.Now);

        Assert.Throws<DomainValidationException>(() => p.CorrectEvent(e.Id, EventField.OccurredOn, Day.AddDays(3), out _));
        Assert.Throws<DomainValidationException>(() => p.CorrectEvent(e.Id, EventField.Outcome, EventOutcome.Fatal, out _));
        Assert.Throws<DomainValidationException>(() => p.CorrectEvent(e.Id, EventField.Outcome, EventOutcome.NotRecovered, out _));
        Assert.Throws<DomainValidationException>(() => p.CorrectEvent(deviation.Id, EventField.Severity, EventSeverity.Mild, out _));
        Assert.Throws<DomainValidationException>(() => p.CorrectEvent(Guid.NewGuid(), EventField.Severity, EventSeverity.Mild, out _));

        Assert.Equal((Day, EventOutcome.Recovered, ParticipantEventType.AdverseEvent), (e.OccurredOn, e.Outcome!.Value, e.Type));
        Assert.Equal(Day, p.CorrectEvent(deviation.Id, EventField.OccurredOn, Day.AddDays(1), out _));
    }
}
