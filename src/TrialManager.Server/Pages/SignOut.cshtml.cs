using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using TrialManager.Server.Security;
using TrialManager.Server.Pages.Shared;

namespace TrialManager.Server.Pages;

// Under the session scheme so the antiforgery token (bound to the signed-in user) validates.
[PagePolicy(Policies.AnyRole)]
public sealed class SignOutModel : TrialPageModel
{
    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(PageSession.Scheme);
        return LocalRedirect("/");
    }
}
