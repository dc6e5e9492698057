using Mediator;
using TrialManager.Server.Common;
using TrialManager.Server.Security;

namespace TrialManager.Server.Features.Notifications;

public static class NotificationEndpoints
{
    public static void MapNotificationEndpoints(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/trials/{trialId}/notifications", async (string trialId, PageRequest page, HttpContext http, ISender sender, CancellationToken ct) =>
                http.Paged(await sender.Send(new GetNotifications(trialId, page), ct)))
            .WithTags("Notifications").RequireAuthorization(Policies.Admin)
            .WithSummary("The trial's notifications (e-mail to the safety contacts, webhooks) with their delivery: sent, or attempts and last error; newest first, paged.");
}
