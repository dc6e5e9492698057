using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TrialManager.Domain.Demo;
using TrialManager.Integration.Tests.Exports;
using TrialManager.Integration.Tests.Harness;
using TrialManager.Server.Common;
using TrialManager.Server.Hosting;

namespace TrialManager.Integration.Tests.Api;

/// <summary>
/// --seed-demo=large's bulk path at a modest size: the rows it writes in batches must be those the commands would
/// write, so the audit chain verifies, the allocations verify against the trial's sequence, and the export, the API
/// and the database agree on every count.
/// </summary>
public sealed class DemoBulkSeedingTests(DemoBulkSeedingTests.BulkSeeded demo) : IClassFixture<DemoBulkSeedingTests.BulkSeeded>
{
    private const string DemoTrial = "fbr-dep-01";
    private const int Participants = 300;

    private TrialServer Server => demo.Server;

    [Fact]
    public async Task BulkSeed_AuditChainVerifies_WithOneEventPerParticipant()
    {
        // The owed protocol documents are still being rendered in the background, each completion an audited event:
        // the verification covers every event there was before it and none that came after.
        var before = await Server.WithDbAsync(db => db.AuditEvents.CountAsync());
        var verify = await (await Server.Admin.GetAsync("/api/audit/verify")).JsonAsync();
        Assert.True(verify.GetProperty("valid").GetBoolean(), verify.GetRawText());
        var (after, bulk) = await Server.WithDbAsync(async db => (
            await db.AuditEvents.CountAsync(),
            await db.AuditEvents.Where(e => e.Action == DemoBulk.AuditAction && e.RecordType == "Participant").CountAsync()));
        Assert.InRange(verify.GetProperty("events").GetInt32(), before, after);
        Assert.Equal(Participants, bulk);
    }

    [Fact]
    public async Task BulkSeed_StoresEveryParticipantsNextDueDate_AsTheScheduleRuleComputesIt()
    {
        // The due list pages by the stored date: a participant written without it would never be listed.
        var changed = await Server.WithDbAsync(db =>
            NextDues.RecomputeAsync(db, db.Participants.Where(p => p.TrialId == DemoTrial), CancellationToken.None));
        Assert.Equal(0, changed);
    }

    [Fact]
    public async Task BulkSeed_KeepsTheTrialListsCounts_EqualToAFreshCount()
    {
        // The trial list reads the kept counts: a batch written without them would list the trial as empty.
        var (kept, fresh) = await TrialCountsTests.KeptAndFreshAsync(Server, DemoTrial);
        Assert.Equal(fresh, kept);
        var counts = (await (await Server.Coordinator.GetAsync($"/api/trials/{DemoTrial}")).JsonAsync()).GetProperty("counts");
        Assert.Equal(Participants, counts.GetProperty("screened").GetInt32());
        Assert.Equal(Participants, counts.GetProperty("randomized").GetInt32());
    }

    [Fact]
    public async Task BulkSeed_AllocationsVerifyAgainstTheSequence()
    {
        var verify = await (await Server.Statistician.PostAsync(new Uri($"/api/trials/{DemoTrial}/randomization-plan/verify", UriKind.Relative), null)).JsonAsync();
        Assert.True(verify.GetProperty("matches").GetBoolean(), verify.GetRawText());
        Assert.Equal(Participants, verify.GetProperty("checked").GetInt32());
        Assert.Empty(verify.GetProperty("misStratified").EnumerateArray());
    }

