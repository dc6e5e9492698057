using TrialManager.Domain.Common;

namespace TrialManager.Domain.Participants;

/// <summary>ICH E2A seriousness criteria: an adverse event that meets one is serious.</summary>
public enum SeriousnessCriterion
{
    Death,
    LifeThreatening,
    Hospitalisation,
    Disability,
    OtherImportant,
}

public enum EventSeverity
{
    Mild,
    Moderate,
    Severe,
}

/// <summary>How likely the therapy caused the event, in the usual five steps.</summary>
public enum EventRelatedness
{
    Unrelated,
    Unlikely,
    Possible,
    Probable,
    Definite,
}

public enum EventOutcome
{
    Recovered,
    Recovering,
    NotRecovered,
    Fatal,
    Unknown,
}

/// <summary>The structured fields every adverse event carries (protocol deviations carry none).</summary>
/// <param name="Serious">The criteria met; empty when the event is not serious.</param>
/// <param name="ResolvedOn">The day the event resolved (or the day of death); null while it has not.</param>
public sealed record AdverseEventDetails(
    IReadOnlyList<SeriousnessCriterion> Serious, EventSeverity Severity, EventRelatedness Relatedness, bool Expected, EventOutcome Outcome,
    DateOnly? ResolvedOn)
{
    public bool IsSerious => Serious.Count > 0;
}

/// <summary>
/// Which combinations of an event's type, dates and safety fields are consistent. Shared by entry and correction, so a
/// correction can never produce an event that entry would refuse.
/// </summary>
public static class AdverseEventRules
{
    public static bool IsAdverse(ParticipantEventType type) => type is ParticipantEventType.AdverseEvent or ParticipantEventType.SeriousAdverseEvent;

    /// <summary>The type an adverse event has with these criteria: any criterion makes it serious (ICH E2A).</summary>
    public static ParticipantEventType TypeFor(IReadOnlyCollection<SeriousnessCriterion> serious) =>
        serious.Count > 0 ? ParticipantEventType.SeriousAdverseEvent : ParticipantEventType.AdverseEvent;

    /// <summary>What is inconsistent, keyed by the request's field; empty when nothing is.</summary>
    public static IReadOnlyDictionary<string, string> Check(ParticipantEventType type, DateOnly occurredOn, AdverseEventDetails? details)
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!IsAdverse(type))
        {
            if (details is not null)
            {
                errors["type"] = "a protocol deviation takes no seriousness, severity, relatedness, expectedness, outcome or resolution";
            }

            return errors;
        }

        if (details is null)
        {
            errors["serious"] = "an adverse event needs serious, severity, relatedness, expected and outcome";
            return errors;
        }

        if (details.Serious.Distinct().Count() != details.Serious.Count)
        {
            errors["serious"] = "names a criterion more than once";
        }
        else if (type == ParticipantEventType.SeriousAdverseEvent && !details.IsSerious)
        {
            errors["serious"] = "a seriousAdverseEvent meets at least one criterion (death, lifeThreatening, hospitalisation, disability, otherImportant)";
        }
        else if (type == ParticipantEventType.AdverseEvent && details.IsSerious)
        {
            errors["serious"] = "an event that meets a seriousness criterion is recorded as a seriousAdverseEvent; an adverseEvent has serious: []";
        }
        else if (details.Serious.Contains(SeriousnessCriterion.Death) != (details.Outcome == EventOutcome.Fatal))
        {
            errors[details.Outcome == EventOutcome.Fatal ? "outcome" : "serious"] = details.Outcome == EventOutcome.Fatal
                ? "fatal needs the death criterion in serious"
                : "the death criterion needs the outcome fatal";
        }

        if (details.ResolvedOn is { } resolved)
        {
            if (resolved < occurredOn)
            {
                errors["resolvedOn"] = $"is before occurredOn ({occurredOn:yyyy-MM-dd})";
            }
            else if (details.Outcome is not (EventOutcome.Recovered or EventOutcome.Fatal))
            {
                errors["resolvedOn"] = $"an event with the outcome {details.Outcome.Wire()} has not resolved; leave resolvedOn out";
            }
        }

        return errors;
    }
}
