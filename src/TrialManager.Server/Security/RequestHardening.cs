using TrialManager.Server.Common;

namespace TrialManager.Server.Security;

/// <summary>Middleware that holds for every request, whatever the server (Kestrel or a test host) enforces itself.</summary>
public static class RequestHardening
{
    /// <summary>The largest request body (Kestrel is told the same, so it refuses before reading).</summary>
    public const long MaxRequestBodyBytes = 256 * 1024;

    /// <summary>A PDF sent for verification (a report with its signature pages) may be larger than any JSON body.</summary>
    public const long MaxDocumentBodyBytes = 32 * 1024 * 1024;

    public const string DocumentUploadPath = "/api/reports/verification";

    /// <summary>Security headers on every response, errors included: set when the response starts, after any handler cleared it.</summary>
    public static Task SecurityHeaders(HttpContext context, RequestDelegate next)
    {
        context.Response.OnStarting(static state =>
        {
            var http = (HttpContext)state;
            var headers = http.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            headers["Cross-Origin-Resource-Policy"] = "same-origin";
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
            if (PageSession.IsPagePath(http.Request.Path))
            {
                headers.ContentSecurityPolicy = PageSession.ContentSecurityPolicy;
            }
            else if (!http.Request.Path.StartsWithSegments("/docs") && !http.Request.Path.StartsWithSegments("/jobs"))
            {
                headers.ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";
            }

            headers.CacheControl = "no-store";
            return Task.CompletedTask;
        }, context);
        return next(context);
    }

    /// <summary>
    /// Bodies over <see cref="MaxRequestBodyBytes"/> get 413 problem details: by Content-Length up front,
    /// otherwise (chunked) by reading at most one byte past the limit into memory before the endpoint sees it.
    /// </summary>
    public static async Task LimitBodySize(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        var max = MaxRequestBodyBytes;
        if (request.Path.Equals(DocumentUploadPath, StringComparison.OrdinalIgnoreCase)
            && context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            max = MaxDocumentBodyBytes;
            limit.MaxRequestBodySize = max;
        }

        if (request.ContentLength is { } length)
        {
            if (length > max)
            {
                await TooLarge(context, max);
                return;
            }
        }
        else if (HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method) || HttpMethods.IsPatch(request.Method))
        {
            var buffer = new MemoryStream();
            try
            {
                var chunk = new byte[16 * 1024];
                int read;
                while ((read = await request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
                {
                    buffer.Write(chunk, 0, read);
                    if (buffer.Length > max)
                    {
                        await TooLarge(context, max);
                        return;
                    }
                }
            }
            catch (BadHttpRequestException bad) when (bad.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                await TooLarge(context, max);
                return;
            }

            buffer.Position = 0;
            request.Body = buffer;
            request.ContentLength = buffer.Length;
        }

        await next(context);
    }

    private static Task TooLarge(HttpContext context, long max) =>
        Problems.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, "Request body too large",
            $"The request body must not exceed {max / 1024} KiB.");
}
