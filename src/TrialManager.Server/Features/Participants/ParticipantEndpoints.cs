using Mediator;
using TrialManager.Server.Security;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Participants;

public static class ParticipantEndpoints
{
    public static void MapParticipantEndpoints(this IEndpointRouteBuilder app)
    {
        var byTrial = app.MapGroup("/api/trials/{trialId}/participants").WithTags("Participants").RequireAuthorization(Policies.Coordinator);

        byTrial.MapPost("/", async (string trialId, ScreenParticipantRequest body, ISender sender, CancellationToken ct) =>
            {
                var participant = await sender.Send(
                    new ScreenParticipant(trialId, body.Site, body.AgeYears, body.Severity, body.Exclusions, body.Motivation, body.Expectancy), ct);
                return Results.Created($"/api/participants/{participant.Id}", participant);
            })
            .WithSummary("Screen a new participant against the trial's eligibility criteria; the server assigns the study id.");

        byTrial.MapGet("/", async (string trialId, string? status, string? site, string? search, PageRequest page, HttpContext http, ISender sender,
                CancellationToken ct) => http.Paged(await sender.Send(new ListParticipants(trialId, status, site, search, page), ct)))
            .WithSummary("The trial's participants in screening order, paged (limit, after, Link), optionally filtered by status, site or a part of the study id.");

        app.MapGet("/api/trials/{trialId}/reconsent", async (string trialId, PageRequest page, HttpContext http, ISender sender, CancellationToken ct) =>
                http.PagedList(await sender.Send(new GetReconsentList(trialId), ct), page, r => r.Key))
            .WithTags("Participants").RequireAuthorization(Policies.Coordinator)
            .WithSummary("Participants of the caller's sites consented under an older consent version than the trial's current one, by site; paged. Re-consent is POST .../consent.");

        var participants = app.MapGroup("/api/participants/{participantId}").WithTags("Participants");
        var coordinator = participants.MapGroup("/").RequireAuthorization(Policies.Coordinator);

        participants.MapGet("/", (string participantId, ISender sender, CancellationToken ct) => sender.Send(new GetParticipant(participantId), ct))
            .RequireAuthorization(Policies.CoordinatorOrTherapist)
            .WithSummary("The participant's record; the allocation appears once randomized. A therapist reads only their own participants.");

        coordinator.MapPost("/consent", (string participantId, RecordConsentRequest body, ISender sender, CancellationToken ct) =>
                sender.Send(new RecordConsent(participantId, body.ConsentVersion, body.ConsentedOn, body.Declined), ct))
            .WithSummary("Record consent (version and date) or its refusal (declined: true).");

        coordinator.MapPost("/randomization", async (string participantId, ISender sender, CancellationToken ct) =>
            {
                var outcome = await sender.Send(new RandomizeParticipant(participantId), ct);
                return outcome.Created
                    ? Results.Created($"/api/participants/{participantId}", outcome.Allocation)
                    : Results.Ok(outcome.Allocation);
            })
            .WithSummary("Allocate a formulated participant; repeats return the same allocation with 200.");

        coordinator.MapPost("/withdrawal", (string participantId, WithdrawParticipantRequest body, ISender sender, CancellationToken ct) =>
                sender.Send(new WithdrawParticipant(participantId, body.Category, body.Reason), ct))
            .WithSummary("Withdraw the participant: a coded category (reports print only this) and an optional private note.");

        coordinator.MapPost("/ineligibility", (string participantId, DeclareIneligibleRequest body, ISender sender, CancellationToken ct) =>
                sender.Send(new DeclareIneligible(participantId, body.Criterion, body.Note), ct))
            .WithSummary("Found ineligible after consent and before randomization: the criterion (reports count it) and an optional private note.");

        coordinator.MapPost("/completion", (string participantId, ISender sender, CancellationToken ct) =>
                sender.Send(new CompleteParticipant(participantId), ct))
            .WithSummary("Mark a randomized participant as having completed the protocol.");

        coordinator.MapPost("/events", async (string participantId, EventEntryRequest body, ISender sender, CancellationToken ct) =>
            {
                var recorded = await sender.Send(RecordParticipantEvent.From(participantId, body), ct);
                return Results.Created($"/api/participants/{participantId}", recorded);
            })
            .WithSummary("Record an adverse event (serious, severity, relatedness, expected, outcome required; resolvedOn optional), serious adverse event (notifies the safety contacts) or protocol deviation.");

        participants.MapGet("/protocol-document", async (string participantId, ISender sender, HttpContext http, CancellationToken ct) =>
            {
                var document = await sender.Send(new GetProtocolDocument(participantId), ct);
                if (document.Content is { } content)
                {
                    return Results.File(content, "application/pdf", $"{participantId}-protocol.pdf");
                }

                http.Response.Headers.RetryAfter = "1";
                return Results.Json(new { status = document.Status, error = document.Error }, statusCode: StatusCodes.Status202Accepted);
            })
            .RequireAuthorization(Policies.ProtocolDocument)
            .WithSummary("The protocol document for the participant's cell: 200 PDF when ready, 202 while it is generated. A therapist reads only their own participants'.");
    }
}
