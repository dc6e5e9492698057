using TrialManager.Domain.Common;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Trials;
using static TrialManager.Domain.Participants.ParticipantStatus;

namespace TrialManager.Domain.Tests.Participants;

/// <summary>
/// Every participant status against every command: the expected status, or a conflict naming the state.
/// "Rating" is a non-consensus rating by a rater who has not rated yet: it decides in consented, else it is kept.
/// </summary>
public sealed class ParticipantLifecycleTests
{
    public enum Command { Consent, Decline, Rating, Consensus, Randomize, Withdraw, Complete, RecordEvent, AssignTherapist, RecordSession, StopTreatment, DeclareIneligible, Reconsent }

    // null: the command is refused with a WorkflowConflictException naming the current status.
    private static readonly Dictionary<(ParticipantStatus, Command), ParticipantStatus?> Table = Build();

    private static Dictionary<(ParticipantStatus, Command), ParticipantStatus?> Build()
    {
        var t = new Dictionary<(ParticipantStatus, Command), ParticipantStatus?>();
        foreach (var s in Enum.GetValues<ParticipantStatus>())
        {
            foreach (var c in Enum.GetValues<Command>())
            {
                t[(s, c)] = null;
            }
        }

        t[(Eligible, Command.Consent)] = Consented;
        t[(Eligible, Command.Decline)] = Declined;
        t[(Eligible, Command.Withdraw)] = Withdrawn;

        t[(Consented, Command.Rating)] = Formulated;
        t[(Consented, Command.Consensus)] = Formulated;
        t[(Consented, Command.Withdraw)] = Withdrawn;
        t[(Consented, Command.RecordEvent)] = Consented;
        t[(Consented, Command.DeclareIneligible)] = Ineligible;

        t[(FormulationPending, Command.Rating)] = FormulationPending;
        t[(FormulationPending, Command.Consensus)] = Formulated;
        t[(FormulationPending, Command.Withdraw)] = Withdrawn;
        t[(FormulationPending, Command.RecordEvent)] = FormulationPending;
        t[(FormulationPending, Command.DeclareIneligible)] = Ineligible;

        t[(Formulated, Command.Rating)] = Formulated;
        t[(Formulated, Command.Consensus)] = Formulated;
        t[(Formulated, Command.Randomize)] = Randomized;
        t[(Formulated, Command.Withdraw)] = Withdrawn;
        t[(Formulated, Command.RecordEvent)] = Formulated;
        t[(Formulated, Command.DeclareIneligible)] = Ineligible;

        // Found ineligible after consent: final, like an exclusion; a later adverse event is still recorded.
        t[(Ineligible, Command.RecordEvent)] = Ineligible;

        t[(Excluded, Command.Rating)] = Excluded;
        t[(Excluded, Command.Consensus)] = Formulated;

        t[(Randomized, Command.Rating)] = Randomized;
        t[(Randomized, Command.Complete)] = Completed;
        t[(Randomized, Command.Withdraw)] = Withdrawn;
        t[(Randomized, Command.RecordEvent)] = Randomized;
        t[(Randomized, Command.AssignTherapist)] = Randomized;
        t[(Randomized, Command.RecordSession)] = Randomized;
        t[(Randomized, Command.StopTreatment)] = FollowUp;

        // Treatment stopped: still followed up (intention to treat); sessions held before the stop may still be recorded.
        t[(FollowUp, Command.Rating)] = FollowUp;
        t[(FollowUp, Command.Complete)] = Completed;
        t[(FollowUp, Command.Withdraw)] = Withdrawn;
        t[(FollowUp, Command.RecordEvent)] = FollowUp;
        t[(FollowUp, Command.RecordSession)] = FollowUp;

        t[(Withdrawn, Command.RecordEvent)] = Withdrawn;

        // Re-consent under a newer consent version: for everyone still in the trial after consent; the status stays.
        foreach (var s in new[] { Consented, FormulationPending, Formulated, Randomized, FollowUp })
        {
            t[(s, Command.Reconsent)] = s;
        }

        t[(Completed, Command.Rating)] = Completed;
        t[(Completed, Command.RecordEvent)] = Completed;
        return t;
    }

    public static TheoryData<ParticipantStatus, Command> AllowedCases()
    {
        var data = new TheoryData<ParticipantStatus, Command>();
        foreach (var ((s, c), expected) in Table.Where(e => e.Value is not null))
        {
            data.Add(s, c);
        }

        return data;
    }

    public static TheoryData<ParticipantStatus, Command> ForbiddenCases()
    {
        var data = new TheoryData<ParticipantStatus, Command>();
        foreach (var ((s, c), _) in Table.Where(e => e.Value is null))
        {
            data.Add(s, c);
        }

        return data;
    }

