using Mediator;
using TrialManager.Server.Security;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Raters;

public static class RaterEndpoints
{
    public static void MapRaterEndpoints(this IEndpointRouteBuilder app)
    {
        var trial = app.MapGroup("/api/trials/{trialId}").WithTags("Raters");

        app.MapPost("/api/participants/{participantId}/formulations", async (string participantId, RateFormulationRequest body, ISender sender, CancellationToken ct) =>
                Results.Ok((await sender.Send(new RateFormulation(participantId, body.Rater, body.Scores, body.Consensus, body.Rationale), ct)).Body))
            .RequireAuthorization(Policies.Rating)
            .WithSummary("Record a formulation rating (a rater as itself; a coordinator on a named rater's behalf); the first, an agreed " +
                         "second or a consensus rating decides the primary formulation.")
            .WithTags("Participants");

        trial.MapPost("/reference-cases", async (string trialId, AddReferenceCaseRequest body, ISender sender, CancellationToken ct) =>
            {
                var added = await sender.Send(new AddReferenceCase(trialId, body.Code, body.Scores, body.Primary, body.Material), ct);
                return Results.Created($"/api/trials/{trialId}/reference-cases", added);
            })
            .RequireAuthorization(Policies.Admin)
            .WithSummary("Add a reference case with the experts' formulation, for certifying raters.");

        trial.MapGet("/reference-cases", async (string trialId, PageRequest page, HttpContext http, ISender sender, CancellationToken ct) =>
                http.PagedList(await sender.Send(new ListReferenceCases(trialId), ct), page, c => c.Code))
            .RequireAuthorization(Policies.ReferenceCases)
            .WithSummary("The reference cases: for a rater, the material and whether it was practised (never the experts' answer).");

        trial.MapPost("/reference-cases/{code}/ratings", async (string trialId, string code, RateReferenceCaseRequest body, ISender sender, CancellationToken ct) =>
                Results.Json(await sender.Send(new RateReferenceCase(trialId, code, body.Scores), ct), statusCode: StatusCodes.Status201Created))
            .RequireAuthorization(Policies.Rater)
            .WithSummary("A practice rating of a reference case: whether it agreed with the experts and whether the rater is now certified.");

        trial.MapGet("/raters", (string trialId, ISender sender, CancellationToken ct) => sender.Send(new GetTrialRaters(trialId), ct))
            .RequireAuthorization(Policies.RaterOverview)
            .WithSummary("Each rater's certification, practice agreement, ratings made and agreement with consensus.");

        trial.MapGet("/double-ratings", (string trialId, ISender sender, CancellationToken ct) => sender.Send(new GetDoubleRatings(trialId), ct))
            .RequireAuthorization(Policies.Statistician)
            .WithSummary("The participants drawn for a second independent rating, each with its draw, and where their formulation stands.");

        app.MapGet("/api/raters/me/queue", async (PageRequest page, HttpContext http, ISender sender, CancellationToken ct) =>
                http.PagedList(await sender.Send(new GetRaterQueue(), ct), page, c => $"{c.TrialId}\u001f{c.ParticipantId}"))
            .WithTags("Raters")
            .RequireAuthorization(Policies.Rater)
            .WithSummary("The cases waiting for this rater: an independent rating, or a consensus after a disagreement.");

        app.MapGet("/api/raters/me/ratings", async (PageRequest page, HttpContext http, ISender sender, CancellationToken ct) =>
                http.PagedList(await sender.Send(new GetMyRatings(), ct), page, MyRatingView.KeyOf))
            .WithTags("Raters")
            .RequireAuthorization(Policies.Rater)
            .WithSummary("The formulation ratings this rater made, newest first, each with its correction target (rating:N).");

        app.MapGet("/api/raters/me/fidelity-ratings", async (PageRequest page, HttpContext http, ISender sender, CancellationToken ct) =>
                http.PagedList(await sender.Send(new GetMyFidelityRatings(), ct), page, MyFidelityRatingView.KeyOf))
            .WithTags("Raters")
            .RequireAuthorization(Policies.Rater)
            .WithSummary("The fidelity forms this rater recorded, newest first, each with its correction target (measure:{id}).");
    }
}
