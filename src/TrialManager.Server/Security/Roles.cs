namespace TrialManager.Server.Security;

public static class Roles
{
    public const string Coordinator = "coordinator";
    public const string Statistician = "statistician";
    public const string Ethics = "ethics";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [Coordinator, Statistician, Ethics, Admin];
}

/// <summary>Authorization policies: each names the roles that may use a route (see docs/api.md).</summary>
public static class Policies
{
    public const string AnyRole = "any-role";
    public const string Coordinator = "coordinator";
    public const string CoordinatorOrAdmin = "coordinator-or-admin";
    public const string Statistician = "statistician";
    public const string StatisticsOverview = "statistics-overview";
    public const string Reports = "reports";
    public const string Admin = "admin";

    public static readonly IReadOnlyDictionary<string, string[]> RolesByPolicy = new Dictionary<string, string[]>
    {
        [AnyRole] = [.. Roles.All],
        [Coordinator] = [Roles.Coordinator],
        [CoordinatorOrAdmin] = [Roles.Coordinator, Roles.Admin],
        [Statistician] = [Roles.Statistician],
        [StatisticsOverview] = [Roles.Statistician, Roles.Ethics, Roles.Admin],
        [Reports] = [Roles.Ethics, Roles.Admin],
        [Admin] = [Roles.Admin],
    };
}