    [Fact]
    public void Table_CoversEveryStatusAndEveryCommand()
    {
        Assert.Equal(Enum.GetValues<ParticipantStatus>().Length * Enum.GetValues<Command>().Length, Table.Count);
        Assert.Equal(Table.Count, AllowedCases().Count + ForbiddenCases().Count);
    }

    [Theory]
    [MemberData(nameof(AllowedCases))]
    public void AllowedCommand_MovesToTheExpectedStatus(ParticipantStatus from, Command command)
    {
        var (participant, trial) = Walk.To(from);

        Run(participant, trial, command);

        Assert.Equal(Table[(from, command)], participant.Status);
    }

    [Theory]
    [MemberData(nameof(ForbiddenCases))]
    public void ForbiddenCommand_IsAConflictNamingTheStateAndChangesNothing(ParticipantStatus from, Command command)
    {
        var (participant, trial) = Walk.To(from);
        var ratings = participant.Ratings.Count;
        var events = participant.Events.Count;
        var sessions = participant.Sessions.Count;
        var therapist = participant.TherapistCode;

        var error = Assert.Throws<WorkflowConflictException>(() => Run(participant, trial, command));

        Assert.Contains($"The participant is {from.Wire()};", error.Message, StringComparison.Ordinal);
        Assert.Equal(from, participant.Status);
        Assert.Equal(ratings, participant.Ratings.Count);
        Assert.Equal(events, participant.Events.Count);
        Assert.Equal(sessions, participant.Sessions.Count);
        Assert.Equal(therapist, participant.TherapistCode);
    }

