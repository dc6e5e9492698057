using TrialManager.Server.Common;
using TrialManager.Server.Security;

namespace TrialManager.Server.Pages.Shared;

/// <summary>The server-rendered pages: Razor Pages and their static assets, signed in by <see cref="PageSession"/>.</summary>
public static class WebPages
{
    public static IServiceCollection AddTrialManagerPages(this IServiceCollection services)
    {
        // The root URL is the sign-in page (which sends a signed-in user to the role's home).
        services.AddRazorPages(o => o.Conventions.AddPageRoute("/SignIn", ""));
        services.AddPageSession();
        return services;
    }

    public static WebApplication MapTrialManagerPages(this WebApplication app)
    {
        app.MapStaticAssets();
        app.MapRazorPages();
        return app;
    }

    /// <summary>The page every role lands on after signing in.</summary>
    public static string HomeFor(string? role) => role switch
    {
        Roles.Admin => "/admin/trials",
        Roles.Rater => "/raters/queue",
        Roles.Therapist => "/therapists/me/participants",
        _ => "/trials",
    };
}
