using Stateless;
using TrialManager.Domain.Common;
using TrialManager.Domain.Schedule;
using TrialManager.Domain.Therapy;
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

    /// <summary>Found ineligible after consent and before randomization, on a named criterion (its own CONSORT exclusion reason).</summary>
    Ineligible,
    Randomized,

    /// <summary>Therapy stopped; the participant stays in follow-up (intention to treat) until completion or withdrawal.</summary>
    FollowUp,
    Withdrawn,
    Completed,
}

/// <summary>
/// A screened person, known only by a study id. The private state machine is the single place that says which
/// command is allowed in which status; handlers load the participant, call an intent method and save.
/// </summary>
public sealed class Participant
{
    private enum Trigger
    {
        Consent, Decline, DecideFormulation, AddRating, Randomize, Withdraw, Complete, RecordEvent, AssignTherapist, RecordSession, StopTreatment,
        DeclareIneligible, Reconsent,
    }

    private readonly List<FormulationRating> _ratings = [];
    private readonly List<ParticipantEvent> _events = [];
    private readonly List<TherapySession> _sessions = [];
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

    /// <summary>When the participant last re-consented under a newer consent version (<see cref="ConsentVersion"/> is that version).</summary>
    public DateOnly? ReconsentedOn { get; private set; }
    public DateTimeOffset? DeclinedAt { get; private set; }

    public Formulation? PrimaryFormulation { get; private set; }

    /// <summary>What a participant in formulationPending waits for: a second independent rating or a consensus rating.</summary>
    public FormulationAwaiting? AwaitingFormulation { get; private set; }
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

    /// <summary>The code of the therapist assigned after randomization; null until one is.</summary>
    public string? TherapistCode { get; private set; }

    public IReadOnlyList<TherapySession> Sessions => [.. _sessions.OrderBy(s => s.Number)];

    /// <summary>Why therapy stopped, coded; the participant then stays in follow-up.</summary>
    public TreatmentStopCategory? TreatmentStopCategory { get; private set; }

    /// <summary>The coordinator's private note on the treatment stop; no report prints it.</summary>
    public string? TreatmentStopNote { get; private set; }
    public DateTimeOffset? TreatmentStoppedAt { get; private set; }

    /// <summary>
    /// A stratification level of the allocation differs from the participant's corrected values: the allocation stands
    /// (it never changes) and the analysis keeps the stratum used. Set by <see cref="ReviewAllocation"/>.
    /// </summary>
    public bool MisStratified { get; private set; }

    /// <summary>Corrected screening answers fail an eligibility criterion although the participant was randomized (kept in intention to treat).</summary>
    public bool IneligibleAfterRandomization { get; private set; }

    /// <summary>The eligibility criterion found unmet after consent (status ineligible).</summary>
    public string? IneligibleCriterion { get; private set; }

    /// <summary>The coordinator's private note on the ineligibility; no report prints it.</summary>
    public string? IneligibleNote { get; private set; }
    public DateTimeOffset? IneligibleAt { get; private set; }

    /// <summary>True once allocated, also after a later withdrawal or completion: a repeat randomization returns that allocation.</summary>
    public bool WasAllocated => RandomizedAt is not null;

    /// <summary>
    /// Bumped by every change (each passes the lifecycle): a randomization that read the participant before the write
    /// gate compares it under the gate, so a change in between (a consensus rating that keeps the status but changes
    /// the formulation) is seen, and the database refuses an update made from an older version.
    /// </summary>
    public int Version { get; private set; }

    /// <summary>
    /// The day the earliest open session or visit of the schedule opens (<see cref="DueList.NextDue"/>), kept so the
    /// due list reads a page's worth of participants; null when nothing is owed or the participant is not followed.
    /// Derived, not recorded: <see cref="TrackSchedule"/> sets it after every change and <see cref="Version"/> stays.
    /// </summary>
    public DateOnly? NextDue { get; private set; }

    /// <summary>Whether the schedule applies: randomized and not yet withdrawn or completed (therapy may have stopped).</summary>
    public bool IsFollowed => Status is ParticipantStatus.Randomized or ParticipantStatus.FollowUp && RandomizedAt is not null;

