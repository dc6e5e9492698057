using Microsoft.AspNetCore.Mvc;

namespace TrialManager.Server.Common;

/// <summary>Unknown id (HTTP 404). The message names the kind of record, never internals.</summary>
public sealed class NotFoundException(string message) : Exception(message);

/// <summary>
/// The actor may not touch this record (HTTP 403), e.g. a coordinator limited to other sites; audited as a permission
/// denial for <paramref name="auditReason"/>.
/// </summary>
public sealed class ForbiddenException(string message, string auditReason = "site") : Exception(message)
{
    public string AuditReason { get; } = auditReason;
}

/// <summary>The request needs a recent sign-in (HTTP 401 asking for one), e.g. a signature with an old bearer token.</summary>
public sealed class ReauthenticationRequiredException(string message, int maxAgeSeconds) : Exception(message)
{
    public int MaxAgeSeconds { get; } = maxAgeSeconds;
}

/// <summary>Request validation failed (HTTP 400 with an errors object keyed by field).</summary>
public sealed class RequestValidationException(IReadOnlyDictionary<string, string[]> errors) : Exception("Validation failed.")
{
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;

    public static RequestValidationException For(string field, string message) => new(new Dictionary<string, string[]> { [field] = [message] });
}

public static class Problems
{
    public static Task WriteAsync(HttpContext context, int status, string title, string detail, IDictionary<string, string[]>? errors = null)
    {
        ProblemDetails problem = errors is null
            ? new ProblemDetails()
            : new ValidationProblemDetails(errors);
        problem.Status = status;
        problem.Title = title;
        problem.Detail = detail;
        problem.Type = $"https://httpstatuses.io/{status}";
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(problem, problem.GetType(), options: null, contentType: "application/problem+json");
    }
}
