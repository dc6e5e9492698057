using TrialManager.Domain.Common;
using TrialManager.Domain.Trials;

namespace TrialManager.Domain.Therapy;

/// <summary>
/// A therapist of one trial: works at one site and delivers one or more of its arms. Identified by the name of
/// their key (or token), so what they record is attributed to them without a field in the body.
/// </summary>
public sealed class Therapist
{
    private Therapist()
    {
        TrialId = Code = Site = string.Empty;
        Arms = [];
    }

    private Therapist(string trialId, string code, string site, IReadOnlyList<ArmCode> arms, DateTimeOffset registeredAt)
    {
        TrialId = trialId;
        Code = code;
        Site = site;
        Arms = arms;
        RegisteredAt = registeredAt;
    }

    public string TrialId { get; private set; }
    public string Code { get; private set; }
    public string Site { get; private set; }
    public IReadOnlyList<ArmCode> Arms { get; private set; }
    public DateTimeOffset RegisteredAt { get; private set; }

    /// <summary>Registers a therapist at one of the trial's sites for some of its arms; anything else is refused.</summary>
    public static Therapist Register(Trial trial, string code, string site, IReadOnlyList<ArmCode> arms, DateTimeOffset now)
    {
        var trialSite = trial.Definition.Sites.FirstOrDefault(s => string.Equals(s, site, StringComparison.OrdinalIgnoreCase))
            ?? throw new DomainValidationException("site", $"{site} is not a site of trial {trial.Id} ({string.Join(", ", trial.Definition.Sites)}).");
        if (arms.Count == 0)
        {
            throw new DomainValidationException("arms", "A therapist delivers at least one arm.");
        }

        var trialArms = trial.Definition.Arms.Select(a => a.Code).ToList();
        foreach (var foreign in arms.Where(a => !trialArms.Contains(a)))
        {
            throw new DomainValidationException("arms", $"{foreign.Wire()} is not an arm of trial {trial.Id}.");
        }

        return new Therapist(trial.Id, code, trialSite, [.. arms.Distinct().Order()], now);
    }

    /// <summary>Refuses (409) a participant of another site or an arm this therapist does not deliver.</summary>
    public void EnsureCanTreat(string participantSite, ArmCode arm)
    {
        if (!string.Equals(participantSite, Site, StringComparison.Ordinal))
        {
            throw new WorkflowConflictException($"Therapist {Code} works at site {Site}; the participant is at site {participantSite}.");
        }

        if (!Arms.Contains(arm))
        {
            throw new WorkflowConflictException(
                $"Therapist {Code} delivers {string.Join(" and ", Arms.Select(a => a.Wire()))}; the participant was allocated to {arm.Wire()}.");
        }
    }
}
