using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using TrialManager.Server.Common;

namespace TrialManager.Server.Security;

/// <summary>
/// A signature needs the signer to authenticate again (21 CFR 11.200): an API key (or the pages' session) re-enters
/// the caller's own key; a bearer token counts when it was issued in the last <see cref="FreshFor"/>. A wrong key is a
/// 403, counted as a failed sign-in and audited as a permission denial ("signatureKey"); a stale token a 401 asking for
/// a fresh sign-in (RFC 9470's insufficient_user_authentication).
/// </summary>
public sealed class Reauthentication(IHttpContextAccessor http, ApiKeyStore keys, FailedSignInLimiter limiter, TimeProvider clock)
{
    public const string IssuedAtClaim = "trialmanager:issued-at";
    public static readonly TimeSpan FreshFor = TimeSpan.FromMinutes(5);

    public void Ensure(string? key)
    {
        var context = http.HttpContext ?? throw new InvalidOperationException("Re-authentication needs the signer's request.");
        var user = context.User;
        if (user.Identity?.AuthenticationType == JwtBearerDefaults.AuthenticationScheme)
        {
            if (key is not null)
            {
                throw RequestValidationException.For("key", "is not taken with a bearer token: a token issued in the last 5 minutes is the re-authentication");
            }

            var issued = long.TryParse(user.FindFirstValue(IssuedAtClaim), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds)
                ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                : (DateTimeOffset?)null;
            if (issued is null || clock.GetUtcNow() - issued > FreshFor)
            {
                throw new ReauthenticationRequiredException(issued is null
                    ? "Your token carries no issue time (iat): sign in again and sign with the new token."
                    : $"Your token was issued at {issued:yyyy-MM-ddTHH:mm:ssZ}, more than 5 minutes ago: sign in again and sign with the new token.",
                    (int)FreshFor.TotalSeconds);
            }

            return;
        }

        if (string.IsNullOrEmpty(key))
        {
            throw RequestValidationException.For("key", "is required: re-enter your own key to sign");
        }

        var actor = Actor.From(user);
        if (key.Length > 256 || keys.Find(key) is not { } found || found.Name != actor.Name || found.Role != actor.Role)
        {
            limiter.RecordFailure(context);
            throw new ForbiddenException("The key you re-entered is not your own key: nothing was signed.", "signatureKey");
        }
    }
}