    /// <summary>What the due list's rule needs of this participant, given the instruments recorded at each visit; null when not followed.</summary>
    public ScheduleProgress? Progress(IReadOnlyDictionary<string, IReadOnlySet<string>> visitInstrumentsRecorded) => IsFollowed
        ? new ScheduleProgress(
            DateOnly.FromDateTime(RandomizedAt!.Value.UtcDateTime), Status == ParticipantStatus.Randomized,
            _sessions.Select(s => s.Number).ToHashSet(), visitInstrumentsRecorded)
        : null;

    /// <summary>Sets <see cref="NextDue"/> from the rule, the trial's schedule and the instruments recorded at each visit.</summary>
    public void TrackSchedule(TrialSchedule? schedule, IReadOnlyDictionary<string, IReadOnlySet<string>> visitInstrumentsRecorded) =>
        NextDue = schedule is not null && Progress(visitInstrumentsRecorded) is { } progress ? DueList.NextDue(schedule, progress) : null;

    /// <summary>Screens a new participant against the trial's eligibility criteria; every failed criterion is kept.</summary>
    public static Participant Screen(string id, Trial trial, ScreeningAnswers answers, DateTimeOffset now)
    {
        trial.EnsureRecruiting("screening");
        var reasons = Eligibility.FailedCriteria(trial.Definition.Eligibility, answers);
        return new Participant(id, trial.Id, answers, reasons, now);
    }

