using System.Net;
using Microsoft.EntityFrameworkCore;
using TrialManager.Integration.Tests.Harness;

namespace TrialManager.Integration.Tests.Api;

/// <summary>
/// The trial list's counts are kept by the write path (ParticipantCounts table): after every command that screens a
/// participant or changes their status, refused ones included, the kept rows must equal a fresh count of the
/// participants and allocations, and the API must show them.
/// </summary>
public abstract class TrialCountsTests(TrialServer server)
{
    private HttpClient Coordinator { get; } = server.Coordinator;

    [ServerFact]
    public async Task KeptCounts_EqualAFreshCount_AfterEachCommandOfTheWorkflow()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        var ids = new List<string>();

        async Task<string> Screen(string site, int age)
        {
            var screened = await Coordinator.PostJsonAsync($"/api/trials/{trialId}/participants",
                new { site, ageYears = age, severity = 15, exclusions = Array.Empty<string>() });
            await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, screened);
            var id = (await screened.JsonAsync()).GetProperty("id").GetString()!;
            ids.Add(id);
            return id;
        }

        async Task Post(HttpStatusCode expected, string path, object? body) =>
            await ProblemAssertions.AssertStatusAsync(expected, await Coordinator.PostJsonAsync(path, body));

        async Task Formulated(string site)
        {
            ids.Add(await TestTrials.FormulatedParticipantAsync(server, trialId, site));
        }

        // Each step is one or more commands; the counts are compared after each.
        var steps = new (string Name, Func<Task> Run)[]
        {
            ("screen eligible at AAA", () => Screen("AAA", 30)),
            ("screen failed at BBB", () => Screen("BBB", 10)),
            ("screen eligible at BBB", () => Screen("BBB", 40)),
            ("consent", () => Post(HttpStatusCode.OK, $"/api/participants/{ids[0]}/consent", new { consentVersion = "1.0", consentedOn = "2026-11-20" })),
            ("decline", () => Post(HttpStatusCode.OK, $"/api/participants/{ids[2]}/consent", new { declined = true })),
            ("consent refused after a decline", () => Post(HttpStatusCode.Conflict, $"/api/participants/{ids[2]}/consent", new { consentVersion = "1.0", consentedOn = "2026-11-20" })),
            ("ineligible after consent", () => Post(HttpStatusCode.OK, $"/api/participants/{ids[0]}/ineligibility", new { criterion = "bipolar", note = "in the records" })),
            ("formulated at AAA", () => Formulated("AAA")),
            ("formulated at BBB", () => Formulated("BBB")),
            ("formulated at BBB again", () => Formulated("BBB")),
            ("formulated at AAA again", () => Formulated("AAA")),
            ("randomize", () => Post(HttpStatusCode.Created, $"/api/participants/{ids[3]}/randomization", null)),
            ("randomize at BBB", () => Post(HttpStatusCode.Created, $"/api/participants/{ids[4]}/randomization", null)),
            ("randomize again, a repeat", () => Post(HttpStatusCode.OK, $"/api/participants/{ids[4]}/randomization", null)),
            ("randomize the third", () => Post(HttpStatusCode.Created, $"/api/participants/{ids[5]}/randomization", null)),
            ("stop treatment", () => Post(HttpStatusCode.OK, $"/api/participants/{ids[3]}/treatment-stop", new { category = "participantChoice" })),
            ("complete after follow-up", () => Post(HttpStatusCode.OK, $"/api/participants/{ids[3]}/completion", null)),
            ("withdraw randomized", () => Post(HttpStatusCode.OK, $"/api/participants/{ids[4]}/withdrawal", new { category = "movedAway", reason = "moved" })),
            ("complete withdrawn, refused", () => Post(HttpStatusCode.Conflict, $"/api/participants/{ids[4]}/completion", null)),
            ("withdraw before randomization", () => Post(HttpStatusCode.OK, $"/api/participants/{ids[6]}/withdrawal", new { category = "withdrewConsent", reason = "lost interest" })),
            ("complete randomized", () => Post(HttpStatusCode.OK, $"/api/participants/{ids[5]}/completion", null)),
            // A corrected site moves the participant's count between sites (a randomized one stays randomized).
            ("correct the site of a screen failure", () => Post(HttpStatusCode.Created, $"/api/participants/{ids[1]}/corrections", new { field = "site", value = "AAA", reason = "wrong site picked" })),
            ("correct the site of a randomized participant", () => Post(HttpStatusCode.Created, $"/api/participants/{ids[5]}/corrections", new { field = "site", value = "AAA", reason = "wrong site picked" })),
        };

        foreach (var (name, run) in steps)
        {
            await run();
            var (kept, fresh) = await KeptAndFreshAsync(server, trialId);
            Assert.True(fresh.SequenceEqual(kept), $"After \"{name}\": kept {string.Join(", ", kept)}; fresh {string.Join(", ", fresh)}");
        }

        // The API shows the kept counts: 7 screened, 3 randomized, by status over both sites.
        var counts = (await (await Coordinator.GetAsync($"/api/trials/{trialId}")).JsonAsync()).GetProperty("counts");
        Assert.Equal(7, counts.GetProperty("screened").GetInt32());
        Assert.Equal(3, counts.GetProperty("randomized").GetInt32());
        Assert.Equal("""{"screenFailed":1,"declined":1,"ineligible":1,"withdrawn":2,"completed":2}""", counts.GetProperty("byStatus").GetRawText());
    }

    /// <summary>The kept rows of a trial (zero rows left out) and a count of its participants and allocations now.</summary>
    internal static Task<(List<string> Kept, List<string> Fresh)> KeptAndFreshAsync(TrialServer server, string trialId) =>
        server.WithDbAsync(async db =>
        {
            var kept = (await db.ParticipantCounts.AsNoTracking().Where(c => c.TrialId == trialId && c.Participants > 0).ToListAsync())
                .Select(c => $"{c.Site}/{c.Status}: {c.Participants} ({c.Randomized} randomized)").Order(StringComparer.Ordinal).ToList();
            var fresh = (await (
                    from p in db.Participants.AsNoTracking().Where(p => p.TrialId == trialId)
                    join a in db.Allocations.AsNoTracking() on p.Id equals a.ParticipantId into allocation
                    from a in allocation.DefaultIfEmpty()
                    group a by new { p.Site, p.Status } into g
                    select new { g.Key.Site, g.Key.Status, Participants = g.Count(), Randomized = g.Count(a => a != null) })
                    .ToListAsync())
                .Select(c => $"{c.Site}/{c.Status}: {c.Participants} ({c.Randomized} randomized)").Order(StringComparer.Ordinal).ToList();
            return (kept, fresh);
        });
}

[Collection(SqliteServerCollection.Name)]
public sealed class TrialCountsTests_Sqlite(SqliteTrialServer server) : TrialCountsTests(server);

[Collection(PostgresServerCollection.Name)]
public sealed class TrialCountsTests_Postgres(PostgresTrialServer server) : TrialCountsTests(server), IRunsOnPostgres;
