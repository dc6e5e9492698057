using Mediator;
using TrialManager.Server.Common;
using TrialManager.Server.Security;

namespace TrialManager.Server.Features.Visits;

public static class VisitEndpoints
{
    public static void MapVisitEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/trials/{trialId}/visits/due",
                async (string trialId, string? site, string? status, PageRequest page, HttpContext http, ISender sender, CancellationToken ct) =>
                    http.Paged(await sender.Send(new GetDueList(trialId, site, status, page), ct)))
            .WithTags("Visits").RequireAuthorization(Policies.DueList)
            .WithSummary("Sessions and visits due or overdue today for randomized participants still followed up, by site (?site=, ?status=due|overdue); paged.");
    }
}