    /// <summary>
    /// Consents again under the trial's current consent version after an amendment introduced it; the status stays as it
    /// is. Only the current version, only when it is newer than the one signed, never before the first consent.
    /// </summary>
    public void Reconsent(string consentVersion, DateOnly reconsentedOn, string? currentVersion)
    {
        EnsureAllowed(Trigger.Reconsent, "re-consent");
        if (!DefinitionVersions.NeedsReconsent(ConsentVersion, currentVersion) || consentVersion != currentVersion)
        {
            throw new WorkflowConflictException(
                $"The participant is {Status.Wire()}; they consented under version {ConsentVersion}, and " + (currentVersion is null
                    ? "the trial has no newer consent version to re-consent under."
                    : DefinitionVersions.NeedsReconsent(ConsentVersion, currentVersion)
                        ? $"re-consent takes the trial's current consent version {currentVersion}."
                        : $"that is the trial's current consent version {currentVersion}."));
        }

        if (reconsentedOn < ConsentedOn)
        {
            throw new DomainValidationException("consentedOn", "must not be before the first consent");
        }

        Fire(Trigger.Reconsent, "re-consent");
        ConsentVersion = consentVersion;
        ReconsentedOn = reconsentedOn;
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
    /// further raters are kept for reliability and change nothing. A participant drawn for double rating
    /// (<paramref name="doubleRated"/>) waits after the first rating for a second independent rater: if both give the
    /// same primary formulation the first decides, otherwise a consensus rating must.
    /// </summary>
    public FormulationRating RateFormulation(
        TrialDefinition trial, string rater, FormulationScores scores, bool consensus, string? rationale, DateTimeOffset now,
        bool doubleRated = false, string? enteredBy = null)
    {
        ArgumentNullException.ThrowIfNull(trial);
        ArgumentNullException.ThrowIfNull(scores);
        var primary = scores.Primary(trial.FormulationRule.MinMargin);
        var independent = _ratings.Where(r => !r.Consensus).OrderBy(r => r.Number).ToList();
        if (!consensus && independent.Exists(r => r.Rater == rater))
        {
            throw new DomainValidationException("rater", $"Rater {rater} has already rated this participant; a further rating needs another rater or \"consensus\": true.");
        }

        if (consensus && AwaitingFormulation == FormulationAwaiting.SecondRating && Status == ParticipantStatus.FormulationPending)
        {
            throw new WorkflowConflictException(
                "The participant is formulationPending, waiting for a second independent rating; a consensus rating comes after it.");
        }

        var number = _ratings.Count + 1;
        if (consensus || (_ratings.Count == 0 && !doubleRated))
        {
            Decide(trial, primary, consensus ? "a consensus formulation" : "a formulation rating");
        }
        else if (_ratings.Count == 0)
        {
            // Drawn: the first rating decides nothing yet.
            _decidedStatus = ParticipantStatus.FormulationPending;
            Fire(Trigger.DecideFormulation, "a formulation rating");
            (PrimaryFormulation, ExclusionReason, AwaitingFormulation) = (null, null, FormulationAwaiting.SecondRating);
        }
        else if (AwaitingFormulation == FormulationAwaiting.SecondRating && Status == ParticipantStatus.FormulationPending)
        {
            if (independent[0].Primary is { } agreed && agreed == primary)
            {
                Decide(trial, agreed, "a second formulation rating");
            }
            else
            {
                Fire(Trigger.AddRating, "a second formulation rating");
                AwaitingFormulation = FormulationAwaiting.Consensus;
            }
        }
        else
        {
            Fire(Trigger.AddRating, "a further formulation rating");
        }

        var rating = new FormulationRating(number, rater, scores, consensus, rationale, primary, now, enteredBy);
        _ratings.Add(rating);
        return rating;
    }

    private void Decide(TrialDefinition trial, Formulation? primary, string action)
    {
        (_decidedStatus, var exclusion) = primary switch
        {
            null => (ParticipantStatus.FormulationPending, (string?)null),
            { } p when !trial.Formulations.Contains(p) => (ParticipantStatus.Excluded, $"primary formulation {p.Wire()} is not among the trial's formulations"),
            _ => (ParticipantStatus.Formulated, null),
        };
        Fire(Trigger.DecideFormulation, action);
        ExclusionReason = exclusion;
        PrimaryFormulation = primary;
        AwaitingFormulation = primary is null ? FormulationAwaiting.Consensus : null;
    }

    /// <summary>
    /// The number of the rating that decided the primary formulation: the latest consensus rating if there is one,
    /// otherwise the first rating (alone, or agreed with by the second rater). Null while undecided.
    /// </summary>
    public int? DecidingRating
    {
        get
        {
            if (PrimaryFormulation is null)
            {
                return null;
            }

            var ratings = Ratings;
            return ratings.LastOrDefault(r => r.Consensus)?.Number ?? ratings.FirstOrDefault()?.Number;
        }
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

    /// <summary>What a participant in formulationPending waits for, in words ("a consensus rating"); null otherwise.</summary>
    public string? AwaitingText => Status == ParticipantStatus.FormulationPending && AwaitingFormulation is { } awaiting
        ? (awaiting == FormulationAwaiting.SecondRating ? "a second independent rating" : "a consensus rating")
        : null;

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

        var afterAllocation = Status is ParticipantStatus.Randomized or ParticipantStatus.FollowUp;
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

    /// <summary>
    /// Records an adverse event (with its safety <paramref name="details"/>, consistent by <see cref="AdverseEventRules"/>)
    /// or a protocol deviation (without them); <paramref name="alertId"/> names the safety alert it was recorded from.
    /// </summary>
    public ParticipantEvent RecordEvent(
        ParticipantEventType type, DateOnly occurredOn, string description, AdverseEventDetails? details, DateTimeOffset now, Guid? alertId = null)
    {
        if (AdverseEventRules.Check(type, occurredOn, details).FirstOrDefault() is { Key: { } field, Value: { } error })
        {
            throw new DomainValidationException(field, error);
        }

        Fire(Trigger.RecordEvent, "recording an event");
        var recorded = new ParticipantEvent(_events.Count + 1, type, occurredOn, description, details, alertId, now);
        _events.Add(recorded);
        return recorded;
    }

    /// <summary>
    /// Records the medical review of a serious adverse event: once, or again after a correction made since the last
    /// review (<paramref name="lastCorrectedAt"/>), and only of a serious one (409 otherwise).
    /// </summary>
    public ParticipantEvent ReviewEvent(Guid eventId, string reviewer, string comment, DateTimeOffset now, DateTimeOffset? lastCorrectedAt = null)
    {
        var recorded = Event(eventId);
        recorded.Review(reviewer, comment, now, lastCorrectedAt);
        Version++;
        return recorded;
    }

    /// <summary>
    /// Corrects one value of an event (validated as at entry) and returns the one it replaces; correcting <c>serious</c>
    /// makes the type follow it, and <paramref name="oldType"/> is then the type it replaced.
    /// </summary>
    public object? CorrectEvent(Guid eventId, EventField field, object? value, out ParticipantEventType? oldType)
    {
        var old = Event(eventId).Correct(field, value, out oldType);
        Version++;
        return old;
    }

    private ParticipantEvent Event(Guid eventId) =>
        _events.FirstOrDefault(e => e.Id == eventId) ?? throw new DomainValidationException("target", $"the participant has no event {eventId}");

    /// <summary>
    /// Assigns the therapist who treats this randomized participant; refused (409) when the therapist works at another
    /// site or does not deliver the participant's arm. A later assignment replaces the therapist for later sessions.
    /// </summary>
    public void AssignTherapist(Therapist therapist, ArmCode allocatedArm)
    {
        EnsureAllowed(Trigger.AssignTherapist, "assigning a therapist");
        therapist.EnsureCanTreat(Site, allocatedArm);
        Fire(Trigger.AssignTherapist, "assigning a therapist");
        TherapistCode = therapist.Code;
    }

    /// <summary>
    /// Records one numbered session: once per number (a change is a correction, not a second record), delivered by the
    /// assigned therapist, dated between randomization and a treatment stop.
    /// </summary>
    public TherapySession RecordSession(int number, DateOnly date, SessionAttendance attendance, string recordedBy, DateTimeOffset now)
    {
        EnsureAllowed(Trigger.RecordSession, "recording a session");
        if (TherapistCode is not { } therapist)
        {
            throw new WorkflowConflictException("No therapist is assigned to this participant; assign one before recording sessions.");
        }

        if (_sessions.Any(s => s.Number == number))
        {
            throw new WorkflowConflictException($"Session {number} is already recorded for this participant.");
        }

        EnsureSessionDate(date, "date");
        Fire(Trigger.RecordSession, "recording a session");
        var session = new TherapySession(number, date, attendance, therapist, recordedBy, now);
        _sessions.Add(session);
        return session;
    }

    /// <summary>Stops therapy; the participant stays in follow-up, so their outcomes are still collected (intention to treat).</summary>
    public void StopTreatment(TreatmentStopCategory category, string? note, DateTimeOffset now)
    {
        if (!Enum.IsDefined(category))
        {
            throw new DomainValidationException("category", $"{category} is not a treatment-stop category.");
        }

        Fire(Trigger.StopTreatment, "stopping treatment");
        TreatmentStopCategory = category;
        TreatmentStopNote = note;
        TreatmentStoppedAt = now;
    }

    /// <summary>
    /// Found ineligible after consent and before randomization: the participant leaves on the named criterion (not a
    /// withdrawal; CONSORT counts it as its own exclusion reason). After randomization the allocation stands and a
    /// correction of the answers marks it ineligible after randomization instead.
    /// </summary>
    public void DeclareIneligible(string criterion, string? note, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(criterion))
        {
            throw new DomainValidationException("criterion", "is required: the eligibility criterion that is not met");
        }

        Fire(Trigger.DeclareIneligible, "declaring the participant ineligible");
        IneligibleCriterion = criterion.Trim();
        IneligibleNote = note;
        IneligibleAt = now;
    }

    /// <summary>
    /// Corrects one screening answer or the consent (any status: a correction fixes what was recorded, it is no step of
    /// the workflow) and returns the value it replaces. The caller validates the value as at entry and keeps the
    /// correction; a randomized participant's allocation is then reviewed (<see cref="ReviewAllocation"/>).
    /// </summary>
    public object? CorrectAnswer(ParticipantField field, object? value)
    {
        if (field is ParticipantField.ConsentVersion or ParticipantField.ConsentedOn && ConsentVersion is null)
        {
            throw new WorkflowConflictException($"The participant is {Status.Wire()} and no consent is recorded; there is no consent to correct.");
        }

        object? old;
        switch (field)
        {
            case ParticipantField.Site:
                (old, Site) = (Site, Required<string>(value));
                break;
            case ParticipantField.AgeYears:
                (old, AgeYears) = (AgeYears, Required<int>(value));
                break;
            case ParticipantField.Severity:
                (old, Severity) = (Severity, Required<int>(value));
                break;
            case ParticipantField.Exclusions:
                (old, Exclusions) = (Exclusions, [.. Required<IReadOnlyList<string>>(value)]);
                break;
            case ParticipantField.Motivation:
                (old, Motivation) = (Motivation, (int?)value);
                break;
            case ParticipantField.Expectancy:
                (old, Expectancy) = (Expectancy, (int?)value);
                break;
            case ParticipantField.ConsentVersion:
                (old, ConsentVersion) = (ConsentVersion, Required<string>(value));
                break;
            case ParticipantField.ConsentedOn:
                (old, ConsentedOn) = (ConsentedOn, Required<DateOnly>(value));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(field));
        }

        Version++;
        return old;
    }