    [Fact]
    public async Task BulkSeed_ExportApiAndDatabaseAgreeOnTheCounts()
    {
        var counts = await Server.WithDbAsync(async db => new
        {
            Participants = await db.Participants.CountAsync(p => p.TrialId == DemoTrial),
            Allocations = await db.Allocations.CountAsync(),
            Documents = await db.ProtocolDocuments.CountAsync(),
            Sessions = await db.Participants.Where(p => p.TrialId == DemoTrial).SelectMany(p => p.Sessions).CountAsync(),
            Measures = await db.Measures.CountAsync(m => m.TrialId == DemoTrial),
            VisitMeasures = await db.Measures.CountAsync(m => m.TrialId == DemoTrial && m.Visit != null),
            Answers = (await db.Measures.Where(m => m.TrialId == DemoTrial).Select(m => m.Answers).ToListAsync()).Sum(a => a.Count),
            Alerts = await db.SafetyAlerts.CountAsync(a => a.TrialId == DemoTrial),
        });
        Assert.Equal(Participants, counts.Participants);
        Assert.Equal(Participants, counts.Allocations);
        Assert.Equal(Participants, counts.Documents);
        Assert.Equal(Participants * DemoModel.Sessions, counts.Sessions);
        Assert.True(counts.Alerts > 0, "The instruments' rules raised no alert in 300 courses.");

        var export = await Server.Statistician.GetAsync($"/api/trials/{DemoTrial}/export");
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, export);
        var zip = new ExportZip(await export.Content.ReadAsByteArrayAsync());
        var rows = zip.Manifest.GetProperty("files").EnumerateArray()
            .Where(f => f.GetProperty("rows").ValueKind == JsonValueKind.Number)
            .ToDictionary(f => f.GetProperty("name").GetString()!, f => f.GetProperty("rows").GetInt64());
        Assert.Equal(counts.Participants, rows["participants.csv"]);
        Assert.Equal(2 * counts.Participants, rows["ratings.csv"]);
        Assert.Equal(counts.Allocations, rows["allocations.csv"]);
        Assert.Equal(counts.Sessions, rows["sessions.csv"]);
        Assert.Equal(counts.Measures, rows["scores.csv"]);
        Assert.Equal(counts.VisitMeasures, rows["visits.csv"]);
        Assert.Equal(counts.Answers, rows["item_responses.csv"]);
        foreach (var (file, n) in rows)
        {
            Assert.Equal(n, zip.Csv(file).Rows.Count);
        }

        // The API answers the same: every participant randomized or completed, each with the measures the export has.
        var listed = await AllPagesAsync(Server.Coordinator, $"/api/trials/{DemoTrial}/participants?limit=1000");
        Assert.Equal(Participants, listed.Count);
        Assert.All(listed, p => Assert.Contains(p.GetProperty("status").GetString(), new[] { "randomized", "completed" }));
        var caseloads = await (await Server.Statistician.GetAsync($"/api/trials/{DemoTrial}/caseloads")).JsonAsync();
        Assert.Equal(Participants, caseloads.GetProperty("therapists").EnumerateArray()
            .Sum(t => t.GetProperty("caseload").EnumerateObject().Sum(a => a.Value.GetInt32())));
        var alerts = await AllPagesAsync(Server.Coordinator, $"/api/trials/{DemoTrial}/alerts?limit=1000");
        Assert.Equal(counts.Alerts, alerts.Count);
        var scores = zip.Csv("scores.csv").Rows;
        foreach (var p in listed.Take(5))
        {
            var id = p.GetProperty("id").GetString()!;
            var measures = await AllPagesAsync(Server.Statistician, $"/api/participants/{id}/measures?limit=1000");
            Assert.Equal(scores.Count(r => r["participantId"] == id), measures.Count);
        }
    }

    [Fact]
    public async Task BulkSeed_ExportsTheMeasureFiles_ByteForByteAsEachTableReadingAloneWritesThem()
    {
        // The export reads the measures once for item_responses.csv, scores.csv and visits.csv (the last two through
        // temporary files): the same bytes as three reads, over sessions and visits alike.
        var export = await Server.Statistician.GetAsync($"/api/trials/{DemoTrial}/export");
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, export);
        var zip = new ExportZip(await export.Content.ReadAsByteArrayAsync());
        Assert.NotEmpty(zip.Csv("visits.csv").Rows);
        MeasureFilesReadAlone.AssertEqual(await MeasureFilesReadAlone.RenderAsync(Server, DemoTrial), zip);
    }

    private static async Task<List<JsonElement>> AllPagesAsync(HttpClient client, string path)
    {
        var items = new List<JsonElement>();
        for (Uri? next = new(path, UriKind.Relative); next is not null;)
        {
            var response = await client.GetAsync(next);
            await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, response);
            items.AddRange((await response.JsonAsync()).EnumerateArray());
            next = response.Headers.TryGetValues("Link", out var link) && link.Single() is var l ? new Uri(l[1..l.IndexOf('>', StringComparison.Ordinal)]) : null;
        }

        return items;
    }

    /// <summary>A server of its own (the shared ones may hold the default demo already), seeded once in bulk.</summary>
    public sealed class BulkSeeded : IAsyncLifetime
    {
        public SqliteTrialServer Server { get; } = new();

        public async Task InitializeAsync()
        {
            await Server.InitializeAsync();
            await DemoSeeder.SeedAsync(
                Server.Factory.Services, Server.Factory.Services.GetRequiredService<IHostEnvironment>(), Participants, bulk: true);
        }

        public Task DisposeAsync() => Server.DisposeAsync();
    }
}
