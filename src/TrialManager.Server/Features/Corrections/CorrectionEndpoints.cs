using Mediator;
using TrialManager.Server.Security;

namespace TrialManager.Server.Features.Corrections;

public static class CorrectionEndpoints
{
    public static void MapCorrectionEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/participants/{participantId}/corrections", async (string participantId, CorrectRecordRequest body, ISender sender, CancellationToken ct) =>
            {
                var correction = await sender.Send(new CorrectRecord(participantId, body.Target, body.Field, body.Value, body.Reason), ct);
                return Results.Created($"/api/participants/{participantId}", correction);
            })
            .WithTags("Corrections").RequireAuthorization(Policies.Correction)
            .WithSummary("Correct one recorded value with a reason, by the role that may enter it; the original stays in the record and the trail.");
    }
}
