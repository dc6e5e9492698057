using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TrialManager.Integration.Tests.Harness;
using TrialManager.Server.Hosting;

namespace TrialManager.Integration.Tests.Api;

/// <summary>
/// --seed-demo: the demo trial with participants in every status, therapists, and sessions with scored measures drawn
/// from DemoModel, made through the real commands and readable over the API.
/// </summary>
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

        await AssertTherapyIsSeededAsync(participants);
        await AssertVisitsAreSeededAsync(participants);

        // The second rater makes reliability computable, and the trail of the seeding verifies.
        var reliability = await (await server.Statistician.GetAsync($"/api/trials/{DemoTrial}/reliability")).JsonAsync();
        Assert.True(reliability.GetProperty("n").GetInt32() > 0);
        Assert.True((await (await server.Admin.GetAsync("/api/audit/verify")).JsonAsync()).GetProperty("valid").GetBoolean());

        // Seeding again leaves the existing demo trial alone.
        await DemoSeeder.SeedAsync(server.Factory.Services, environment);
        Assert.Equal(48, (await (await server.Coordinator.GetAsync($"/api/trials/{DemoTrial}/participants")).JsonAsync()).GetArrayLength());
    }

    private async Task AssertVisitsAreSeededAsync(List<JsonElement> participants)
    {
        // The schedule's visit instruments, entered by the assessor (who enters them), at the schedule's visits.
        var visitMeasures = new List<JsonElement>();
        foreach (var p in participants.Where(p => p.GetProperty("status").GetString() is "randomized" or "withdrawn" or "completed"))
        {
            var all = await (await server.Statistician.GetAsync($"/api/participants/{p.GetProperty("id").GetString()}/measures?limit=1000")).JsonAsync();
            visitMeasures.AddRange(all.EnumerateArray().Where(m => m.GetProperty("visit").ValueKind == JsonValueKind.String));
        }

        Assert.All(visitMeasures, m => Assert.Equal("dev-assessor", m.GetProperty("recordedBy").GetString()));
        Assert.Equal(["gad7", "phq9"], visitMeasures.Select(m => m.GetProperty("instrument").GetString()).Distinct().Order());
        Assert.Equal(["baseline", "endOfTreatment", "followUp"], visitMeasures.Select(m => m.GetProperty("visit").GetString()).Distinct().Order());

        // Some visits were missed or are not done yet, so the coordinators' due list has something on it.
        var due = await (await server.Coordinator.GetAsync($"/api/trials/{DemoTrial}/visits/due?limit=1000")).JsonAsync();
        Assert.True(due.GetArrayLength() > 0, "The demo's due list is empty.");
    }

    private async Task AssertTherapyIsSeededAsync(List<JsonElement> participants)
    {
        // Two therapists per site, each delivering both arms: crossed with arms, as docs/demo-data.md says.
        var caseloads = await (await server.Statistician.GetAsync($"/api/trials/{DemoTrial}/caseloads")).JsonAsync();
        Assert.Equal("crossed", caseloads.GetProperty("design").GetString());
        Assert.Equal(6, caseloads.GetProperty("therapists").GetArrayLength());
        var mine = await server.Client("dev-therapist").GetAsync("/api/therapists/me/participants");
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, mine);
        Assert.True((await mine.JsonAsync()).GetArrayLength() > 0);

        // A completed participant had 16 weekly sessions before today, mostly attended, with the four session instruments.
        var completed = participants.First(p => p.GetProperty("status").GetString() == "completed").GetProperty("id").GetString();
        var record = await (await server.Coordinator.GetAsync($"/api/participants/{completed}")).JsonAsync();
        var sessions = record.GetProperty("sessions").EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(1, 16), sessions.Select(s => s.GetProperty("number").GetInt32()));
        var dates = sessions.Select(s => DateOnly.Parse(s.GetProperty("date").GetString()!, CultureInfo.InvariantCulture)).ToList();
        Assert.All(dates.Zip(dates.Skip(1)), d => Assert.Equal(7, d.Second.DayNumber - d.First.DayNumber));
        Assert.True(dates[^1] < DateOnly.FromDateTime(DateTime.UtcNow));
        Assert.True(sessions.Count(s => s.GetProperty("attendance").GetString() == "attended") >= 10);
        Assert.False(string.IsNullOrEmpty(record.GetProperty("therapist").GetString()));

        var measures = (await (await server.Statistician.GetAsync($"/api/participants/{completed}/measures?limit=1000")).JsonAsync()).EnumerateArray()
            .Where(m => m.GetProperty("session").ValueKind == JsonValueKind.Number).ToList();
        var byInstrument = measures.GroupBy(m => m.GetProperty("instrument").GetString()!).ToDictionary(g => g.Key, g => g.ToList());
        Assert.Equal(["alliance12", "phq9", "ruptureLog", "techniqueDose"], byInstrument.Keys.Order());
        Assert.All(byInstrument.Values, list => Assert.True(list.Count >= 8));
        // Scored by the server: a PHQ-9 total is its items' sum, an alliance total their mean.
        foreach (var phq in byInstrument["phq9"])
        {
            var items = phq.GetProperty("items").EnumerateObject().Sum(i => i.Value.GetInt32());
            Assert.Equal(items, phq.GetProperty("scores").GetProperty("total").GetDouble());
        }

        foreach (var alliance in byInstrument["alliance12"])
        {
            var mean = alliance.GetProperty("items").EnumerateObject().Average(i => i.Value.GetInt32());
            Assert.Equal(Math.Round(mean, 2, MidpointRounding.AwayFromZero), alliance.GetProperty("scores").GetProperty("total").GetDouble(), 6);
        }
    }
}

[Collection(SqliteServerCollection.Name)]
public sealed class DemoSeedingTests_Sqlite(SqliteTrialServer server) : DemoSeedingTests(server);

[Collection(PostgresServerCollection.Name)]
public sealed class DemoSeedingTests_Postgres(PostgresTrialServer server) : DemoSeedingTests(server), IRunsOnPostgres;
