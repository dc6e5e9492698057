using System.Security.Claims;

namespace TrialManager.Server.Common;

/// <summary>Who is acting: a key's name and role (and its sites), or the server itself for jobs.</summary>
public sealed record Actor(string Name, string Role, IReadOnlyList<string> Sites)
{
    public static readonly Actor System = new("trialmanager", "system", []);

    /// <summary>The claim that carries each of the actor's sites, whichever scheme signed it in.</summary>
    public const string SiteClaim = "site";

    public bool MaySeeSite(string site) => Sites.Count == 0 || Sites.Contains(site, StringComparer.Ordinal);

    /// <summary>Site-limited keys see their sites; a therapist sees only the participants assigned to them.</summary>
    public bool MaySeeParticipant(string site, string? therapist) =>
        MaySeeSite(site) && (Role != Roles.Therapist || string.Equals(therapist, Name, StringComparison.Ordinal));

    public static Actor From(ClaimsPrincipal user) => new(
        user.Identity?.Name ?? "unknown",
        user.FindFirstValue(ClaimTypes.Role) ?? "unknown",
        [.. user.FindAll(SiteClaim).Select(c => c.Value)]);
}

public interface IActorAccessor
{
    Actor Current { get; }
}

/// <summary>The actor of the current HTTP request, or <see cref="Actor.System"/> inside a background job.</summary>
public sealed class HttpActorAccessor(IHttpContextAccessor http) : IActorAccessor
{
    public Actor Current => http.HttpContext?.User is { Identity.IsAuthenticated: true } user ? Actor.From(user) : Actor.System;
}
