using Mediator;
using TrialManager.Server.Common;
using TrialManager.Server.Features.Participants;
using TrialManager.Server.Security;

namespace TrialManager.Server.Features.Safety;

public static class SafetyEndpoints
{
    public static void MapSafetyEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/trials/{trialId}/events", async (string trialId, string? review, PageRequest page, HttpContext http, ISender sender, CancellationToken ct) =>
                http.PagedList(await sender.Send(new GetSeriousEvents(trialId, review), ct), page, e => $"{PageRequest.Text(e.Event.RecordedAt)}|{e.Event.Id:D}"))
            .WithTags("Safety").RequireAuthorization(Policies.SafetyReview)
            .WithSummary("The trial's serious adverse events waiting for a medical review (?review=pending, the default) or all of them (?review=all), oldest first; paged.");

        app.MapPost("/api/events/{eventId:guid}/review", (Guid eventId, ReviewEventRequest body, ISender sender, CancellationToken ct) =>
                sender.Send(new ReviewEvent(eventId, body.Comment), ct))
            .WithTags("Safety").RequireAuthorization(Policies.SafetyReview)
            .WithSummary("Record the medical review of a serious adverse event (comment required); once per event, 409 for a non-serious one.");

        app.MapPost("/api/alerts/{alertId:guid}/event", async (Guid alertId, EventEntryRequest body, ISender sender, CancellationToken ct) =>
            {
                var recorded = await sender.Send(RecordAlertEvent.From(alertId, body), ct);
                return Results.Created($"/api/participants/{Uri.EscapeDataString(recorded.ParticipantId)}", recorded);
            })
            .WithTags("Safety").RequireAuthorization(Policies.Coordinator)
            .WithSummary("Record a safety alert as an adverse event in one step (the event's fields, as at the events route), linked to the alert and acknowledging it.");
    }
}
