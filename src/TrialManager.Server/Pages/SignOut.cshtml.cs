using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using TrialManager.Server.Web;

namespace TrialManager.Server.Pages;

public sealed class SignOutModel : TrialPageModel
{
    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(WebPages.Scheme);
        return LocalRedirect("/");
    }
}