    [Fact]
    public void PermittedIn_AgreesWithTheTable()
    {
        // The machine's own view of which triggers it accepts must match what the commands do.
        var triggerOf = new Dictionary<Command, string>
        {
            [Command.Consent] = "Consent",
            [Command.Decline] = "Decline",
            [Command.Randomize] = "Randomize",
            [Command.Withdraw] = "Withdraw",
            [Command.Complete] = "Complete",
            [Command.RecordEvent] = "RecordEvent",
            [Command.Consensus] = "DecideFormulation",
            [Command.AssignTherapist] = "AssignTherapist",
            [Command.RecordSession] = "RecordSession",
            [Command.StopTreatment] = "StopTreatment",
            [Command.DeclareIneligible] = "DeclareIneligible",
            [Command.Reconsent] = "Reconsent",
        };
        foreach (var status in Enum.GetValues<ParticipantStatus>())
        {
            var expected = triggerOf.Where(kv => Table[(status, kv.Key)] is not null).Select(kv => kv.Value).ToList();

            // A non-consensus rating decides when it is the first (in consented), else it is kept as a further rating.
            if (status != Consented && Table[(status, Command.Rating)] is not null)
            {
                expected.Add("AddRating");
            }

            Assert.Equal(expected.Order(StringComparer.Ordinal), Participant.PermittedIn(status).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public void Withdraw_AfterRandomization_IsMarkedAsAfterAllocation()
    {
        var (before, _) = Walk.To(Formulated);
        var (after, _) = Walk.To(Randomized);

        before.Withdraw(WithdrawalCategory.WithdrewConsent, "lost interest", Walk.Now);
        after.Withdraw(WithdrawalCategory.MovedAway, null, Walk.Now);

        Assert.False(before.WithdrawnAfterAllocation);
        Assert.True(after.WithdrawnAfterAllocation);
        Assert.Equal(WithdrawalCategory.WithdrewConsent, before.WithdrawalCategory);
        Assert.Equal("lost interest", before.WithdrawalReason);
        Assert.Equal(WithdrawalCategory.MovedAway, after.WithdrawalCategory);
        Assert.Null(after.WithdrawalReason);
        Assert.Equal(Walk.Now, after.WithdrawnAt);
    }

    [Fact]
    public void Withdraw_WithAnUndefinedCategory_IsRefusedAndChangesNothing()
    {
        var (p, _) = Walk.To(Randomized);

        var refused = Assert.Throws<DomainValidationException>(() => p.Withdraw((WithdrawalCategory)99, "note", Walk.Now));

        Assert.Equal("category", refused.Field);
        Assert.Equal(Randomized, p.Status);
        Assert.Null(p.WithdrawalCategory);
    }

    [Fact]
    public void EnsureCanBeRandomized_OnlyWhenFormulated()
    {
        foreach (var status in Enum.GetValues<ParticipantStatus>())
        {
            var (participant, _) = Walk.To(status);
            if (status == Formulated)
            {
                participant.EnsureCanBeRandomized();
            }
            else
            {
                var error = Assert.Throws<WorkflowConflictException>(participant.EnsureCanBeRandomized);
                Assert.Contains(status.Wire(), error.Message, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void RecordEvent_NumbersEventsAndKeepsTheirFields()
    {
        var (participant, _) = Walk.To(Randomized);

        participant.RecordEvent(ParticipantEventType.AdverseEvent, new DateOnly(2026, 11, 21), "headache", AdverseEventTests.Mild, Walk.Now);
        var second = participant.RecordEvent(ParticipantEventType.ProtocolDeviation, new DateOnly(2026, 11, 22), "missed session", null, Walk.Now);

        Assert.Equal(2, second.Number);
        Assert.Equal([ParticipantEventType.AdverseEvent, ParticipantEventType.ProtocolDeviation], participant.Events.Select(e => e.Type));
        Assert.Equal(new DateOnly(2026, 11, 22), second.OccurredOn);
    }

    [Fact]
    public void Screen_WhenTheTrialIsNotRecruiting_IsAConflictNamingTheTrialState()
    {
        var trial = new Trial(Walk.Definition(), "seed", Walk.Now);

        var error = Assert.Throws<WorkflowConflictException>(() => Participant.Screen("p", trial, Walk.EligibleAnswers, Walk.Now));

        Assert.Contains("draft", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(AllowedCases))]
    public void AllowedCommand_BumpsTheVersion(ParticipantStatus from, Command command)
    {
        var (participant, trial) = Walk.To(from);
        var version = participant.Version;

        Run(participant, trial, command);

        Assert.Equal(version + 1, participant.Version);
    }

    [Theory]
    [MemberData(nameof(ForbiddenCases))]
    public void ForbiddenCommand_KeepsTheVersion(ParticipantStatus from, Command command)
    {
        var (participant, trial) = Walk.To(from);
        var version = participant.Version;

        Assert.Throws<WorkflowConflictException>(() => Run(participant, trial, command));

        Assert.Equal(version, participant.Version);
    }

    [Fact]
    public void WasAllocated_FromRandomizationOn_AlsoAfterWithdrawalOrCompletion()
    {
        var (withdrawnAfter, _) = Walk.To(Randomized);
        withdrawnAfter.Withdraw(WithdrawalCategory.MovedAway, "moved away", Walk.Now);
        var (completed, _) = Walk.To(Completed);
        var (randomized, _) = Walk.To(Randomized);

        Assert.All(new[] { randomized, completed, withdrawnAfter }, p => Assert.True(p.WasAllocated));
        foreach (var status in Enum.GetValues<ParticipantStatus>().Except([Randomized, FollowUp, Completed]))
        {
            Assert.False(Walk.To(status).Participant.WasAllocated, status.ToString());
        }
    }

    private static void Run(Participant p, Trial trial, Command command)
    {
        var d = trial.Definition;
        switch (command)
        {
            case Command.Consent: p.Consent("1.0", new DateOnly(2026, 11, 20)); break;
            case Command.Decline: p.Decline(Walk.Now); break;
            case Command.Rating: p.RateFormulation(d, "R02", Walk.InterpersonalLeads, false, null, Walk.Now); break;
            case Command.Consensus: p.RateFormulation(d, "PANEL", Walk.CognitiveLeads, true, "agreed", Walk.Now); break;
            case Command.Randomize: p.MarkRandomized(Walk.Now); break;
            case Command.Withdraw: p.Withdraw(WithdrawalCategory.Other, "reason", Walk.Now); break;
            case Command.Complete: p.Complete(Walk.Now); break;
            case Command.RecordEvent: p.RecordEvent(ParticipantEventType.AdverseEvent, new DateOnly(2026, 11, 21), "headache", AdverseEventTests.Mild, Walk.Now); break;
            case Command.AssignTherapist: p.AssignTherapist(Walk.Therapist(trial, "T02"), ArmCode.Mediator); break;
            case Command.RecordSession: p.RecordSession(p.Sessions.Count + 1, DateOnly.FromDateTime(Walk.Now.UtcDateTime), Domain.Therapy.SessionAttendance.Attended, "T01", Walk.Now); break;
            case Command.StopTreatment: p.StopTreatment(Domain.Therapy.TreatmentStopCategory.ClinicalDecision, "note", Walk.Now); break;
            case Command.DeclareIneligible: p.DeclareIneligible("bipolar", "history found in the records", Walk.Now); break;
            case Command.Reconsent: p.Reconsent("2.0", new DateOnly(2026, 11, 21), "2.0"); break;
            default: throw new ArgumentOutOfRangeException(nameof(command));
        }
    }
}
