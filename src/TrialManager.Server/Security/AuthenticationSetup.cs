using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.IdentityModel.Tokens;
using TrialManager.Server.Common;

namespace TrialManager.Server.Security;

/// <summary>
/// Who is calling. A policy scheme picks the handler by header (X-Api-Key -> ApiKey, Authorization: Bearer ->
/// JwtBearer when configured); another scheme (e.g. a cookie for web pages) is one more branch of the selector.
/// </summary>
public static class AuthenticationSetup
{
    public const string SelectorScheme = "TrialManager";

    public static IServiceCollection AddTrialAuthentication(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.AddHttpContextAccessor();
        services.AddSingleton(_ => ApiKeyStore.FromConfiguration(configuration, environment.IsDevelopment()));
        services.AddSingleton(s => FailedSignInLimiter.From(configuration, s.GetRequiredService<TimeProvider>()));
        services.AddSingleton(_ => new SignInAuditSchedule(configuration, TimeProvider.System));
        services.AddScoped<IActorAccessor, HttpActorAccessor>();
        services.AddScoped<SecurityAudit>();
        services.AddScoped<Reauthentication>();
        services.AddSingleton<PermissionDenials>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>();

        var jwt = JwtSettings.From(configuration);
        var authentication = services.AddAuthentication(SelectorScheme)
            .AddPolicyScheme(SelectorScheme, "API key or bearer token", o => o.ForwardDefaultSelector = context => SchemeFor(context, jwt is not null))
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        if (jwt is not null)
        {
            authentication.AddJwtBearer(JwtBearerDefaults.AuthenticationScheme, jwt.Configure);
        }

        services.AddAuthorization(options =>
        {
            foreach (var (policy, roles) in Policies.RolesByPolicy)
            {
                options.AddPolicy(policy, p => p.RequireAuthenticatedUser().RequireRole(roles));
            }
        });
        return services;
    }

    private static string SchemeFor(HttpContext context, bool jwtEnabled) =>
        !context.Request.Headers.ContainsKey(ApiKeyAuthenticationHandler.HeaderName)
        && jwtEnabled
        && context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? JwtBearerDefaults.AuthenticationScheme
            : ApiKeyAuthenticationHandler.SchemeName;
}

/// <summary>Authentication:Jwt: an institution's identity provider (OIDC authority) or, offline, a configured public key.</summary>
public sealed record JwtSettings(
    string? Authority, string Audience, string? Issuer, string RoleClaim, string? SitesClaim, string NameClaim, string? SigningKeyPem,
    bool RequireHttpsMetadata)
{
    public static JwtSettings? From(IConfiguration configuration)
    {
        var section = configuration.GetSection("Authentication:Jwt");
        var authority = NullIfEmpty(section["Authority"]);
        var pem = NullIfEmpty(section["SigningKeyPem"]);
        if (authority is null && pem is null)
        {
            return null;
        }

        var audience = NullIfEmpty(section["Audience"])
            ?? throw new InvalidOperationException("Authentication:Jwt:Audience is required when JWT bearer authentication is configured.");
        var issuer = NullIfEmpty(section["Issuer"]);
        if (authority is null && issuer is null)
        {
            throw new InvalidOperationException("Authentication:Jwt:Issuer is required with SigningKeyPem and no Authority.");
        }

        return new JwtSettings(authority, audience, issuer, NullIfEmpty(section["RoleClaim"]) ?? "role", NullIfEmpty(section["SitesClaim"]),
            NullIfEmpty(section["NameClaim"]) ?? "sub", pem, section.GetValue<bool?>("RequireHttpsMetadata") ?? true);
    }

    public void Configure(JwtBearerOptions options)
    {
        options.Authority = Authority;
        options.Audience = Audience;
        options.RequireHttpsMetadata = RequireHttpsMetadata;
        options.MapInboundClaims = false;
        var parameters = new TokenValidationParameters
        {
            ValidateAudience = true,
            ValidAudience = Audience,
            ValidateIssuer = true,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            ValidateIssuerSigningKey = true,
            ClockSkew = TimeSpan.FromSeconds(30),
            NameClaimType = NameClaim,
            RoleClaimType = ClaimTypes.Role,
        };
        if (Issuer is not null)
        {
            parameters.ValidIssuer = Issuer;
        }

        if (SigningKeyPem is not null)
        {
            var rsa = RSA.Create();
            rsa.ImportFromPem(SigningKeyPem);
            parameters.IssuerSigningKey = new RsaSecurityKey(rsa);
        }

        options.TokenValidationParameters = parameters;
        options.Events = new JwtBearerEvents
        {
            OnTokenValidated = context =>
            {
                context.Principal = MapPrincipal(context.Principal!);
                return Task.CompletedTask;
            },
            OnMessageReceived = context =>
            {
                // As for API keys: a locked-out address has its tokens not even validated until the window ends.
                if (context.HttpContext.RequestServices.GetRequiredService<FailedSignInLimiter>().IsLockedOut(context.HttpContext))
                {
                    context.Fail("Too many failed authentications.");
                }

                return Task.CompletedTask;
            },
            OnAuthenticationFailed = context =>
            {
                context.HttpContext.RequestServices.GetRequiredService<FailedSignInLimiter>().RecordFailure(context.HttpContext);
                return Task.CompletedTask;
            },
        };
    }

    /// <summary>Marks a principal whose coordinator role was dropped for want of sites; its value is the 403's detail.</summary>
    public const string MissingSitesClaim = "trialmanager:missing-sites";

    /// <summary>
    /// Our principal: the name, known roles only (an unknown role authenticates but is forbidden everywhere), sites.
    /// With a sites claim configured, a coordinator token that names no site fails closed: it would otherwise see
    /// every site, so it loses the coordinator role and its 403s say why.
    /// </summary>
    private ClaimsPrincipal MapPrincipal(ClaimsPrincipal token)
    {
        var name = token.FindFirstValue(NameClaim) ?? token.FindFirstValue("sub") ?? "unknown";
        var claims = new List<Claim> { new(ClaimTypes.Name, name.Length > 100 ? name[..100] : name) };
        var roles = token.FindAll(RoleClaim).Select(c => c.Value).Where(Roles.All.Contains).Distinct().ToList();
        if (SitesClaim is not null)
        {
            var sites = token.FindAll(SitesClaim).Select(c => c.Value).Where(s => !string.IsNullOrWhiteSpace(s)).ToList();
            if (sites.Count == 0 && roles.Remove(Roles.Coordinator))
            {
                claims.Add(new Claim(MissingSitesClaim,
                    $"Your token has no '{SitesClaim}' claim: a coordinator's token must name the sites it may work at."));
            }

            claims.AddRange(sites.Select(s => new Claim(Actor.SiteClaim, s)));
        }

        claims.AddRange(roles.Select(r => new Claim(ClaimTypes.Role, r)));
        // When the token was issued: signing a report takes a token issued minutes ago as re-authentication.
        if (token.FindFirstValue("iat") is { } issuedAt)
        {
            claims.Add(new Claim(Reauthentication.IssuedAtClaim, issuedAt));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, JwtBearerDefaults.AuthenticationScheme, ClaimTypes.Name, ClaimTypes.Role));
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}

