using Stateless;
using TrialManager.Domain.Common;
using TrialManager.Domain.Trials;

namespace TrialManager.Domain.Participants;

public enum ParticipantStatus
{
    Eligible,
    ScreenFailed,
    Consented,
    Declined,
    FormulationPending,
    Formulated,
    Excluded,
    Randomized,
    Withdrawn,
    Completed,
}

/// <summary>
/// A screened person, known only by a study id. The private state machine is the single place that says which
/// command is allowed in which status; handlers load the participant, call an intent method and save.
/// </summary>
public sealed class Participant
{
    private enum Trigger { Consent, Decline, DecideFormulation, AddRating, Randomize, Withdraw, Complete, RecordEvent }

    private readonly List<FormulationRating> _ratings = [];
    private readonly List<ParticipantEvent> _events = [];
    private ParticipantStatus _decidedStatus;

    private Participant()
    {
        Id = TrialId = Site = string.Empty;
        Exclusions = ScreeningReasons = [];
    }

    private Participant(string id, string trialId, ScreeningAnswers answers, IReadOnlyList<string> reasons, DateTimeOffset screenedAt)
    {
        Id = id;
        TrialId = trialId;
        Site = answers.Site;
        AgeYears = answers.AgeYears;
        Severity = answers.Severity;
        Exclusions = [.. answers.Exclusions];
        Motivation = answers.Motivation;
        Expectancy = answers.Expectancy;
        ScreeningReasons = [.. reasons];
        Status = reasons.Count == 0 ? ParticipantStatus.Eligible : ParticipantStatus.ScreenFailed;
        ScreenedAt = screenedAt;
    }

    public string Id { get; private set; }
    public string TrialId { get; private set; }
    public string Site { get; private set; }
    public int AgeYears { get; private set; }
    public int Severity { get; private set; }
    public IReadOnlyList<string> Exclusions { get; private set; }

    /// <summary>Baseline motivation for change (0-10): a candidate moderator of the relationship's effect.</summary>
    public int? Motivation { get; private set; }

    /// <summary>Baseline expectancy of improvement (0-10).</summary>
    public int? Expectancy { get; private set; }

    public ParticipantStatus Status { get; private set; }
    public IReadOnlyList<string> ScreeningReasons { get; private set; }
    public DateTimeOffset ScreenedAt { get; private set; }

    public string? ConsentVersion { get; private set; }
    public DateOnly? ConsentedOn { get; private set; }
    public DateTimeOffset? DeclinedAt { get; private set; }

    public Formulation? PrimaryFormulation { get; private set; }
    public string? ExclusionReason { get; private set; }
    // In rating order: a database may load owned rows in any order (PostgreSQL does), and "first rater" depends on it.
    public IReadOnlyList<FormulationRating> Ratings => [.. _ratings.OrderBy(r => r.Number)];

    public DateTimeOffset? RandomizedAt { get; private set; }

    /// <summary>Why the participant withdrew, coded; null only for withdrawals recorded before categories existed.</summary>
    public WithdrawalCategory? WithdrawalCategory { get; private set; }

    /// <summary>The coordinator's private note on the withdrawal: free text that no report or ethics export prints.</summary>
    public string? WithdrawalReason { get; private set; }
    public DateTimeOffset? WithdrawnAt { get; private set; }

    /// <summary>True when the participant was withdrawn after allocation (CONSORT counts them by arm).</summary>
    public bool WithdrawnAfterAllocation { get; private set; }

    public DateTimeOffset? CompletedAt { get; private set; }
    public IReadOnlyList<ParticipantEvent> Events => [.. _events.OrderBy(e => e.Number)];

    /// <summary>True once allocated, also after a later withdrawal or completion: a repeat randomization returns that allocation.</summary>
    public bool WasAllocated => RandomizedAt is not null;

    /// <summary>
    /// Bumped by every change (each passes the lifecycle): a randomization that read the participant before the write
    /// gate compares it under the gate, so a change in between (a consensus rating that keeps the status but changes
    /// the formulation) is seen, and the database refuses an update made from an older version.
    /// </summary>
    public int Version { get; private set; }

