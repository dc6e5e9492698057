using Mediator;
using TrialManager.Server.Security;

namespace TrialManager.Server.Features.Blinding;

public static class BlindingEndpoints
{
    public static void MapBlindingEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/participants/{participantId}/unblinding", async (string participantId, UnblindParticipantRequest body, ISender sender, CancellationToken ct) =>
                Results.Created($"/api/participants/{participantId}/unblinding", await sender.Send(new UnblindParticipant(participantId, body.Reason), ct)))
            .RequireAuthorization(Policies.Unblinding).WithTags("Blinding")
            .WithSummary("Reveal a participant's arm to the caller (an assessor or an admin) for a stated reason; the safety contacts are told, the trail records it.");

        app.MapPost("/api/participants/{participantId}/blinding-guess", async (string participantId, RecordBlindingGuessRequest body, ISender sender, CancellationToken ct) =>
                Results.Created($"/api/participants/{participantId}/blinding-guess", await sender.Send(new RecordBlindingGuess(participantId, body.Guess), ct)))
            .RequireAuthorization(Policies.Assessor).WithTags("Blinding")
            .WithSummary("The assessor's guess of the arm (an arm code of the trial, or dontKnow) at the last visit; one per participant and assessor.");

        app.MapGet("/api/trials/{trialId}/blinding", (string trialId, ISender sender, CancellationToken ct) => sender.Send(new GetBlindingSummary(trialId), ct))
            .RequireAuthorization(Policies.Dsmb).WithTags("Blinding")
            .WithSummary("The DSMB's view of blinding: guesses by arm with Bang's blinding index, and every unblinding with its reason.");
    }
}
