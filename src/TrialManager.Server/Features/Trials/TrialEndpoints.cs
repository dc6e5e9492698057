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

        trials.MapPost("/{trialId}/amendments", async (string trialId, AmendTrialRequest body, ISender sender, CancellationToken ct) =>
            {
                var amendment = await sender.Send(new AmendTrial(trialId, body.Version, body.EffectiveOn, body.EthicsApproval, body.Changes), ct);
                return Results.Created($"/api/trials/{trialId}/amendments", amendment);
            })
            .RequireAuthorization(Policies.Admin)
            .WithSummary("Amend the definition (a greater version, with its ethics approval): add sites, change the target, the consent version, protocol text versions; the design never changes.");

        trials.MapGet("/{trialId}/amendments", async (string trialId, PageRequest page, HttpContext http, ISender sender, CancellationToken ct) =>
            {
                var amendments = await sender.Send(new GetAmendments(trialId), ct);
                // Keyed by position (a version's text does not sort: 1.10 follows 1.9).
                var numbered = PageResults.PageOf(
                    amendments.Select((a, i) => (a, i)), page, x => x.i.ToString("D6", System.Globalization.CultureInfo.InvariantCulture));
                return http.Paged(new Page<AmendmentView>([.. numbered.Items.Select(x => x.a)], numbered.Next));
            })
            .RequireAuthorization(Policies.Admin)
            .WithSummary("The amendments in the order recorded, paged (limit, after, Link).");
    }
}