    private static T Required<T>(object? value) => value is T typed ? typed : throw new ArgumentException($"A {typeof(T).Name} is required.", nameof(value));

    /// <summary>
    /// After a correction: whether the allocation's stratification levels still match the participant's values
    /// (<see cref="MisStratified"/>) and whether the answers still pass the criteria (<see cref="IneligibleAfterRandomization"/>).
    /// The allocation itself never changes. Not allocated: nothing to review.
    /// </summary>
    public void ReviewAllocation(TrialDefinition trial, ParticipantAllocation? allocation)
    {
        ArgumentNullException.ThrowIfNull(trial);
        if (allocation is null)
        {
            return;
        }

        var stratifying = trial.Randomization.StratifyBy.Concat(trial.Randomization.Factors).ToHashSet(StringComparer.Ordinal);
        var current = trial.FactorLevels(Site, allocation.Formulation, Severity);
        MisStratified = allocation.Levels.Any(l =>
            stratifying.Contains(l.Key) && current.TryGetValue(l.Key, out var level) && !string.Equals(level, l.Value, StringComparison.Ordinal));
        var answers = new ScreeningAnswers(Site, AgeYears, Severity, Exclusions, Motivation, Expectancy);
        IneligibleAfterRandomization = Eligibility.FailedCriteria(trial.Eligibility, answers).Count > 0;
    }

