using System.Data.Common;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using TrialManager.Domain.Common;
using TrialManager.Server.Common;

namespace TrialManager.Server.Hosting;

/// <summary>
/// The one place where exceptions become HTTP answers. Domain refusals are 4xx with their message; anything
/// unexpected is a plain 500 without a stack trace, SQL or internal ids (those go to the log only).
/// </summary>
public sealed class ProblemExceptionHandler(ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (context.Response.HasStarted)
        {
            return false;
        }

        var task = exception switch
        {
            RequestValidationException v => Problems.WriteAsync(context, 400, "Invalid request", "One or more fields are invalid.", v.Errors.ToDictionary()),
            DomainValidationException v => Problems.WriteAsync(context, 400, "Invalid request", v.Message, new Dictionary<string, string[]> { [v.Field] = [v.Message] }),
            BadHttpRequestException { InnerException: JsonException json } when IsUnknownMember(json) => Problems.WriteAsync(context, 400,
                "Invalid request", "The request body has a field this request does not take.", new Dictionary<string, string[]> { [JsonField(json.Path)] = [JsonMessage(json)] }),
            BadHttpRequestException { InnerException: JsonException json } => Problems.WriteAsync(context, 400, "Malformed JSON",
                "The request body is not valid JSON for this request.", new Dictionary<string, string[]> { [JsonField(json.Path)] = [JsonMessage(json)] }),
            BadHttpRequestException bad => Problems.WriteAsync(context, bad.StatusCode, "Bad request", BadRequestDetail(bad)),
            NotFoundException nf => Problems.WriteAsync(context, 404, "Not found", nf.Message),
            ForbiddenException f => Forbidden(context, f),
            ReauthenticationRequiredException r => Reauthenticate(context, r),
            WorkflowConflictException c => Problems.WriteAsync(context, 409, "Not allowed in the current state", c.Message),
            OperationCanceledException when context.RequestAborted.IsCancellationRequested => Task.CompletedTask,
            _ when IsDatabaseUnavailable(exception) => Unavailable(context, exception),
            _ => Unexpected(context, exception),
        };
        await task;
        return true;
    }

    private static async Task Forbidden(HttpContext context, ForbiddenException forbidden)
    {
        await context.RequestServices.GetRequiredService<Security.SecurityAudit>().PermissionDeniedAsync(context, forbidden.AuditReason);
        await Problems.WriteAsync(context, 403, "Forbidden", forbidden.Message);
    }

    private static Task Reauthenticate(HttpContext context, ReauthenticationRequiredException required)
    {
        // RFC 9470 (step-up authentication): the client's identity provider is asked for a token no older than max_age.
        context.Response.Headers.WWWAuthenticate =
            $"Bearer error=\"insufficient_user_authentication\", error_description=\"A recent sign-in is required\", max_age={required.MaxAgeSeconds}";
        return Problems.WriteAsync(context, 401, "Fresh sign-in required", required.Message);
    }

    private Task Unavailable(HttpContext context, Exception exception)
    {
        logger.LogError(exception, "Database unavailable while handling {Method} {Path}", context.Request.Method, context.Request.Path);
        context.Response.Headers.RetryAfter = "5";
        return Problems.WriteAsync(context, 503, "Service unavailable", "The database is unavailable; try again shortly.");
    }

    private Task Unexpected(HttpContext context, Exception exception)
    {
        logger.LogError(exception, "Unhandled error for {Method} {Path}", context.Request.Method, context.Request.Path);
        return Problems.WriteAsync(context, 500, "Server error", "The server could not complete the request; it has been logged.");
    }

    private static bool IsDatabaseUnavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is DbException { IsTransient: true } or TimeoutException or System.Net.Sockets.SocketException)
            {
                return true;
            }
        }

        return false;
    }

    private static string BadRequestDetail(BadHttpRequestException bad) => bad.StatusCode switch
    {
        413 => "The request body is too large.",
        415 => "Send the body as application/json.",
        _ => "The request could not be read.",
    };

    // "$.scores.cognitive" -> "scores.cognitive"; the root ("$") is the body itself.
    private static string JsonField(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "body" : path.TrimStart('$', '.');

    private static string JsonMessage(JsonException json) =>
        IsUnknownMember(json) ? "is not a known field"
        : json.Path is { Length: > 1 } ? "has the wrong type or is not valid JSON" : "is not a valid JSON object";

    // System.Text.Json gives no code for a member it cannot map (JsonUnmappedMemberHandling.Disallow), only this
    // message (its resources are English only); the path then ends with the unknown member's name.
    private static bool IsUnknownMember(JsonException json) =>
        json.Message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal);
}
