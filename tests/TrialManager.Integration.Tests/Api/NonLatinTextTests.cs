using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using TrialManager.Integration.Tests.Harness;

namespace TrialManager.Integration.Tests.Api;

/// <summary>
/// Issue 13, major 8: every free-text field the API takes holds text of its full length in any script, and the audit
/// event that records it stores the text as itself (not six characters of \uXXXX escape per letter).
/// </summary>
public abstract class NonLatinTextTests(TrialServer server)
{
    [ServerFact]
    public Task EveryFreeTextField_TakesItsFullLengthInGreek_AndTheTrailStoresItAsWritten() =>
        EveryFreeTextFieldAsync("Η συμμαχία θεραπευτή και ασθενούς άλλαξε μετά την τρίτη συνεδρία.");

    [ServerFact]
    public Task EveryFreeTextField_TakesItsFullLengthInChinese_AndTheTrailStoresItAsWritten() =>
        EveryFreeTextFieldAsync("治疗联盟在第三次会谈后发生了变化，患者报告头痛。");

    private async Task EveryFreeTextFieldAsync(string script)
    {
        var title = Fill(script, 200);
        var registration = Fill(script, 40);
        var rationale = Fill(script, 4_000);
        var description = Fill(script, 4_000);
        var reason = Fill(script, 2_000);

        var definition = TestTrials.Definition();
        definition["title"] = title;
        definition["registration"] = registration;
        var trialId = (string)definition["id"]!;
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Admin.PostJsonAsync("/api/trials", definition));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await server.Admin.PostJsonAsync($"/api/trials/{trialId}/status", new { status = "recruiting" }));

        var id = await TestTrials.FormulatedParticipantAsync(server, trialId);
        var scores = new { cognitive = 4, interpersonal = 1, behavioral = 0, environmental = 0 };
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await server.Coordinator.PostJsonAsync($"/api/participants/{id}/formulations",
            new { rater = "R02", scores, consensus = false, rationale }));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Coordinator.PostJsonAsync($"/api/participants/{id}/events",
            TestEvents.Body("adverseEvent", "2026-11-21", description)));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await server.Coordinator.PostJsonAsync($"/api/participants/{id}/withdrawal",
            new { category = "adverseEvent", reason }));

        var trial = await (await server.Admin.GetAsync($"/api/trials/{trialId}")).JsonAsync();
        Assert.Equal(title, trial.GetProperty("title").GetString());
        Assert.Equal(registration, trial.GetProperty("registration").GetString());
        var participant = await (await server.Coordinator.GetAsync($"/api/participants/{id}")).JsonAsync();
        Assert.Equal(rationale, participant.GetProperty("ratings")[1].GetProperty("rationale").GetString());
        Assert.Equal(description, participant.GetProperty("events")[0].GetProperty("description").GetString());
        Assert.Equal(reason, participant.GetProperty("withdrawal").GetProperty("reason").GetString());

        var stored = await server.WithDbAsync(db => db.AuditEvents.Where(e => e.TrialId == trialId).Select(e => e.Changes).ToListAsync());
        foreach (var text in new[] { title, registration, rationale, description, reason })
        {
            Assert.Contains(stored, changes => changes.Contains(text, StringComparison.Ordinal));
        }

        var verification = await (await server.Admin.GetAsync("/api/audit/verify")).JsonAsync();
        Assert.True(verification.GetProperty("valid").GetBoolean(), verification.ToString());
        var trail = await (await server.Admin.GetAsync($"/api/audit?trialId={trialId}")).JsonAsync();
        Assert.Contains(trail.EnumerateArray(), e => e.GetProperty("changes").GetString()!.Contains(description, StringComparison.Ordinal));
    }

    /// <summary>The script repeated to exactly <paramref name="length"/> characters, ending on a letter (the server trims text).</summary>
    private static string Fill(string script, int length)
    {
        var text = string.Concat(Enumerable.Repeat(script, (length / script.Length) + 1))[..length];
        return char.IsWhiteSpace(text[^1]) ? text[..^1] + script[0] : text;
    }
}

[Collection(SqliteServerCollection.Name)]
public sealed class NonLatinTextTests_Sqlite(SqliteTrialServer server) : NonLatinTextTests(server);

[Collection(PostgresServerCollection.Name)]
public sealed class NonLatinTextTests_Postgres(PostgresTrialServer server) : NonLatinTextTests(server), IRunsOnPostgres;
