using Mediator;
using TrialManager.Server.Security;

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

        trials.MapGet("/", (ISender sender, CancellationToken ct) => sender.Send(new GetTrials(), ct))
            .RequireAuthorization(Policies.AnyRole)
            .WithSummary("All trials with status and counts; seed and restrictions for statisticians only.");

        trials.MapGet("/{trialId}", (string trialId, ISender sender, CancellationToken ct) => sender.Send(new GetTrial(trialId), ct))
            .RequireAuthorization(Policies.AnyRole)
            .WithSummary("One trial.");

        trials.MapPost("/{trialId}/status", (string trialId, ChangeTrialStatusRequest body, ISender sender, CancellationToken ct) =>
                sender.Send(new ChangeTrialStatus(trialId, body.Status), ct))
            .RequireAuthorization(Policies.Admin)
            .WithSummary("Move the trial through draft -> recruiting <-> paused -> closed.");
    }
}
