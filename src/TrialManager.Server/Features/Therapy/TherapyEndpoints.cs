using Mediator;
using TrialManager.Server.Security;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Therapy;

public static class TherapyEndpoints
{
    public static void MapTherapyEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/trials/{trialId}/therapists", async (string trialId, RegisterTherapistRequest body, ISender sender, CancellationToken ct) =>
            {
                var therapist = await sender.Send(new RegisterTherapist(trialId, body.Code, body.Site, body.Arms), ct);
                return Results.Created($"/api/trials/{trialId}/caseloads", therapist);
            })
            .WithTags("Therapy").RequireAuthorization(Policies.Admin)
            .WithSummary("Register a therapist (the name of their key or token) at a site, delivering some of the trial's arms.");

        app.MapGet("/api/trials/{trialId}/caseloads", (string trialId, ISender sender, CancellationToken ct) => sender.Send(new GetCaseloads(trialId), ct))
            .WithTags("Therapy").RequireAuthorization(Policies.TherapistOversight)
            .WithSummary("Each therapist's participants by arm, and whether therapists are nested in or crossed with the arms.");

        app.MapGet("/api/therapists/me/participants", async (PageRequest page, HttpContext http, ISender sender, CancellationToken ct) =>
                http.PagedList(await sender.Send(new GetMyParticipants(), ct), page, p => $"{p.TrialId}\u001f{p.Id}"))
            .WithTags("Therapy").RequireAuthorization(Policies.Therapist)
            .WithSummary("The calling therapist's own participants.");

        var participant = app.MapGroup("/api/participants/{participantId}").WithTags("Therapy");

        participant.MapPost("/therapist", (string participantId, AssignTherapistRequest body, ISender sender, CancellationToken ct) =>
                sender.Send(new AssignTherapist(participantId, body.Therapist), ct))
            .RequireAuthorization(Policies.Coordinator)
            .WithSummary("Assign the therapist of a randomized participant: one who works at the participant's site and delivers their arm.");

        participant.MapPost("/sessions", async (string participantId, RecordSessionRequest body, ISender sender, CancellationToken ct) =>
            {
                var session = await sender.Send(new RecordSession(participantId, body.Number, body.Date, body.Attendance), ct);
                return Results.Created($"/api/participants/{participantId}", session);
            })
            .RequireAuthorization(Policies.CoordinatorOrTherapist)
            .WithSummary("Record a therapy session (number, date, attendance); once per number.");

        participant.MapPost("/treatment-stop", (string participantId, StopTreatmentRequest body, ISender sender, CancellationToken ct) =>
                sender.Send(new StopTreatment(participantId, body.Category, body.Note), ct))
            .RequireAuthorization(Policies.Coordinator)
            .WithSummary("Stop therapy; the participant stays in follow-up (status followUp).");
    }
}
