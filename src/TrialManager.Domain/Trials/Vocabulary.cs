namespace TrialManager.Domain.Trials;

/// <summary>What mainly causes or maintains the presenting problem (the case formulation).</summary>
public enum Formulation
{
    Cognitive,
    Interpersonal,
    Behavioral,
    Environmental,
}

/// <summary>
/// How the therapist uses the relationship: as the process of change, or as its precondition; or, in a three-arm
/// trial, the comparator: treatment chosen by diagnosis, the alternative the science argues against.
/// </summary>
public enum ArmCode
{
    Mediator,
    Moderator,
    Comparator,
}

public enum TrialStatus
{
    Draft,
    Recruiting,
    Paused,
    Closed,
}

/// <summary>Names of the factors a trial may stratify or minimise on, and how a participant's level is read.</summary>
public static class Factors
{
    public const string Formulation = "formulation";
    public const string Site = "site";
    public const string Severity = "severity";

    public static readonly IReadOnlyList<string> All = [Formulation, Site, Severity];
}
