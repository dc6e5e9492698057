using Mediator;
using TrialManager.Server.Common;
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

        app.MapPost("/api/participants/{participantId}/queries", async (string participantId, RaiseDataQueryRequest body, ISender sender, CancellationToken ct) =>
            {
                var query = await sender.Send(new RaiseDataQuery(participantId, body.Target, body.Field, body.Question), ct);
                return Results.Created($"/api/trials/{query.TrialId}/queries", query);
            })
            .WithTags("Corrections").RequireAuthorization(Policies.RaiseDataQuery)
            .WithSummary("Raise a data query on one recorded value (statistician, or admin as monitor); the participant's site answers it.");

        app.MapPost("/api/queries/{queryId:guid}/answer", (Guid queryId, AnswerDataQueryRequest body, ISender sender, CancellationToken ct) =>
                sender.Send(new AnswerDataQuery(queryId, body.Answer, body.Correction), ct))
            .WithTags("Corrections").RequireAuthorization(Policies.Coordinator)
            .WithSummary("Answer a data query of your site, optionally with the corrected value (the answer is the correction's reason).");

        app.MapGet("/api/trials/{trialId}/queries", async (string trialId, string? status, PageRequest page, HttpContext http, ISender sender, CancellationToken ct) =>
                http.PagedList(await sender.Send(new ListDataQueries(trialId, status), ct), page, q => $"{PageRequest.Text(q.RaisedAt)}|{q.Id:D}"))
            .WithTags("Corrections").RequireAuthorization(Policies.DataQueries)
            .WithSummary("The trial's data queries, oldest first: open (default), answered or all; a coordinator sees those of their sites; paged.");
    }
}