    /// <summary>
    /// Corrects a rating's scores (and rationale); the rating's own primary formulation follows. A decided formulation
    /// is not re-decided by a correction: if the deciding rating's primary would change, a consensus rating must decide.
    /// </summary>
    public (FormulationScores Scores, string? Rationale) CorrectRating(TrialDefinition trial, int number, FormulationScores scores, string? rationale)
    {
        ArgumentNullException.ThrowIfNull(trial);
        var rating = _ratings.FirstOrDefault(r => r.Number == number) ?? throw new DomainValidationException("target", $"there is no rating {number}");
        var primary = scores.Primary(trial.FormulationRule.MinMargin);
        if (number == DecidingRating && primary != rating.Primary)
        {
            throw new WorkflowConflictException(
                $"Rating {number} decided the primary formulation; a correction that changes its primary formulation needs a consensus rating instead.");
        }

        var old = (rating.Scores, rating.Rationale);
        rating.Correct(scores, rationale, primary);
        Version++;
        return old;
    }

    /// <summary>Corrects a recorded session's date (within randomization and a treatment stop, as at entry) or attendance.</summary>
    public object CorrectSession(int number, DateOnly? date, SessionAttendance? attendance)
    {
        var session = _sessions.FirstOrDefault(s => s.Number == number) ?? throw new DomainValidationException("target", $"there is no session {number}");
        object old;
        if (date is { } d)
        {
            EnsureSessionDate(d, "value");
            old = session.Date;
        }
        else
        {
            old = session.Attendance;
        }

        session.Correct(date ?? session.Date, attendance ?? session.Attendance);
        Version++;
        return old;
    }

