using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using TrialManager.Server.Common;

namespace TrialManager.Server.Security;

/// <summary>
/// The pages' sign-in: a cookie session made from an API key (same keys, same roles, same policies),
/// kept apart from the API's X-Api-Key scheme so /api never accepts a cookie and the pages never accept a header.
/// </summary>
public static class PageSession
{
    public const string Scheme = "TrialManager.Pages";

    private const string SessionKeyClaim = "trialmanager:key";

    public static IServiceCollection AddPageSession(this IServiceCollection services)
    {
        services.AddAuthentication().AddCookie(Scheme, o =>
        {
            o.LoginPath = "/signin";
            o.LogoutPath = "/signout";
            o.AccessDeniedPath = "/denied";
            o.Cookie.Name = "trialmanager.session";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.ExpireTimeSpan = TimeSpan.FromHours(8);
            o.SlidingExpiration = true;
            o.Events.OnValidatePrincipal = ValidateSessionAsync;
        });
        return services;
    }

    /// <summary>
    /// The session principal: the key's name, role and sites, never the key itself; the session id ties the cookie
    /// to the key as configured (see <see cref="ValidateSessionAsync"/>).
    /// </summary>
    public static ClaimsPrincipal PrincipalFor(ApiKey key)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, key.Name), new(ClaimTypes.Role, key.Role), new(SessionKeyClaim, key.SessionId) };
        claims.AddRange(key.Sites.Select(s => new Claim(Actor.SiteClaim, s)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme, ClaimTypes.Name, ClaimTypes.Role));
    }

    /// <summary>
    /// Every request, the session gets the rights of its key as configured now (the cookie's own claims count for
    /// nothing): a key removed or replaced since sign-in signs the session out, narrowed sites apply at once.
    /// </summary>
    private static async Task ValidateSessionAsync(CookieValidatePrincipalContext context)
    {
        var keys = context.HttpContext.RequestServices.GetRequiredService<ApiKeyStore>();
        var sessionId = context.Principal?.FindFirstValue(SessionKeyClaim);
        if (keys.Keys.FirstOrDefault(k => k.SessionId == sessionId) is { } key)
        {
            context.ReplacePrincipal(PrincipalFor(key));
            return;
        }

        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(Scheme);
    }

    /// <summary>True for paths the pages serve (the strict API policy stays on everything else).</summary>
    public static bool IsPagePath(PathString path) =>
        !path.StartsWithSegments("/api") && !path.StartsWithSegments("/docs") && !path.StartsWithSegments("/jobs")
        && !path.StartsWithSegments("/openapi") && !path.StartsWithSegments("/health");

    /// <summary>Pages: own styles, scripts and forms only; no inline script or style, no framing, no other origin.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
}

/// <summary>A page allowed to the roles of an API policy, authenticated by the page session (not the API key).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class PagePolicyAttribute : AuthorizeAttribute
{
    public PagePolicyAttribute(string policy)
    {
        Policy = policy;
        AuthenticationSchemes = PageSession.Scheme;
    }
}