/// <summary>
/// Every 401/403 of every scheme as problem details, in one place: 429 once the client's failures are rate limited,
/// and 403s (role refused) are audited with the route and the role.
/// </summary>
public sealed class ProblemAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private static readonly Microsoft.AspNetCore.Authorization.Policy.AuthorizationMiddlewareResultHandler PageHandler = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, Microsoft.AspNetCore.Authorization.Policy.PolicyAuthorizationResult authorizeResult)
    {
        // Pages answer people, not clients: their cookie scheme redirects to sign-in or renders the "not allowed"
        // page. The refusal is audited all the same.
        if (policy.AuthenticationSchemes.Contains(PageSession.Scheme))
        {
            if (authorizeResult.Forbidden)
            {
                await context.RequestServices.GetRequiredService<SecurityAudit>().PermissionDeniedAsync(context, "role");
            }

            await PageHandler.HandleAsync(next, context, policy, authorizeResult);
            return;
        }

        if (authorizeResult.Challenged)
        {
            if (FailedSignInLimiter.RetryAfter(context) is not null)
            {
                FailedSignInLimiter.WriteRetryAfter(context);
                await Problems.WriteAsync(context, StatusCodes.Status429TooManyRequests, "Too many failed sign-ins",
                    "Too many failed authentications from this address; try again later.");
                return;
            }

            await Problems.WriteAsync(context, StatusCodes.Status401Unauthorized, "Authentication required",
                $"Send a valid API key in the {ApiKeyAuthenticationHandler.HeaderName} header (or a bearer token where configured).");
            return;
        }

        if (authorizeResult.Forbidden)
        {
            var missingSites = context.User.FindFirstValue(JwtSettings.MissingSitesClaim);
            await context.RequestServices.GetRequiredService<SecurityAudit>().PermissionDeniedAsync(context, missingSites is null ? "role" : "noSitesClaim");
            await Problems.WriteAsync(context, StatusCodes.Status403Forbidden, "Forbidden", missingSites ?? "Your role does not allow this request.");
            return;
        }

        if (context.User.Identity?.IsAuthenticated == true)
        {
            await context.RequestServices.GetRequiredService<SecurityAudit>().SignedInAsync(context);
        }

        await next(context);
    }
}
