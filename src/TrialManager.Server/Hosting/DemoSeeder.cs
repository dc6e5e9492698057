using System.Globalization;
using System.Text.Json;
using Bogus;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TrialManager.Domain.Common;
using TrialManager.Domain.Demo;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;
using TrialManager.Server.Features.Trials;

namespace TrialManager.Server.Hosting;

/// <summary>
/// --seed-demo (Development only): creates the demo trial from protocols/demo-trial.json, a few dozen fake participants
/// spread over every status, two therapists per site, and for every randomized participant 16 weekly sessions with
/// their measures drawn from <see cref="DemoModel"/> (docs/demo-data.md), all through the same commands the API uses,
/// so scoring, alerts and the audit trail are real. The trial's history is played in date order on the
/// <see cref="DemoClock"/>, from about a year ago to now.
/// </summary>
public static class DemoSeeder
{
    public const int DefaultSeed = 20261126;
    public const int DefaultParticipants = 48;
    public const int LargeParticipants = 10_000;

    /// <summary>How far back the demo trial was created; every participant's 16 sessions end before today.</summary>
    private const int HistoryDays = 400;

    /// <summary>
    /// The number of participants a --seed-demo argument asks for; null when the argument is malformed. Large, and
    /// large:&lt;n&gt; for a smaller run of the same kind, are seeded in bulk (<see cref="IsBulk"/>).
    /// </summary>
    public static int? ParticipantsFrom(string argument) => argument switch
    {
        "--seed-demo" => DefaultParticipants,
        "--seed-demo=large" => LargeParticipants,
        _ when argument.StartsWith("--seed-demo=large:", StringComparison.Ordinal) => Count(argument["--seed-demo=large:".Length..]),
        _ when argument.StartsWith("--seed-demo=", StringComparison.Ordinal) => Count(argument["--seed-demo=".Length..]),
        _ => null,
    };

    /// <summary>Whether the argument asks for the bulk path (every participant randomized and treated, written in batches).</summary>
    public static bool IsBulk(string argument) => argument.StartsWith("--seed-demo=large", StringComparison.Ordinal);

    private static int? Count(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 100_000 ? n : null;

    public static Task SeedAsync(WebApplication app, int participants = DefaultParticipants, int seed = DefaultSeed, bool bulk = false) =>
        SeedAsync(app.Services, app.Environment, participants, seed, bulk);

    /// <summary>
    /// The same, from the services of any host (the integration tests seed a WebApplicationFactory server). With
    /// <paramref name="bulk"/>, the trial and therapists still come through the commands, and the participants through
    /// <see cref="DemoBulk"/>: all of them randomized with 16 sessions, in batches (docs/demo-data.md, "Large").
    /// </summary>
    public static async Task SeedAsync(
        IServiceProvider services, IHostEnvironment environment, int participants = DefaultParticipants, int seed = DefaultSeed, bool bulk = false)
    {
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("TrialManager.DemoSeeder");
        if (!environment.IsDevelopment() || services.GetRequiredService<TimeProvider>() is not DemoClock clock)
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
        // The demo's allocations follow from the seeder's seed as well, so every value of the demo is the same on every
        // run (the R test of the planted effects depends on it); a real trial's seed is drawn by the server and secret.
        if (definition.Randomization is { } randomization && randomization.Seed is null or { ValueKind: JsonValueKind.Null })
        {
            definition = definition with { Randomization = randomization with { Seed = JsonSerializer.SerializeToElement(RandomizationSeed(seed)) } };
        }

        if (await db.Trials.AnyAsync(t => t.Id == definition.Id))
        {
            logger.LogInformation("The demo trial {TrialId} already exists; nothing was seeded.", definition.Id);
            return;
        }

        // The planted formulation x arm effect assumes the demo trial's hypothesis; a changed file must change the model too.
        var hypothesis = (definition.Hypothesis ?? []).ToDictionary(h => Wire.Parse<Formulation>(h.Key), h => Wire.Parse<ArmCode>(h.Value));
        if (!hypothesis.OrderBy(h => h.Key).SequenceEqual(DemoModel.MatchedArm.OrderBy(h => h.Key)))
        {
            throw new InvalidOperationException($"{path}: the hypothesis differs from DemoModel.MatchedArm, which plants the demo's effects.");
        }

        var today = clock.GetUtcNow().UtcDateTime.Date;
        var start = new DateTimeOffset(today.AddDays(-HistoryDays), TimeSpan.Zero).AddHours(8);
        var history = new DemoHistory(services, definition, new Faker { Random = new Randomizer(seed) }, seed, new DateTimeOffset(today, TimeSpan.Zero));
        try
        {
            clock.Set(start);
            await history.SendAsync(definition);
            await history.SendAsync(new ChangeTrialStatus(definition.Id!, "recruiting"));
            await history.RegisterTherapistsAsync();
            var enrolmentDays = HistoryDays - 10 - 150;
            if (bulk)
            {
                // Each row carries its own date; the audit events are dated now, when the bulk write happens.
                clock.Reset();
                var writer = new DemoBulk(services, definition.Id!, history.Therapists, new Faker { Random = new Randomizer(seed) }, seed, new DateTimeOffset(today, TimeSpan.Zero));
                await writer.SeedAsync(participants, start, enrolmentDays, CancellationToken.None);
                logger.LogInformation(
                    "Seeded the demo trial {TrialId} in bulk with {Count} randomized participants, {Sessions} sessions, {Measures} session measures and {VisitMeasures} visit measures.",
                    definition.Id, participants, writer.SessionCount, writer.MeasureCount, writer.VisitMeasureCount);
                return;
            }

            // Enrolment spreads over the first months, so that every course of 16 weekly sessions ends before today.
            for (var i = 0; i < participants; i++)
            {
                var index = i;
                history.Schedule(start.AddDays(10 + (double)i * enrolmentDays / participants).AddMinutes(i % 7 * 37), () => history.ScreenAsync(index));
            }

            await history.PlayAsync(clock);
        }
        finally
        {
            clock.Reset();
        }

        logger.LogInformation(
            "Seeded the demo trial {TrialId} with {Count} participants, {Therapists} therapists, {Sessions} sessions, {Measures} session measures and {VisitMeasures} visit measures.",
            definition.Id, participants, history.Therapists.Count, history.SessionCount, history.MeasureCount, history.VisitMeasureCount);
    }

    /// <summary>The demo trial's randomization seed: 64 hex characters derived from the seeder's seed.</summary>
    internal static string RandomizationSeed(int seed) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(
            "trialmanager-demo/" + seed.ToString(CultureInfo.InvariantCulture))));

    // Chosen by index, not by the faker, so the rest of the demo data stays as it was.
    internal static readonly string[] DemoWithdrawalCategories = ["movedAway", "withdrewConsent", "lostToFollowUp"];
}
