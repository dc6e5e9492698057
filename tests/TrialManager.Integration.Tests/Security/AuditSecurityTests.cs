#pragma warning disable EF1002 // the SQL here is built from generated sequence numbers and table names, never input
using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Auditing;
using TrialManager.Integration.Tests.Api;
using TrialManager.Integration.Tests.Harness;

namespace TrialManager.Integration.Tests.Security;

public abstract class AuditSecurityTests(TrialServer server)
{
    private Task<long> HeadAsync() => server.WithDbAsync(db => db.AuditChainHeads.Select(h => h.LastSequence).SingleAsync());

    [ServerFact]
    public async Task SignIn_IsAuditedOncePerKeyWithItsNameAndNeverTheKey()
    {
        var probe = server.Client(SecurityTestSettings.SignInProbeKey);
        Assert.Equal(HttpStatusCode.OK, (await probe.GetAsync("/api/trials")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await probe.GetAsync("/api/trials")).StatusCode);

        var signIns = await server.WithDbAsync(db => db.AuditEvents.Where(e => e.Action == "signIn" && e.Actor == SecurityTestSettings.SignInProbeName).ToListAsync());
        var leaks = await server.WithDbAsync(db => db.AuditEvents.CountAsync(e =>
            e.Changes.Contains(SecurityTestSettings.SignInProbeKey) || e.Actor.Contains(SecurityTestSettings.SignInProbeKey)));

        var signIn = Assert.Single(signIns);
        Assert.Equal("statistician", signIn.Role);
        Assert.Equal(0, leaks);
    }

    [ServerFact]
    public async Task PermissionFailures_AreAuditedWithRouteAndRole()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        var before = await HeadAsync();

        // The site refusal: screening at a site the key is not limited to (another site's record is a 404, unaudited).
        Assert.Equal(HttpStatusCode.Forbidden, (await server.Coordinator.PostJsonAsync("/api/trials", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await server.Client(SecurityTestSettings.SiteLimitedCoordinatorKey).PostJsonAsync(
            $"/api/trials/{trialId}/participants", new { site = "BBB", ageYears = 30, severity = 15, exclusions = Array.Empty<string>() })).StatusCode);

        // Written as counts per actor once the window (a second in the tests) has closed.
        var role = await DeniedAfterAsync(before, "dev-coordinator", d => d.GetProperty("route").GetString() == "/api/trials/");
        Assert.Equal("coordinator", role.Event.Role);
        Assert.Equal("coordinator", role.Changes.GetProperty("role").GetString());
        Assert.Equal("POST", role.Denial.GetProperty("method").GetString());
        Assert.Equal("role", role.Denial.GetProperty("reason").GetString());
        var site = await DeniedAfterAsync(before, SecurityTestSettings.SiteLimitedCoordinatorName, d => d.GetProperty("reason").GetString() == "site");
        Assert.StartsWith("/api/trials/{trialId}/participants", site.Denial.GetProperty("route").GetString(), StringComparison.Ordinal);
        Assert.Equal(["AAA"], site.Changes.GetProperty("sites").EnumerateArray().Select(s => s.GetString()));
        Assert.DoesNotContain(trialId, site.Event.Changes, StringComparison.Ordinal);
    }

    /// <summary>Waits for the permission-failure event of an actor, after a sequence, that counts a denial matching the filter.</summary>
    private async Task<(TrialManager.Infrastructure.Auditing.AuditEvent Event, JsonElement Changes, JsonElement Denial)> DeniedAfterAsync(
        long before, string actor, Func<JsonElement, bool> denial)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var events = await server.WithDbAsync(db => db.AuditEvents.AsNoTracking()
                .Where(e => e.Sequence > before && e.Action == "permissionDenied" && e.Actor == actor).ToListAsync());
            foreach (var e in events)
            {
                var changes = JsonDocument.Parse(e.Changes).RootElement;
                if (changes.TryGetProperty("denials", out var denials) && denials.EnumerateArray().FirstOrDefault(denial) is { ValueKind: JsonValueKind.Object } found)
                {
                    return (e, changes, found);
                }
            }

