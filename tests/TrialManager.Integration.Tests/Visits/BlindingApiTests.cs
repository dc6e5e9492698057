using System.Net;
using Microsoft.EntityFrameworkCore;
using TrialManager.Integration.Tests.Api;
using TrialManager.Integration.Tests.Documents;
using TrialManager.Integration.Tests.Harness;

namespace TrialManager.Integration.Tests.Visits;

/// <summary>
/// Issue 17, blinding of assessors: an unblinding tells one person the arm, for a reason, on the record; an assessor's
/// guess at the last visit; the DSMB's summary with Bang's blinding index per arm.
/// </summary>
public abstract class BlindingApiTests(TrialServer server)
{
    private HttpClient Assessor => server.Client("dev-assessor");

    private Task BackdateAsync(string participantId, int days) => VisitApiTests.BackdateAsync(server, participantId, days);

    [ServerFact]
    public async Task Unblinding_TellsTheAssessorTheArm_WithAReason_OnTheRecord_AndTheirOtherViewsStayBlind()
    {
        var trialId = await VisitApiTests.ScheduledTrialAsync(server);
        var allocation = await DocumentSupport.RandomizedParticipantAsync(server, trialId);
        var id = allocation.GetProperty("participantId").GetString()!;
        var arm = allocation.GetProperty("arm").GetString()!;
        var path = $"/api/participants/{id}/unblinding";

        (await ProblemAssertions.Assert400Async(await Assessor.PostJsonAsync(path, new { }))).AssertNames("reason");
        (await ProblemAssertions.Assert400Async(await Assessor.PostJsonAsync(path, new { reason = "  " }))).AssertNames("reason");
        var formulated = await TestTrials.FormulatedParticipantAsync(server, trialId);
        await ProblemAssertions.AssertConflictNamingAsync(await Assessor.PostJsonAsync($"/api/participants/{formulated}/unblinding", new { reason = "why" }), "formulated");
        Assert.Equal(0, await server.WithDbAsync(db => db.Unblindings.CountAsync(u => u.TrialId == trialId)));

        var unblinded = await Assessor.PostJsonAsync(path, new { reason = "serious event: the treating psychiatrist needs the arm" });
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, unblinded);
        var answer = await unblinded.JsonAsync();
        Assert.Equal((id, arm, "dev-assessor"), (answer.GetProperty("participantId").GetString(), answer.GetProperty("arm").GetString(), answer.GetProperty("unblindedBy").GetString()));

        var row = Assert.Single(await server.WithDbAsync(db => db.Unblindings.Where(u => u.TrialId == trialId).ToListAsync()));
        Assert.Equal((id, "dev-assessor", "assessor", "serious event: the treating psychiatrist needs the arm"), (row.ParticipantId, row.UnblindedBy, row.Role, row.Reason));

        // Audited: the admin's trail has the event with who and why.
        var trail = await (await server.Admin.GetAsync($"/api/audit?trialId={trialId}&limit=1000")).JsonAsync();
        var audited = trail.EnumerateArray().Single(e => e.GetProperty("action").GetString() == "UnblindParticipant");
        Assert.Equal("dev-assessor", audited.GetProperty("actor").GetString());
        Assert.Contains("treating psychiatrist", audited.GetProperty("changes").GetString(), StringComparison.Ordinal);

        // The answer was the one place: the assessor's views of the participant stay blind.
        var measures = await (await Assessor.GetAsync($"/api/participants/{id}/measures")).Content.ReadAsStringAsync();
        var due = await (await Assessor.GetAsync($"/api/trials/{trialId}/visits/due")).Content.ReadAsStringAsync();
        Assert.DoesNotContain(arm, measures + due, StringComparison.OrdinalIgnoreCase);

        // An unblinded assessor's guess would test nothing.
        await BackdateAsync(id, 80);
        await ProblemAssertions.AssertConflictNamingAsync(await Assessor.PostJsonAsync($"/api/participants/{id}/blinding-guess", new { guess = "dontKnow" }), "unblinding");

