using Mediator;
using TrialManager.Domain.Auditing;
using TrialManager.Infrastructure.Auditing;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;
using TrialManager.Server.Security;

namespace TrialManager.Server.Features.Audit;

public static class AuditEndpoints
{
    public static void MapAuditEndpoints(this IEndpointRouteBuilder app)
    {
        var audit = app.MapGroup("/api/audit").WithTags("Audit").RequireAuthorization(Policies.Admin);
        audit.MapGet("/", async (string? trialId, PageRequest page, HttpContext http, ISender sender, CancellationToken ct) =>
                http.Paged(await sender.Send(new GetAuditTrail(trialId, page), ct)))
            .WithSummary("The audit trail, oldest first: who, role, when, what, on which record; paged (limit, after, Link).");
        audit.MapGet("/verify", (ISender sender, CancellationToken ct) => sender.Send(new VerifyAuditChain(), ct))
            .WithSummary("Checks the hash chain; reports the first broken event.");
    }
}