            Assert.True(DateTime.UtcNow < deadline, $"No permission-failure event of {actor} after 30 s.");
            await Task.Delay(200);
        }
    }

    [ServerFact]
    public async Task PermissionFailures_OfTheApiAndThePages_AreCountedPerActorAndWindow_NotWrittenOneByOne()
    {
        var before = await HeadAsync();
        var api = server.Client(SecurityTestSettings.DenialProbeKey);
        for (var i = 0; i < 40; i++)
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await api.PostJsonAsync("/api/trials", new { })).StatusCode);
        }

        var pages = await PageSignIn.SignedInClientAsync(server, SecurityTestSettings.DenialProbeKey);
        for (var i = 0; i < 10; i++)
        {
            var denied = await pages.GetAsync(new Uri("/admin/audit", UriKind.Relative));
            Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
            Assert.StartsWith("/denied", denied.Headers.Location?.AbsolutePath ?? denied.Headers.Location?.OriginalString, StringComparison.Ordinal);
        }

        // Counts are written once their window has closed.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        List<TrialManager.Infrastructure.Auditing.AuditEvent> events;
        while (true)
        {
            events = await server.WithDbAsync(db => db.AuditEvents.AsNoTracking()
                .Where(e => e.Sequence > before && e.Action == "permissionDenied" && e.Actor == SecurityTestSettings.DenialProbeName).ToListAsync());
            var counted = events.Sum(e => JsonDocument.Parse(e.Changes).RootElement.TryGetProperty("count", out var n) ? n.GetInt32() : 1);
            if (counted >= 50)
            {
                Assert.Equal(50, counted);
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{counted} of 50 permission failures written after 30 s.");
            await Task.Delay(200);
        }

        Assert.InRange(events.Count, 1, 4);
        var denials = events.SelectMany(e => JsonDocument.Parse(e.Changes).RootElement.GetProperty("denials").EnumerateArray()
                .Select(d => (Method: d.GetProperty("method").GetString(), Route: d.GetProperty("route").GetString(), Count: d.GetProperty("count").GetInt32())))
            .GroupBy(d => (d.Method, d.Route)).ToDictionary(g => g.Key, g => g.Sum(d => d.Count));
        Assert.Equal(40, denials[("POST", "/api/trials/")]);
        Assert.Equal(10, denials.Single(d => d.Key.Method == "GET" && d.Key.Route!.Contains("admin/audit", StringComparison.OrdinalIgnoreCase)).Value);
        Assert.All(events, e => Assert.Equal("ethics", e.Role));
    }

    [ServerFact]
    public async Task TrialConfigurationChanges_AreAudited()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);

        var actions = await server.WithDbAsync(db => db.AuditEvents.Where(e => e.TrialId == trialId).OrderBy(e => e.Sequence).Select(e => e.Action).ToListAsync());

        Assert.Equal(["CreateTrial", "ChangeTrialStatus"], actions);
    }

    [ServerFact]
    public async Task Verify_DetectsEditedDeletedAndReorderedEvents_DirectlyInTheDatabase()
    {
        // Some events to tamper with, and some after them.
        await TestTrials.CreateAsync(server, recruiting: true);
        var middle = await HeadAsync() - 1;
        await TestTrials.CreateAsync(server, recruiting: true);
        Assert.True((await VerifyAsync()).GetProperty("valid").GetBoolean());

        await TamperAsync([middle], $"UPDATE \"AuditEvents\" SET \"Changes\" = '[]' WHERE \"Sequence\" = {middle}", expectedBreak: middle);
        await TamperAsync([middle], $"DELETE FROM \"AuditEvents\" WHERE \"Sequence\" = {middle}", expectedBreak: middle + 1);
        await TamperAsync([middle, middle + 1],
            $"UPDATE \"AuditEvents\" SET \"Sequence\" = -1 WHERE \"Sequence\" = {middle};" +
            $"UPDATE \"AuditEvents\" SET \"Sequence\" = {middle} WHERE \"Sequence\" = {middle + 1};" +
            $"UPDATE \"AuditEvents\" SET \"Sequence\" = {middle + 1} WHERE \"Sequence\" = -1;",
            expectedBreak: middle);
        // The server shared with other test classes may still be rendering their documents, each an appended
        // event: a tail deleted under a new append is a middle deletion (caught, but one sequence later).
        var last = await QuietHeadAsync();
        await TamperAsync([last], $"DELETE FROM \"AuditEvents\" WHERE \"Sequence\" = {last}", expectedBreak: last);

        Assert.True((await VerifyAsync()).GetProperty("valid").GetBoolean());
    }

    [ServerFact]
    public async Task Verify_StaysValidWhileOtherRequestsAppendEvents()
    {
        // Each verification streams the whole trail while trials are being created; appends that land
        // during the stream must not read as a tampered tail.
        using var writing = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!writing.IsCancellationRequested)
            {
                await TestTrials.CreateAsync(server, recruiting: true);
            }
        })).ToList();
        try
        {
            for (var i = 0; i < 30; i++)
            {
                var verification = await VerifyAsync();
                Assert.True(verification.GetProperty("valid").GetBoolean(), verification.ToString());
            }
        }
        finally
        {
            await writing.CancelAsync();
            await Task.WhenAll(writers);
        }

        Assert.True((await VerifyAsync()).GetProperty("valid").GetBoolean());
    }

    [ServerFact]
    public async Task Verify_DetectsAnEventAddedBeyondTheHead()
    {
        await TestTrials.CreateAsync(server, recruiting: true);
        var last = await HeadAsync();
        const string columns = "\"OccurredAt\", \"Actor\", \"Role\", \"Action\", \"TrialId\", \"RecordType\", \"RecordId\", \"Changes\", \"PreviousHash\", \"Hash\"";
        await server.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(
            $"INSERT INTO \"AuditEvents\" (\"Sequence\", {columns}) SELECT \"Sequence\" + 1000000, {columns} FROM \"AuditEvents\" WHERE \"Sequence\" = {last}"));
        try
        {
            var verification = await VerifyAsync();
            Assert.False(verification.GetProperty("valid").GetBoolean());
            Assert.Equal("an event lies beyond the recorded head; it was added outside the trail",
                verification.GetProperty("firstBroken").GetProperty("problem").GetString());
        }
        finally
        {
            await server.WithDbAsync(db => db.Database.ExecuteSqlRawAsync($"DELETE FROM \"AuditEvents\" WHERE \"Sequence\" >= 1000000"));
        }

        Assert.True((await VerifyAsync()).GetProperty("valid").GetBoolean());
    }

    [ServerFact]
    public Task Verify_DetectsARewrite_WhoseHashesAndLaterLinksWereRecomputedWithoutTheKey() =>
        RewriteWithoutTheKeyAsync(markUnkeyed: false, "its content does not match its hash; it was edited");

    [ServerFact]
    public Task Verify_DetectsARewrite_PassedOffAsEventsWrittenBeforeTheChainWasKeyed() =>
        RewriteWithoutTheKeyAsync(markUnkeyed: true, "it is not keyed although an earlier event is; it was rewritten without the key");

    private async Task RewriteWithoutTheKeyAsync(bool markUnkeyed, string problem)
    {
        await TestTrials.CreateAsync(server, recruiting: true);
        await TestTrials.CreateAsync(server, recruiting: true);
        var last = await QuietHeadAsync();
        var first = last - 2;
        var backup = "audit_backup_" + Guid.NewGuid().ToString("N")[..8];
        var head = await server.WithDbAsync(db => db.AuditChainHeads.AsNoTracking().SingleAsync());
        await server.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(
            $"CREATE TABLE {backup} AS SELECT * FROM \"AuditEvents\" WHERE \"Sequence\" >= {first} AND \"Sequence\" <= {last}"));
        try
        {
            // What anyone with write access to the database can do: edit an event, then recompute its hash, every later
            // link and the head with the published (unkeyed) algorithm.
            await server.WithDbAsync(async db =>
            {
                var events = await db.AuditEvents.AsNoTracking().Where(e => e.Sequence >= first && e.Sequence <= last).OrderBy(e => e.Sequence).ToListAsync();
                var previous = events[0].PreviousHash;
                foreach (var e in events)
                {
                    var entry = e.Sequence == first ? e.ToEntry() with { Changes = "[]" } : e.ToEntry();
                    var hash = AuditChain.Hash(e.Sequence, previous, entry);
                    await db.Database.ExecuteSqlRawAsync(
                        "UPDATE \"AuditEvents\" SET \"Changes\" = {0}, \"PreviousHash\" = {1}, \"Hash\" = {2}, \"HashVersion\" = {3} WHERE \"Sequence\" = {4}",
                        entry.Changes, previous, hash, markUnkeyed ? AuditChain.PlainVersion : e.HashVersion, e.Sequence);
                    previous = hash;
                }

                return await db.Database.ExecuteSqlRawAsync("UPDATE \"AuditChainHead\" SET \"LastHash\" = {0}", previous);
            });

            var verification = await VerifyAsync();
            Assert.False(verification.GetProperty("valid").GetBoolean(), verification.ToString());
            Assert.Equal(first, verification.GetProperty("firstBroken").GetProperty("sequence").GetInt64());
            Assert.Equal(problem, verification.GetProperty("firstBroken").GetProperty("problem").GetString());
        }
        finally
        {
            await server.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(
                $"DELETE FROM \"AuditEvents\" WHERE \"Sequence\" >= {first} AND \"Sequence\" <= {last}; INSERT INTO \"AuditEvents\" SELECT * FROM {backup}; DROP TABLE {backup};"));
            await server.WithDbAsync(db => db.Database.ExecuteSqlRawAsync("UPDATE \"AuditChainHead\" SET \"LastHash\" = {0}", head.LastHash));
        }

        Assert.True((await VerifyAsync()).GetProperty("valid").GetBoolean());
    }

    [ServerFact]
    public async Task AdminAuditPage_VerifiesTheWholeChainOnRequestOnly()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        var admin = await PageSignIn.SignedInClientAsync(server, "dev-admin");

        var browsing = await admin.GetStringAsync(new Uri($"/admin/audit?trialId={trialId}", UriKind.Relative));
        var verified = await admin.GetStringAsync(new Uri($"/admin/audit?trialId={trialId}&verify=true", UriKind.Relative));

        Assert.Contains("CreateTrial", browsing, StringComparison.Ordinal);
        Assert.DoesNotContain("Hash chain:", browsing, StringComparison.Ordinal);
        Assert.Contains("Verify the hash chain", browsing, StringComparison.Ordinal);
        Assert.Contains("Hash chain:", verified, StringComparison.Ordinal);
        Assert.Contains("intact", verified, StringComparison.Ordinal);
    }

    /// <summary>The head once nothing has appended to the trail for a second (background jobs done).</summary>
    private async Task<long> QuietHeadAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        var head = await HeadAsync();
        var quietSince = DateTime.UtcNow;
        while (DateTime.UtcNow - quietSince < TimeSpan.FromSeconds(1))
        {
            Assert.True(DateTime.UtcNow < deadline, "The audit trail kept growing for two minutes.");
            await Task.Delay(100);
            var now = await HeadAsync();
            if (now != head)
            {
                (head, quietSince) = (now, DateTime.UtcNow);
            }
        }

        return head;
    }

    private async Task<JsonElement> VerifyAsync()
    {
        var response = await server.Admin.GetAsync("/api/audit/verify");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.JsonAsync();
    }

    /// <summary>Backs the rows up, tampers, checks verify names the first broken event, then restores the rows exactly.</summary>
    private async Task TamperAsync(long[] sequences, string tamper, long expectedBreak)
    {
        var backup = "audit_backup_" + Guid.NewGuid().ToString("N")[..8];
        var list = string.Join(",", sequences);
        await server.WithDbAsync(db => db.Database.ExecuteSqlRawAsync($"CREATE TABLE {backup} AS SELECT * FROM \"AuditEvents\" WHERE \"Sequence\" IN ({list})"));
        try
        {
            await server.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(tamper));
            var verification = await VerifyAsync();
            Assert.False(verification.GetProperty("valid").GetBoolean(), tamper);
            Assert.Equal(expectedBreak, verification.GetProperty("firstBroken").GetProperty("sequence").GetInt64());
        }
        finally
        {
            await server.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(
                $"DELETE FROM \"AuditEvents\" WHERE \"Sequence\" IN ({list}) OR \"Sequence\" = -1; INSERT INTO \"AuditEvents\" SELECT * FROM {backup}; DROP TABLE {backup};"));
        }

        Assert.True((await VerifyAsync()).GetProperty("valid").GetBoolean());
    }
}

[Collection(SqliteServerCollection.Name)]
public sealed class AuditSecurityTests_Sqlite(SqliteTrialServer server) : AuditSecurityTests(server);

[Collection(PostgresServerCollection.Name)]
public sealed class AuditSecurityTests_Postgres(PostgresTrialServer server) : AuditSecurityTests(server), IRunsOnPostgres;
