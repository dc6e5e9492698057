using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TrialManager.Integration.Tests.Harness;
using TrialManager.Server.Hosting;

namespace TrialManager.Integration.Tests.Api;

/// <summary>--seed-demo: the demo trial with participants in every status, made through the real commands.</summary>
public abstract class DemoSeedingTests(TrialServer server)
{
    private const string DemoTrial = "fbr-dep-01";

    [ServerFact]
    public async Task SeedDemo_CreatesTheDemoTrialWithParticipantsInEveryStatus_Once()
    {
        var environment = server.Factory.Services.GetRequiredService<IHostEnvironment>();

        await DemoSeeder.SeedAsync(server.Factory.Services, environment);

        var trial = await server.Coordinator.GetAsync($"/api/trials/{DemoTrial}");
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, trial);
        Assert.Equal("recruiting", (await trial.JsonAsync()).GetProperty("status").GetString());
        var participants = (await (await server.Coordinator.GetAsync($"/api/trials/{DemoTrial}/participants")).JsonAsync()).EnumerateArray().ToList();
        Assert.Equal(48, participants.Count);
        var statuses = participants.Select(p => p.GetProperty("status").GetString()!).ToHashSet();
        foreach (var status in new[]
                 {
                     "eligible", "screenFailed", "consented", "declined", "formulationPending", "formulated", "excluded",
                     "randomized", "withdrawn", "completed",
                 })
        {
            Assert.Contains(status, statuses);
        }

        // The second rater makes reliability computable, and the trail of the seeding verifies.
        var reliability = await (await server.Statistician.GetAsync($"/api/trials/{DemoTrial}/reliability")).JsonAsync();
        Assert.True(reliability.GetProperty("n").GetInt32() > 0);
        Assert.True((await (await server.Admin.GetAsync("/api/audit/verify")).JsonAsync()).GetProperty("valid").GetBoolean());

        // Seeding again leaves the existing demo trial alone.
        await DemoSeeder.SeedAsync(server.Factory.Services, environment);
        Assert.Equal(48, (await (await server.Coordinator.GetAsync($"/api/trials/{DemoTrial}/participants")).JsonAsync()).GetArrayLength());
    }
}

[Collection(SqliteServerCollection.Name)]
public sealed class DemoSeedingTests_Sqlite(SqliteTrialServer server) : DemoSeedingTests(server);

[Collection(PostgresServerCollection.Name)]
public sealed class DemoSeedingTests_Postgres(PostgresTrialServer server) : DemoSeedingTests(server), IRunsOnPostgres;
