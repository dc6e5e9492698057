using System.Globalization;
using Mediator;
using TrialManager.Server.Security;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Measures;

public static class MeasureEndpoints
{
    public static void MapMeasureEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/participants/{participantId}/measures", async (string participantId, RecordMeasureRequest body, ISender sender, CancellationToken ct) =>
            {
                var measure = await sender.Send(new RecordMeasure(participantId, body.Instrument, body.Session, body.Visit, body.CompletedOn, body.Items), ct);
                return Results.Created($"/api/participants/{participantId}/measures", measure);
            })
            .WithTags("Measures").RequireAuthorization(Policies.MeasureEntry)
            .WithSummary("Record a completed instrument at a session or a scheduled visit; the server scores it and raises the alerts its rules name.");

        app.MapPost("/api/participants/{participantId}/questionnaire-links", async (string participantId, CreateQuestionnaireLinkRequest body, ISender sender, CancellationToken ct) =>
                // No Location header: the link is a credential, handed over in the body only.
                Results.Json(await sender.Send(new CreateQuestionnaireLink(participantId, body.Instrument, body.Session, body.Visit), ct), statusCode: StatusCodes.Status201Created))
            .WithTags("Measures").RequireAuthorization(Policies.CoordinatorOrTherapist)
            .WithSummary("A single-use link (with its expiry) the participant opens on their phone to answer one of their questionnaires at a session or, linked by a coordinator, at a scheduled visit.");

        app.MapGet("/api/participants/{participantId}/measures", async (string participantId, PageRequest page, HttpContext http, ISender sender, CancellationToken ct) =>
                http.PagedList(await sender.Send(new GetMeasures(participantId), ct), page,
                    m => m.Session is { } session ? $"{session.ToString("D4", CultureInfo.InvariantCulture)}|{m.Instrument}" : $"v|{m.Visit}|{m.Instrument}"))
            .WithTags("Measures").RequireAuthorization(Policies.MeasureReaders)
            .WithSummary("Every measure of the participant with its scores, band and alerts, sessions first then visits; an assessor gets the visits' only.");

        app.MapGet("/api/trials/{trialId}/alerts", async (string trialId, string? status, PageRequest page, HttpContext http, ISender sender, CancellationToken ct) =>
                http.PagedList(await sender.Send(new GetAlerts(trialId, status), ct), page, a => $"{PageRequest.Text(a.RaisedAt)}|{a.Id:D}"))
            .WithTags("Measures").RequireAuthorization(Policies.Coordinator)
            .WithSummary("Safety alerts of the caller's sites, oldest first: open ones (default) or all (?status=all); paged.");

        app.MapPost("/api/alerts/{alertId:guid}/acknowledgement", (Guid alertId, AcknowledgeAlertRequest body, ISender sender, CancellationToken ct) =>
                sender.Send(new AcknowledgeAlert(alertId, body.Action), ct))
            .WithTags("Measures").RequireAuthorization(Policies.Coordinator)
            .WithSummary("Acknowledge a safety alert with the action taken.");
    }
}
