using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using TrialManager.Server.Common;
using TrialManager.Server.Security;
using TrialManager.Server.Pages.Shared;

namespace TrialManager.Server.Pages;

public sealed class SignInModel(ApiKeyStore keys, FailedSignInLimiter limiter, IWebHostEnvironment environment, ILogger<SignInModel> logger)
    : TrialPageModel
{
    public string? ReturnUrl { get; private set; }

    public bool ShowDemoKeys => environment.IsDevelopment();

    public async Task<IActionResult> OnGetAsync(string? returnUrl)
    {
        var session = await HttpContext.AuthenticateAsync(PageSession.Scheme);
        if (session.Succeeded)
        {
            return LocalRedirect(SafeReturn(returnUrl) ?? WebPages.HomeFor(Actor.From(session.Principal).Role));
        }

        ReturnUrl = SafeReturn(returnUrl);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string? apiKey, string? returnUrl)
    {
        ReturnUrl = SafeReturn(returnUrl);

        // The API's limit, per client address: failures here and at the API count together, and a locked-out
        // address has no key checked (a valid one neither) until the window ends.
        if (limiter.IsLockedOut(HttpContext))
        {
            return TooManyFailures();
        }

        if (string.IsNullOrEmpty(apiKey) || apiKey.Length > 256 || keys.Find(apiKey) is not { } key)
        {
            // Never log the presented key, only that one failed.
            logger.LogWarning("Page sign-in with an unknown key from {Remote}", HttpContext.Connection.RemoteIpAddress);
            if (!string.IsNullOrEmpty(apiKey))
            {
                // As at the API, only a key presented and refused counts; an empty form is no attempt.
                limiter.RecordFailure(HttpContext);
            }

            if (FailedSignInLimiter.RetryAfter(HttpContext) is not null)
            {
                return TooManyFailures();
            }

            ModelState.AddModelError("apiKey", "This key is not known. Check it and try again.");
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        await HttpContext.SignInAsync(PageSession.Scheme, PageSession.PrincipalFor(key));
        return LocalRedirect(ReturnUrl ?? WebPages.HomeFor(key.Role));
    }

    private IActionResult TooManyFailures()
    {
        var seconds = FailedSignInLimiter.WriteRetryAfter(HttpContext);
        ModelState.AddModelError("apiKey", $"Too many failed sign-ins from this address; try again in {seconds} seconds.");
        Response.StatusCode = StatusCodes.Status429TooManyRequests;
        return Page();
    }

    private string? SafeReturn(string? url) => url is { Length: > 0 } && Url.IsLocalUrl(url) && url != "/" ? url : null;
}
