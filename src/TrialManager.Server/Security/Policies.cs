using TrialManager.Server.Common;

namespace TrialManager.Server.Security;

/// <summary>Authorization policies: each names the roles that may use a route (see docs/api.md).</summary>
public static class Policies
{
    public const string AnyRole = "any-role";
    public const string Coordinator = "coordinator";
    public const string CoordinatorOrAdmin = "coordinator-or-admin";
    public const string Statistician = "statistician";
    public const string StatisticsOverview = "statistics-overview";
    public const string Reports = "reports";

    /// <summary>The data and safety monitoring board's own page (its closed reports).</summary>
    public const string Dsmb = "dsmb";
    public const string Admin = "admin";
    public const string Therapist = "therapist";
    public const string CoordinatorOrTherapist = "coordinator-or-therapist";
    public const string ProtocolDocument = "protocol-document";
    public const string TherapistOversight = "therapist-oversight";
    public const string Rater = "rater";
    public const string Rating = "rating";
    public const string ReferenceCases = "reference-cases";
    public const string RaterOverview = "rater-overview";
    public const string MeasureReaders = "measure-readers";
    public const string MeasureEntry = "measure-entry";
    public const string DueList = "due-list";

    /// <summary>A report is signed by its audience (ethics, dsmb); the handler matches the role to the report's kind.</summary>
    public const string ReportSigners = "report-signers";

    /// <summary>Whoever receives reports may check one: the boards and the admin.</summary>
    public const string ReportVerification = "report-verification";

    /// <summary>Unblinding: a blind assessor, or an admin acting for someone who needs the arm.</summary>
    public const string Unblinding = "unblinding";

    public const string Assessor = "assessor";

    /// <summary>Whoever enters something may correct it; the handler checks the role against the target.</summary>
    public const string Correction = "correction";

    /// <summary>Data queries are raised by a statistician or an admin acting as monitor, and listed for them and the sites.</summary>
    public const string RaiseDataQuery = "raise-data-query";
    public const string DataQueries = "data-queries";

    /// <summary>The medical review of serious adverse events: an admin or the DSMB.</summary>
    public const string SafetyReview = "safety-review";

    public static readonly IReadOnlyDictionary<string, string[]> RolesByPolicy = new Dictionary<string, string[]>
    {
        [AnyRole] = [.. Roles.All],
        [Coordinator] = [Roles.Coordinator],
        [CoordinatorOrAdmin] = [Roles.Coordinator, Roles.Admin],
        [Statistician] = [Roles.Statistician],
        [StatisticsOverview] = [Roles.Statistician, Roles.Ethics, Roles.Admin],
        [Reports] = [Roles.Ethics, Roles.Dsmb, Roles.Admin],
        [Dsmb] = [Roles.Dsmb],
        [Admin] = [Roles.Admin],
        [Therapist] = [Roles.Therapist],
        [CoordinatorOrTherapist] = [Roles.Coordinator, Roles.Therapist],
        [ProtocolDocument] = [Roles.Coordinator, Roles.Admin, Roles.Therapist],
        [TherapistOversight] = [Roles.Admin, Roles.Statistician],
        [Rater] = [Roles.Rater],
        [Rating] = [Roles.Coordinator, Roles.Rater],
        [ReferenceCases] = [Roles.Rater, Roles.Admin],
        [RaterOverview] = [Roles.Statistician, Roles.Admin],
        [MeasureReaders] = [Roles.Coordinator, Roles.Therapist, Roles.Statistician, Roles.Assessor],
        [MeasureEntry] = [Roles.Coordinator, Roles.Therapist, Roles.Rater, Roles.Assessor],
        [DueList] = [Roles.Coordinator, Roles.Assessor],
        [ReportSigners] = [Roles.Ethics, Roles.Dsmb],
        [ReportVerification] = [Roles.Ethics, Roles.Dsmb, Roles.Admin],
        [Unblinding] = [Roles.Assessor, Roles.Admin],
        [Assessor] = [Roles.Assessor],
        [Correction] = [Roles.Coordinator, Roles.Therapist, Roles.Rater, Roles.Assessor],
        [RaiseDataQuery] = [Roles.Statistician, Roles.Admin],
        [DataQueries] = [Roles.Coordinator, Roles.Statistician, Roles.Admin],
        [SafetyReview] = [Roles.Admin, Roles.Dsmb],
    };
}
