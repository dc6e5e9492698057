using Mediator;
using TrialManager.Server.Common;

namespace TrialManager.Server.Security;

/// <summary>Writes security events (sign-in, permission denied) to the audit chain; never the key, never request data.</summary>
public sealed class SecurityAudit(ISender sender, IActorAccessor actors, SignInAuditSchedule schedule, PermissionDenials denials, ILogger<SecurityAudit> logger)
{
    public async Task SignedInAsync(HttpContext context)
    {
        var actor = actors.Current;
        if (!schedule.IsDue(actor.Name))
        {
            return;
        }

        await RecordAsync("signIn", AuditChanges.Serialize(new { scheme = context.User.Identity?.AuthenticationType, role = actor.Role, sites = actor.Sites }));
    }

    /// <summary>
    /// A 403: the route pattern (not the path, which is client input), the method and why, counted for the actor's
    /// next <see cref="PermissionDenials"/> event.
    /// </summary>
    public Task PermissionDeniedAsync(HttpContext context, string reason)
    {
        // Inside the exception handler the endpoint is cleared from the context; the exception feature keeps it.
        var endpoint = context.GetEndpoint() ?? context.Features.Get<Microsoft.AspNetCore.Diagnostics.IExceptionHandlerFeature>()?.Endpoint;
        var route = (endpoint as RouteEndpoint)?.RoutePattern.RawText ?? "(unknown route)";
        var actor = actors.Current;
        logger.LogInformation("Permission denied ({Reason}) to {Actor} ({Role}) on {Method} {Route}", reason, actor.Name, actor.Role, context.Request.Method, route);
        denials.Count(actor, context.Request.Method, route, reason);
        return Task.CompletedTask;
    }

    private async Task RecordAsync(string action, string changes)
    {
        try
        {
            await sender.Send(new RecordSecurityEvent(action, changes), CancellationToken.None);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The answer to the client must not change because the trail could not be written; the log keeps it.
            logger.LogError(e, "Could not audit {Action}", action);
        }
    }
}
