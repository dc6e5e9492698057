using Mediator;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;
using TrialManager.Server.Security;

namespace TrialManager.Server.Features.Statistics;

public static class StatisticsEndpoints
{
    public static void MapStatisticsEndpoints(this IEndpointRouteBuilder app)
    {
        var trial = app.MapGroup("/api/trials/{trialId}").WithTags("Statistics");
        var statistician = trial.MapGroup("/").RequireAuthorization(Policies.Statistician);

        statistician.MapGet("/allocations", async (string trialId, HttpContext http, ISender sender, TrialDbContext db, CancellationToken ct) =>
            {
                var wantsCsv = http.Request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase));
                if (!wantsCsv)
                {
                    // JSON is a list like any other: paged. The CSV export below is whole.
                    return http.Paged(await sender.Send(new ListAllocations(trialId, PageRequest.From(http.Request.Query["limit"], http.Request.Query["after"])), ct));
                }

                // Checked before the first byte: once the stream has started, a 404 can no longer be sent (it was a broken 200).
                await db.EnsureTrialExistsAsync(trialId, ct);

                var rows = sender.CreateStream(new StreamAllocations(trialId), ct);
                return Results.Stream(body => AllocationCsv.WriteAsync(rows, body, ct), "text/csv; charset=utf-8", $"{trialId}-allocations.csv");
            })
            .WithMetadata(PagedQuery.Instance)
            .WithSummary("The allocation table as JSON, paged (limit, after, Link), or whole as CSV with Accept: text/csv, streamed.");

        statistician.MapGet("/balance", (string trialId, ISender sender, CancellationToken ct) => sender.Send(new GetBalance(trialId), ct))
            .WithSummary("Counts by arm for every stratum and for every level of every factor.");

        statistician.MapGet("/reliability", (string trialId, ISender sender, CancellationToken ct) => sender.Send(new GetReliability(trialId), ct))
            .WithSummary("Cohen's kappa for the primary formulation between the first and second rater.");

        statistician.MapGet("/randomization-plan", (string trialId, ISender sender, CancellationToken ct) =>
                sender.Send(new GetRandomizationPlan(trialId), ct))
            .WithSummary("Method, parameters, seed and how to regenerate the sequence.");

        statistician.MapPost("/randomization-plan/verify", (string trialId, ISender sender, CancellationToken ct) =>
                sender.Send(new VerifyRandomizationPlan(trialId), ct))
            .WithSummary("Regenerates the sequence and compares it with every recorded allocation.");

        statistician.MapPost("/design-simulation", (string trialId, DesignSimulationRequest? body, ISender sender, CancellationToken ct) =>
                sender.Send(new SimulateDesign(trialId, body?.Trials, body?.ParticipantsPerTrial, body?.Seed, body?.Strata), ct))
            .WithSummary("Simulate the trial's own design before it starts: final imbalance per stratum and per factor level, and predictability.")
            .WithDescription(
                "Body (every field optional): {\"trials\": 10000 (1..20000), \"participantsPerTrial\": 200 (1..2000; trials x participants " +
                "at most 4,000,000), \"seed\": \"...\" (to reproduce a report; never echoed), \"strata\": [{\"levels\": {\"formulation\": " +
                "\"cognitive\", \"site\": \"NYC\"}, \"weight\": 2}]}. Without strata the mix is uniform over every combination of the " +
                "trial's formulations, sites and (when severity is a factor) severity low/high. Imbalance is max - min over arms of " +
                "count / ratio at the end of each simulated trial; predictability is the hit rate of a guesser who knows every past " +
                "allocation and guesses the arm behind in the participant's stratum (Blackwell-Hodges convergence), beside the chance rate. " +
                "The trial's own seed is never used.");

        statistician.MapPost("/power-simulation", (string trialId, PowerSimulationRequest body, ISender sender, CancellationToken ct) =>
                sender.Send(new SimulatePower(trialId, body.Effects, body.Hypothesis, body.Interaction, body.Prevalence, body.Dropout,
                    body.Participants, body.Trials, body.Alpha, body.Seed), ct))
            .WithSummary("Power to detect the formulation x arm interaction (and each formulation's arm effect) at the trial's size, and the sizes for 80% and 90%.")
            .WithDescription(
                "Body: either {\"effects\": {\"cognitive\": {\"mediator\": 0, \"moderator\": 0.5}, ...}} (every cell's true mean outcome in " +
                "within-cell SD units) or {\"hypothesis\": {\"cognitive\": \"moderator\", \"interpersonal\": \"mediator\"}, \"interaction\": 0.5} " +
                "(matched cells d/4 above their formulation's mean, mismatched d/4 below: a 2 x 2 difference in differences of d); optional " +
                "\"prevalence\" per formulation (default equal), \"dropout\" (0..0.9, default 0), \"participants\" (default the target), " +
                "\"trials\" (100..20000, default 10000; trials x participants at most 5,000,000), \"alpha\" (default 0.05), \"seed\". " +
                "Each simulated trial draws formulations, allocates as the design would, drops out, draws outcomes and tests the " +
                "interaction contrasts with a Wald F on the cell means; beside each simulated power is the noncentral-F closed form. " +
                "The sizes for 80%/90% come from the closed form and are simulated again (at most 2,000 trials) when that is at most 20,000,000 participants.");

        trial.MapGet("/consort", (string trialId, ISender sender, CancellationToken ct) => sender.Send(new GetConsort(trialId), ct))
            .RequireAuthorization(Policies.StatisticsOverview)
            .WithSummary("CONSORT flow counts: assessed, excluded by reason, randomized, allocated, withdrawn, completed.");
    }
}