    /// <summary>Screens a new participant against the trial's eligibility criteria; every failed criterion is kept.</summary>
    public static Participant Screen(string id, Trial trial, ScreeningAnswers answers, DateTimeOffset now)
    {
        trial.EnsureRecruiting("screening");
        var reasons = Eligibility.FailedCriteria(trial.Definition.Eligibility, answers);
        return new Participant(id, trial.Id, answers, reasons, now);
    }

    public void Consent(string consentVersion, DateOnly consentedOn)
    {
        Fire(Trigger.Consent, "consent");
        ConsentVersion = consentVersion;
        ConsentedOn = consentedOn;
    }

    public void Decline(DateTimeOffset now)
    {
        Fire(Trigger.Decline, "declining consent");
        DeclinedAt = now;
    }

    /// <summary>
    /// Records a rating. The first rating, or a consensus rating, decides the primary formulation; ratings by
    /// further raters are kept for reliability and change nothing.
    /// </summary>
    public FormulationRating RateFormulation(
        TrialDefinition trial, string rater, FormulationScores scores, bool consensus, string? rationale, DateTimeOffset now)
    {
        var primary = scores.Primary(trial.FormulationRule.MinMargin);
        var deciding = consensus || _ratings.Count == 0;
        if (!deciding && _ratings.Any(r => !r.Consensus && r.Rater == rater))
        {
            throw new DomainValidationException("rater", $"Rater {rater} has already rated this participant; a further rating needs another rater or \"consensus\": true.");
        }

        if (deciding)
        {
            (_decidedStatus, ExclusionReason) = primary switch
            {
                null => (ParticipantStatus.FormulationPending, (string?)null),
                { } p when !trial.Formulations.Contains(p) => (ParticipantStatus.Excluded, $"primary formulation {p.Wire()} is not among the trial's formulations"),
                _ => (ParticipantStatus.Formulated, null),
            };
            Fire(Trigger.DecideFormulation, consensus ? "a consensus formulation" : "a formulation rating");
            PrimaryFormulation = primary;
        }
        else
        {
            Fire(Trigger.AddRating, "a further formulation rating");
        }

        var rating = new FormulationRating(_ratings.Count + 1, rater, scores, consensus, rationale, primary, now);
        _ratings.Add(rating);
        return rating;
    }

    /// <summary>The first and second raters' primary formulations, when two different raters rated this participant.</summary>
    public (Formulation? First, Formulation? Second)? ReliabilityPair()
    {
        var ratings = Ratings;
        var first = ratings.FirstOrDefault(r => !r.Consensus);
        var second = first is null ? null : ratings.FirstOrDefault(r => !r.Consensus && r.Rater != first.Rater);
        return first is null || second is null ? null : (first.Primary, second.Primary);
    }

    public void EnsureCanBeRandomized()
    {
        if (!CreateMachine().CanFire(Trigger.Randomize))
        {
            throw Conflict("randomization");
        }
    }

    public void MarkRandomized(DateTimeOffset now)
    {
        Fire(Trigger.Randomize, "randomization");
        RandomizedAt = now;
    }

    public void Withdraw(WithdrawalCategory category, string? note, DateTimeOffset now)
    {
        if (!Enum.IsDefined(category))
        {
            throw new DomainValidationException("category", $"{category} is not a withdrawal category.");
        }

        var afterAllocation = Status == ParticipantStatus.Randomized;
        Fire(Trigger.Withdraw, "withdrawal");
        WithdrawalCategory = category;
        WithdrawalReason = note;
        WithdrawnAt = now;
        WithdrawnAfterAllocation = afterAllocation;
    }

    public void Complete(DateTimeOffset now)
    {
        Fire(Trigger.Complete, "completion");
        CompletedAt = now;
    }

    public ParticipantEvent RecordEvent(ParticipantEventType type, DateOnly occurredOn, string description, DateTimeOffset now)
    {
        Fire(Trigger.RecordEvent, "recording an event");
        var recorded = new ParticipantEvent(_events.Count + 1, type, occurredOn, description, now);
        _events.Add(recorded);
        return recorded;
    }

    /// <summary>The lifecycle graph in DOT, for docs/participant-lifecycle.dot.</summary>
    public static string LifecycleGraph() => Stateless.Graph.UmlDotGraph.Format(new Participant().CreateMachine().GetInfo());