        // The DSMB reads the unblinding with its reason; an admin may unblind too.
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Admin.PostJsonAsync(path, new { reason = "emergency" }));
        var summary = await (await server.Client("dev-dsmb").GetAsync($"/api/trials/{trialId}/blinding")).JsonAsync();
        Assert.Equal([("dev-assessor", "assessor"), ("dev-admin", "admin")],
            summary.GetProperty("unblindings").EnumerateArray().Select(u => (u.GetProperty("unblindedBy").GetString(), u.GetProperty("role").GetString())));
        Assert.All(summary.GetProperty("unblindings").EnumerateArray(), u => Assert.Equal(arm, u.GetProperty("arm").GetString()));

        // Only the board's view names the arm revealed: the admin's trail of the unblindings still names none.
        var trailAfter = await (await server.Admin.GetAsync($"/api/audit?trialId={trialId}&limit=1000")).JsonAsync();
        Assert.All(trailAfter.EnumerateArray().Where(e => e.GetProperty("action").GetString() == "UnblindParticipant"),
            e => Assert.DoesNotContain(arm, e.GetProperty("changes").GetString(), StringComparison.OrdinalIgnoreCase));
    }

    [ServerFact]
    public async Task BlindingGuess_AtTheLastVisit_OncePerAssessor_GivesTheDsmbBangsIndexPerArm()
    {
        var trialId = await VisitApiTests.ScheduledTrialAsync(server);
        var participants = new List<(string Id, string Arm)>();
        for (var i = 0; i < 6; i++)
        {
            var allocation = await DocumentSupport.RandomizedParticipantAsync(server, trialId, lead: i % 2 == 0 ? "cognitive" : "interpersonal");
            participants.Add((allocation.GetProperty("participantId").GetString()!, allocation.GetProperty("arm").GetString()!));
        }

        string Guess(int i) => $"/api/participants/{participants[i].Id}/blinding-guess";
        static string Other(string arm) => arm == "mediator" ? "moderator" : "mediator";

        // Before the last visit (followUp3m, day 90, window 14) has opened: a conflict naming the visit.
        await ProblemAssertions.AssertConflictNamingAsync(await Assessor.PostJsonAsync(Guess(0), new { guess = "dontKnow" }), "followUp3m");
        foreach (var (id, _) in participants)
        {
            await BackdateAsync(id, 80);
        }

        (await ProblemAssertions.Assert400Async(await Assessor.PostJsonAsync(Guess(0), new { }))).AssertNames("guess");
        (await ProblemAssertions.Assert400Async(await Assessor.PostJsonAsync(Guess(0), new { guess = "placebo" }))).AssertNames("guess");
        (await ProblemAssertions.Assert400Async(await Assessor.PostJsonAsync(Guess(0), new { guess = "comparator" }))).AssertNames("guess");

        // Right, wrong, don't know, right, wrong, don't know: per arm, whatever the allocation made of them.
        string[] guesses = [participants[0].Arm, Other(participants[1].Arm), "dontKnow", participants[3].Arm, Other(participants[4].Arm), "dontKnow"];
        for (var i = 0; i < guesses.Length; i++)
        {
            var recorded = await Assessor.PostJsonAsync(Guess(i), new { guess = guesses[i] });
            await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, recorded);
            var text = await recorded.Content.ReadAsStringAsync();
            Assert.DoesNotContain("correct", text, StringComparison.OrdinalIgnoreCase);
            Assert.Equal(guesses[i], (await recorded.JsonAsync()).GetProperty("guess").GetString());
        }

        await ProblemAssertions.AssertConflictNamingAsync(await Assessor.PostJsonAsync(Guess(0), new { guess = "dontKnow" }), "already recorded");
        Assert.Equal(6, await server.WithDbAsync(db => db.BlindingGuesses.CountAsync(g => g.TrialId == trialId)));

        var summary = await (await server.Client("dev-dsmb").GetAsync($"/api/trials/{trialId}/blinding")).JsonAsync();
        Assert.Equal(6, summary.GetProperty("guesses").GetInt32());
        foreach (var arm in new[] { "mediator", "moderator" })
        {
            var about = Enumerable.Range(0, 6).Where(i => participants[i].Arm == arm).ToList();
            var correct = about.Count(i => guesses[i] == arm);
            var incorrect = about.Count(i => guesses[i] != arm && guesses[i] != "dontKnow");
            var row = summary.GetProperty("arms").EnumerateArray().Single(a => a.GetProperty("arm").GetString() == arm);
            Assert.Equal((about.Count, correct, incorrect, about.Count - correct - incorrect),
                (row.GetProperty("guesses").GetInt32(), row.GetProperty("correct").GetInt32(), row.GetProperty("incorrect").GetInt32(), row.GetProperty("dontKnow").GetInt32()));
            if (about.Count == 0)
            {
                Assert.Equal(System.Text.Json.JsonValueKind.Null, row.GetProperty("index").ValueKind);
            }
            else
            {
                Assert.Equal((double)(correct - incorrect) / about.Count, row.GetProperty("index").GetDouble(), 12);
            }
        }

        Assert.Equal(HttpStatusCode.Forbidden, (await server.Ethics.GetAsync($"/api/trials/{trialId}/blinding")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Assessor.GetAsync($"/api/trials/{trialId}/blinding")).StatusCode);
    }
}

[Collection(SqliteServerCollection.Name)]
public sealed class BlindingApiTests_Sqlite(SqliteTrialServer server) : BlindingApiTests(server);

[Collection(PostgresServerCollection.Name)]
public sealed class BlindingApiTests_Postgres(PostgresTrialServer server) : BlindingApiTests(server), IRunsOnPostgres;
