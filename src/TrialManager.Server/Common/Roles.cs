namespace TrialManager.Server.Common;

/// <summary>The roles a key or token carries: the vocabulary every layer shares (policies, actors, pages).</summary>
public static class Roles
{
    public const string Coordinator = "coordinator";
    public const string Statistician = "statistician";
    public const string Ethics = "ethics";
    public const string Admin = "admin";

    /// <summary>Delivers therapy: sees only the participants assigned to them (by the key's name) and records their sessions.</summary>
    public const string Therapist = "therapist";

    /// <summary>Rates formulations as itself (the key's or token's name), blind to every other rating and to the arm.</summary>
    public const string Rater = "rater";

    /// <summary>Enters the visit instruments, blind to the arm: nothing an assessor can read names one.</summary>
    public const string Assessor = "assessor";

    /// <summary>The data and safety monitoring board: the only readers of closed (by-arm) reports.</summary>
    public const string Dsmb = "dsmb";

    public static readonly IReadOnlyList<string> All = [Coordinator, Statistician, Ethics, Admin, Therapist, Rater, Assessor, Dsmb];
}