    /// <summary>Which commands the lifecycle allows in <paramref name="status"/>, by name, for tests and the docs.</summary>
    public static IReadOnlyList<string> PermittedIn(ParticipantStatus status)
    {
        var participant = new Participant { Status = status };
        var machine = participant.CreateMachine();
        return [.. Enum.GetValues<Trigger>().Where(t => machine.CanFire(t)).Select(t => t.ToString())];
    }

    private void Fire(Trigger trigger, string action)
    {
        var machine = CreateMachine();
        if (!machine.CanFire(trigger))
        {
            throw Conflict(action);
        }

        machine.Fire(trigger);
        Version++;
    }

    private WorkflowConflictException Conflict(string action) =>
        new($"The participant is {Status.Wire()}; {action} is not allowed in that state.");

    // Where a deciding rating can lead; named so the exported graph shows the destinations of the dynamic transition.
    private static readonly Stateless.Reflection.DynamicStateInfos FormulationOutcomes = new()
    {
        { ParticipantStatus.Formulated, "leads by minMargin, in the trial's formulations" },
        { ParticipantStatus.FormulationPending, "indeterminate" },
        { ParticipantStatus.Excluded, "outside the trial's formulations" },
    };

    // One machine per call: Stateless machines are not thread-safe, and the state lives in Status.
    // Self-loops are re-entries (no entry or exit actions exist), which the graph draws without a guard label.
    private StateMachine<ParticipantStatus, Trigger> CreateMachine()
    {
        var m = new StateMachine<ParticipantStatus, Trigger>(() => Status, s => Status = s);

        // Screening ends in eligible or screenFailed; screenFailed and declined are final.
        m.Configure(ParticipantStatus.ScreenFailed);
        m.Configure(ParticipantStatus.Declined);
        m.Configure(ParticipantStatus.Eligible)
            .Permit(Trigger.Consent, ParticipantStatus.Consented)
            .Permit(Trigger.Decline, ParticipantStatus.Declined)
            .Permit(Trigger.Withdraw, ParticipantStatus.Withdrawn);
        m.Configure(ParticipantStatus.Consented)
            .PermitDynamic(Trigger.DecideFormulation, () => _decidedStatus, "primary formulation", FormulationOutcomes)
            .Permit(Trigger.Withdraw, ParticipantStatus.Withdrawn)
            .PermitReentry(Trigger.RecordEvent);
        m.Configure(ParticipantStatus.FormulationPending)
            .PermitDynamic(Trigger.DecideFormulation, () => _decidedStatus, "primary formulation", FormulationOutcomes)
            .PermitReentry(Trigger.AddRating)
            .Permit(Trigger.Withdraw, ParticipantStatus.Withdrawn)
            .PermitReentry(Trigger.RecordEvent);
        m.Configure(ParticipantStatus.Formulated)
            .PermitDynamic(Trigger.DecideFormulation, () => _decidedStatus, "primary formulation", FormulationOutcomes)
            .PermitReentry(Trigger.AddRating)
            .Permit(Trigger.Randomize, ParticipantStatus.Randomized)
            .Permit(Trigger.Withdraw, ParticipantStatus.Withdrawn)
            .PermitReentry(Trigger.RecordEvent);
        m.Configure(ParticipantStatus.Excluded)
            .PermitDynamic(Trigger.DecideFormulation, () => _decidedStatus, "primary formulation", FormulationOutcomes)
            .PermitReentry(Trigger.AddRating);
        m.Configure(ParticipantStatus.Randomized)
            .PermitReentry(Trigger.AddRating)
            .Permit(Trigger.Complete, ParticipantStatus.Completed)
            .Permit(Trigger.Withdraw, ParticipantStatus.Withdrawn)
            .PermitReentry(Trigger.RecordEvent);
        m.Configure(ParticipantStatus.Withdrawn)
            .PermitReentry(Trigger.RecordEvent);
        m.Configure(ParticipantStatus.Completed)
            .PermitReentry(Trigger.AddRating)
            .PermitReentry(Trigger.RecordEvent);
        return m;
    }
}
