using Mediator;
using TrialManager.Server.Security;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Trials;

public static class TrialEndpoints
{
    public static void MapTrialEndpoints(this IEndpointRouteBuilder app)
    {
        var trials = app.MapGroup("/api/trials").WithTags("Trials");

        trials.MapPost("/", async (CreateTrial command, ISender sender, CancellationToken ct) =>
            {
                var trial = await sender.Send(command, ct);
                return Results.Created($"/api/trials/{trial.Id}", trial);
            })
            .RequireAuthorization(Policies.Admin)
            .WithSummary("Create a trial from its definition; it starts as a draft.");

        trials.MapGet("/", async (PageRequest page, HttpContext http, ISender sender, CancellationToken ct) =>
                http.Paged(await sender.Send(new GetTrials(page), ct)))
            .RequireAuthorization(Policies.AnyRole)
            .WithSummary("The trials with status and counts, oldest first, paged (limit, after, Link); seed and restrictions for statisticians only.");

        trials.MapGet("/{trialId}", (string trialId, ISender sender, CancellationToken ct) => sender.Send(new GetTrial(trialId), ct))
            .RequireAuthorization(Policies.AnyRole)
            .WithSummary("One trial.");

        trials.MapPost("/{trialId}/status", (string trialId, ChangeTrialStatusRequest body, ISender sender, CancellationToken ct) =>
                sender.Send(new ChangeTrialStatus(trialId, body.Status), ct))
            .RequireAuthorization(Policies.Admin)
            .WithSummary("Move the trial through draft -> recruiting <-> paused -> closed.");
    }
}
