using Microsoft.AspNetCore.Authentication;
using TrialManager.Server.Common;
using TrialManager.Server.Security;
using TrialManager.Server.Pages.Shared;

namespace TrialManager.Server.Pages;

/// <summary>Where the session is sent when its role may not use a page: answered with 403.</summary>
public sealed class DeniedModel : TrialPageModel
{
    public string? Role { get; private set; }

    public async Task OnGetAsync()
    {
        var session = await HttpContext.AuthenticateAsync(PageSession.Scheme);
        if (session.Succeeded)
        {
            HttpContext.User = session.Principal;
            Role = Actor.From(session.Principal).Role;
        }

        Response.StatusCode = StatusCodes.Status403Forbidden;
    }
}
