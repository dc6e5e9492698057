using TrialManager.Server.Features.Raters;
using System.Text.Json;
using Bogus;
using Mediator;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Features.Participants;
using TrialManager.Server.Features.Trials;

namespace TrialManager.Server.Hosting;

/// <summary>
/// --seed-demo (Development only): creates the demo trial from protocols/demo-trial.json and a few dozen fake
/// participants spread over every status, through the same commands the API uses, so the audit trail is real.
/// </summary>
public static class DemoSeeder
{
    public static Task SeedAsync(WebApplication app, int participants = 48, int seed = 20261126) =>
        SeedAsync(app.Services, app.Environment, participants, seed);

    /// <summary>The same, from the services of any host (the integration tests seed a WebApplicationFactory server).</summary>
    public static async Task SeedAsync(IServiceProvider services, IHostEnvironment environment, int participants = 48, int seed = 20261126)
    {
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("TrialManager.DemoSeeder");
        if (!environment.IsDevelopment())
        {
            logger.LogWarning("--seed-demo is only available in the Development environment; nothing was seeded.");
            return;
        }

        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TrialDbContext>();
        var json = scope.ServiceProvider.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var path = Path.Combine(AppContext.BaseDirectory, "protocols", "demo-trial.json");
        var definition = JsonSerializer.Deserialize<CreateTrial>(await File.ReadAllTextAsync(path), json)
            ?? throw new InvalidOperationException($"{path} is empty.");
        if (await db.Trials.AnyAsync(t => t.Id == definition.Id))
        {
            logger.LogInformation("The demo trial {TrialId} already exists; nothing was seeded.", definition.Id);
            return;
        }

        await SendAsync(services, definition);
        await SendAsync(services, new ChangeTrialStatus(definition.Id!, "recruiting"));
        var faker = new Faker { Random = new Randomizer(seed) };
        var today = DateOnly.FromDateTime(services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime);
        for (var i = 0; i < participants; i++)
        {
            await SeedParticipantAsync(services, definition, faker, today, i);
        }

        logger.LogInformation("Seeded the demo trial {TrialId} with {Count} participants.", definition.Id, participants);
    }

    private static async Task SeedParticipantAsync(IServiceProvider services, CreateTrial trial, Faker faker, DateOnly today, int index)
    {
        // Every tenth person fails screening; the rest walk the workflow to a stage chosen by their index:
        // 0 eligible, 1 declined, 2 consented, 3 formulationPending, 4 formulated, 5 randomized with an adverse event,
        // 6 withdrawn after allocation, 7 completed, 8 excluded (primary formulation outside the trial's).
        var sites = trial.Sites!.Select(s => s!).ToArray();
        var failsScreening = index % 10 == 9;
        var screened = await SendAsync(services, new ScreenParticipant(
            trial.Id!, faker.PickRandom(sites),
            failsScreening ? faker.Random.Int(14, 17) : faker.Random.Int(19, 64),
            faker.Random.Int(11, 26), [], faker.Random.Int(2, 10), faker.Random.Int(2, 10)));
        if (failsScreening)
        {
            return;
        }

        var stage = index % 9;
        var id = screened.Id;
        if (stage == 0)
        {
            return;
        }

        if (stage == 1)
        {
            await SendAsync(services, new RecordConsent(id, null, null, Declined: true));
            return;
        }

        await SendAsync(services, new RecordConsent(id, "1.0", today.AddDays(-faker.Random.Int(1, 60)), null));
        if (stage == 2)
        {
            return;
        }

        // Factors in score order; the lead is one of the trial's formulations, except for the excluded case.
        string[] factors = ["cognitive", "interpersonal", "behavioral", "environmental"];
        var inTrial = factors.Where(f => trial.Formulations!.Contains(f, StringComparer.OrdinalIgnoreCase)).ToArray();
        var outside = factors.Except(inTrial).ToArray();
        var lead = Array.IndexOf(factors, stage == 8 && outside.Length > 0 ? faker.PickRandom(outside) : faker.PickRandom(inTrial));
        int Score(int factor) => stage == 3 ? (factor < 2 ? 3 : 1) : factor == lead ? 4 : faker.Random.Int(0, 2);
        var scores = new ScoresRequest(Score(0), Score(1), Score(2), Score(3));
        await SendAsync(services, new RateFormulation(id, "R01", scores, false, "Demo formulation"));
        var participant = await SendAsync(services, new GetParticipant(id));
        if (participant.Status != Domain.Participants.ParticipantStatus.Formulated || stage == 4)
        {
            return;
        }

        await SendAsync(services, new RateFormulation(id, "R02", index % 4 == 0 ? scores with { Cognitive = 0, Behavioral = 4 } : scores, false, "Second rater"));
        await SendAsync(services, new RandomizeParticipant(id));
        switch (stage)
        {
            case 5:
                await SendAsync(services, new RecordParticipantEvent(id, "adverseEvent", today.AddDays(-1), "Headache after session"));
                break;
            case 6:
                await SendAsync(services, new WithdrawParticipant(id, DemoWithdrawalCategories[index / 9 % DemoWithdrawalCategories.Length], "Demo note"));
                break;
            case 7:
                await SendAsync(services, new CompleteParticipant(id));
                break;
        }
    }

    // Chosen by index, not by the faker, so the rest of the demo data stays as it was.
    private static readonly string[] DemoWithdrawalCategories = ["movedAway", "withdrewConsent", "lostToFollowUp"];

    private static async Task<T> SendAsync<T>(IServiceProvider services, IQuery<T> query)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ISender>().Send(query);
    }

    private static async Task<T> SendAsync<T>(IServiceProvider services, ICommand<T> command)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ISender>().Send(command);
    }
}