    private void EnsureSessionDate(DateOnly date, string field)
    {
        if (RandomizedAt is { } randomized && date < DateOnly.FromDateTime(randomized.UtcDateTime))
        {
            throw new DomainValidationException(field, $"is before the participant's randomization on {DateOnly.FromDateTime(randomized.UtcDateTime):yyyy-MM-dd}");
        }

        if (TreatmentStoppedAt is { } stopped && date > DateOnly.FromDateTime(stopped.UtcDateTime))
        {
            throw new DomainValidationException(field, $"is after the treatment stop on {DateOnly.FromDateTime(stopped.UtcDateTime):yyyy-MM-dd}");
        }
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

    private void EnsureAllowed(Trigger trigger, string action)
    {
        if (!CreateMachine().CanFire(trigger))
        {
            throw Conflict(action);
        }
    }

    private WorkflowConflictException Conflict(string action) =>
        new($"The participant is {Status.Wire()}; {action} is not allowed in that state{(AwaitingText is { } w ? $" (it is waiting for {w})" : string.Empty)}.");

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
            .PermitReentry(Trigger.Reconsent)
            .Permit(Trigger.DeclareIneligible, ParticipantStatus.Ineligible)
            .PermitDynamic(Trigger.DecideFormulation, () => _decidedStatus, "primary formulation", FormulationOutcomes)
            .Permit(Trigger.Withdraw, ParticipantStatus.Withdrawn)
            .PermitReentry(Trigger.RecordEvent);
        m.Configure(ParticipantStatus.FormulationPending)
            .PermitReentry(Trigger.Reconsent)
            .Permit(Trigger.DeclareIneligible, ParticipantStatus.Ineligible)
            .PermitDynamic(Trigger.DecideFormulation, () => _decidedStatus, "primary formulation", FormulationOutcomes)
            .PermitReentry(Trigger.AddRating)
            .Permit(Trigger.Withdraw, ParticipantStatus.Withdrawn)
            .PermitReentry(Trigger.RecordEvent);
        m.Configure(ParticipantStatus.Formulated)
            .PermitReentry(Trigger.Reconsent)
            .Permit(Trigger.DeclareIneligible, ParticipantStatus.Ineligible)
            .PermitDynamic(Trigger.DecideFormulation, () => _decidedStatus, "primary formulation", FormulationOutcomes)
            .PermitReentry(Trigger.AddRating)
            .Permit(Trigger.Randomize, ParticipantStatus.Randomized)
            .Permit(Trigger.Withdraw, ParticipantStatus.Withdrawn)
            .PermitReentry(Trigger.RecordEvent);
        // Ineligible is final, like excluded; adverse events found later are still recorded.
        m.Configure(ParticipantStatus.Ineligible)
            .PermitReentry(Trigger.RecordEvent);
        m.Configure(ParticipantStatus.Excluded)
            .PermitDynamic(Trigger.DecideFormulation, () => _decidedStatus, "primary formulation", FormulationOutcomes)
            .PermitReentry(Trigger.AddRating);
        m.Configure(ParticipantStatus.Randomized)
            .PermitReentry(Trigger.Reconsent)
            .PermitReentry(Trigger.AddRating)
            .Permit(Trigger.Complete, ParticipantStatus.Completed)
            .Permit(Trigger.Withdraw, ParticipantStatus.Withdrawn)
            .PermitReentry(Trigger.RecordEvent)
            .PermitReentry(Trigger.AssignTherapist)
            .PermitReentry(Trigger.RecordSession)
            .Permit(Trigger.StopTreatment, ParticipantStatus.FollowUp);
        // Therapy stopped: follow-up goes on; sessions held before the stop can still be recorded.
        m.Configure(ParticipantStatus.FollowUp)
            .PermitReentry(Trigger.Reconsent)
            .PermitReentry(Trigger.AddRating)
            .Permit(Trigger.Complete, ParticipantStatus.Completed)
            .Permit(Trigger.Withdraw, ParticipantStatus.Withdrawn)
            .PermitReentry(Trigger.RecordEvent)
            .PermitReentry(Trigger.RecordSession);
        m.Configure(ParticipantStatus.Withdrawn)
            .PermitReentry(Trigger.RecordEvent);
        m.Configure(ParticipantStatus.Completed)
            .PermitReentry(Trigger.AddRating)
            .PermitReentry(Trigger.RecordEvent);
        return m;
    }
}

/// <summary>What a participant in formulationPending waits for.</summary>
public enum FormulationAwaiting
{
    SecondRating,
    Consensus,
}
