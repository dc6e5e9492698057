using System.Globalization;
using System.Net;
using System.Text.Json;
using TrialManager.Integration.Tests.Api;
using TrialManager.Integration.Tests.Documents;
using TrialManager.Integration.Tests.Harness;

namespace TrialManager.Integration.Tests.Therapy;

/// <summary>Therapists, their participants and sessions, and treatment stop (intention to treat) over HTTP.</summary>
public abstract class TherapyApiTests(TrialServer server)
{
    private static readonly string Today = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private HttpClient Therapist => server.Client("dev-therapist");

    private async Task RegisterAsync(string trialId, string code, string site, params string[] arms) =>
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Admin.PostJsonAsync($"/api/trials/{trialId}/therapists", new { code, site, arms }));

    private async Task<(string Id, string Arm)> RandomizedAsync(string trialId, string site = "AAA")
    {
        var randomized = await DocumentSupport.RandomizedParticipantAsync(server, trialId, site);
        return (randomized.GetProperty("participantId").GetString()!, randomized.GetProperty("arm").GetString()!);
    }

    [ServerFact]
    public async Task AssignTherapist_OfAnotherSiteOrArm_Is409_AnUnknownOneA400_AndBeforeRandomizationA409()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        var (id, arm) = await RandomizedAsync(trialId);
        var otherArm = arm == "mediator" ? "moderator" : "mediator";
        await RegisterAsync(trialId, "T-elsewhere", "BBB", "mediator", "moderator");
        await RegisterAsync(trialId, "T-other-arm", "AAA", otherArm);
        await RegisterAsync(trialId, "T-right", "AAA", arm);

        await ProblemAssertions.AssertConflictNamingAsync(await server.Coordinator.PostJsonAsync($"/api/participants/{id}/therapist", new { therapist = "T-elsewhere" }), "works at site BBB");
        await ProblemAssertions.AssertConflictNamingAsync(await server.Coordinator.PostJsonAsync($"/api/participants/{id}/therapist", new { therapist = "T-other-arm" }), $"allocated to {arm}");
        (await ProblemAssertions.Assert400Async(await server.Coordinator.PostJsonAsync($"/api/participants/{id}/therapist", new { therapist = "T-nobody" }))).AssertNames("therapist");
        Assert.Equal(JsonValueKind.Null, (await (await server.Coordinator.GetAsync($"/api/participants/{id}")).JsonAsync()).GetProperty("therapist").ValueKind);

        var assigned = await server.Coordinator.PostJsonAsync($"/api/participants/{id}/therapist", new { therapist = "T-right" });
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, assigned);
        Assert.Equal("T-right", (await assigned.JsonAsync()).GetProperty("therapist").GetString());

        var notYet = await TestTrials.FormulatedParticipantAsync(server, trialId);
        await ProblemAssertions.AssertConflictNamingAsync(await server.Coordinator.PostJsonAsync($"/api/participants/{notYet}/therapist", new { therapist = "T-right" }), "formulated");

        // Registering: sites and arms of the trial only, once per code.
        (await ProblemAssertions.Assert400Async(await server.Admin.PostJsonAsync($"/api/trials/{trialId}/therapists", new { code = "T-x", site = "ZZZ", arms = new[] { "mediator" } }))).AssertNames("site");
        (await ProblemAssertions.Assert400Async(await server.Admin.PostJsonAsync($"/api/trials/{trialId}/therapists", new { code = "T-x", site = "AAA", arms = new[] { "comparator" } }))).AssertNames("arms");
        (await ProblemAssertions.Assert400Async(await server.Admin.PostJsonAsync($"/api/trials/{trialId}/therapists", new { code = "T-x", site = "AAA" }))).AssertNames("arms");
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Conflict, await server.Admin.PostJsonAsync($"/api/trials/{trialId}/therapists", new { code = "T-right", site = "AAA", arms = new[] { arm } }));
    }

    [ServerFact]
    public async Task Therapist_SeesAndRecordsOnlyTheirOwnParticipants_WithoutTheCoordinatorsPrivateNotes()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        await RegisterAsync(trialId, "dev-therapist", "AAA", "mediator", "moderator");
        await RegisterAsync(trialId, "T-colleague", "AAA", "mediator", "moderator");
        var (mine, _) = await RandomizedAsync(trialId);
        var (theirs, _) = await RandomizedAsync(trialId);
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await server.Coordinator.PostJsonAsync($"/api/participants/{mine}/therapist", new { therapist = "dev-therapist" }));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await server.Coordinator.PostJsonAsync($"/api/participants/{theirs}/therapist", new { therapist = "T-colleague" }));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await server.Coordinator.PostJsonAsync($"/api/participants/{mine}/treatment-stop",
            new { category = "participantChoice", note = "private: family reasons" }));

        var record = await Therapist.GetAsync($"/api/participants/{mine}");
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, record);
        var body = await record.JsonAsync();
        Assert.Equal("followUp", body.GetProperty("status").GetString());
        Assert.Equal("participantChoice", body.GetProperty("treatmentStop").GetProperty("category").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("treatmentStop").GetProperty("note").ValueKind);
        Assert.Equal("private: family reasons",
            (await (await server.Coordinator.GetAsync($"/api/participants/{mine}")).JsonAsync()).GetProperty("treatmentStop").GetProperty("note").GetString());

        // Another therapist's participant does not exist for this key: the same 404 as an unknown id.
        Assert.Equal(HttpStatusCode.NotFound, (await Therapist.GetAsync($"/api/participants/{theirs}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Therapist.GetAsync($"/api/participants/{theirs}/protocol-document")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Therapist.PostJsonAsync($"/api/participants/{theirs}/sessions", new { number = 1, date = Today, attendance = "attended" })).StatusCode);
        var (pdf, _) = await DocumentSupport.WaitForProtocolDocumentAsync(Therapist, mine, TimeSpan.FromSeconds(60));
        Assert.True(new PdfText(pdf).Contains(mine));

        var list = await (await Therapist.GetAsync("/api/therapists/me/participants?limit=1000")).JsonAsync();
        // The demo therapist treats in other tests' trials too: this trial's part of the list is just their own.
        Assert.Equal([mine], list.EnumerateArray().Where(p => p.GetProperty("trialId").GetString() == trialId).Select(p => p.GetProperty("id").GetString()));
        Assert.DoesNotContain(theirs, list.EnumerateArray().Select(p => p.GetProperty("id").GetString()));

        // Coordinator-only and statistician routes stay closed to a therapist.
        Assert.Equal(HttpStatusCode.Forbidden, (await Therapist.GetAsync($"/api/trials/{trialId}/participants")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Therapist.GetAsync($"/api/trials/{trialId}/allocations")).StatusCode);
    }

    [ServerFact]
    public async Task Sessions_OncePerNumber_ByTheTherapistOrACoordinator_AndBadInputIsA400()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        await RegisterAsync(trialId, "dev-therapist", "AAA", "mediator", "moderator");
        var (id, _) = await RandomizedAsync(trialId);
        var path = $"/api/participants/{id}/sessions";

        await ProblemAssertions.AssertConflictNamingAsync(await server.Coordinator.PostJsonAsync(path, new { number = 1, date = Today, attendance = "attended" }), "No therapist");
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await server.Coordinator.PostJsonAsync($"/api/participants/{id}/therapist", new { therapist = "dev-therapist" }));

        var first = await Therapist.PostJsonAsync(path, new { number = 1, date = Today, attendance = "attended" });
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, first);
        Assert.Equal("dev-therapist", (await first.JsonAsync()).GetProperty("recordedBy").GetString());
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Coordinator.PostJsonAsync(path, new { number = 2, date = Today, attendance = "noShow" }));
        await ProblemAssertions.AssertConflictNamingAsync(await Therapist.PostJsonAsync(path, new { number = 1, date = Today, attendance = "cancelled" }), "already recorded");

        (await ProblemAssertions.Assert400Async(await Therapist.PostJsonAsync(path, new { number = 3, date = Today, attendance = "present" }))).AssertNames("attendance");
        (await ProblemAssertions.Assert400Async(await Therapist.PostJsonAsync(path, new { date = Today, attendance = "attended" }))).AssertNames("number");
        (await ProblemAssertions.Assert400Async(await Therapist.PostJsonAsync(path, new { number = 3, date = "2020-01-01", attendance = "attended" }))).AssertNames("date");
        (await ProblemAssertions.Assert400Async(await Therapist.PostJsonAsync(path, new { number = 3, attendance = "attended" }))).AssertNames("date");

        var sessions = (await (await server.Coordinator.GetAsync($"/api/participants/{id}")).JsonAsync()).GetProperty("sessions");
        Assert.Equal([1, 2], sessions.EnumerateArray().Select(s => s.GetProperty("number").GetInt32()));
        Assert.Equal(["attended", "noShow"], sessions.EnumerateArray().Select(s => s.GetProperty("attendance").GetString()));
    }

    [ServerFact]
    public async Task TreatmentStop_KeepsTheParticipantInFollowUp_AndTheConsortFlowSeparatesStoppedLostAndWithdrawn()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        var participants = new List<(string Id, string Arm)>();
        for (var i = 0; i < 4; i++)
        {
            participants.Add(await RandomizedAsync(trialId));
        }

        var (stopped, stoppedArm) = participants[0];
        var (lost, lostArm) = participants[1];
        var (withdrew, withdrewArm) = participants[2];
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await server.Coordinator.PostJsonAsync($"/api/participants/{stopped}/treatment-stop", new { category = "adverseEvent" }));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Conflict, await server.Coordinator.PostJsonAsync($"/api/participants/{stopped}/treatment-stop", new { category = "other" }));
        (await ProblemAssertions.Assert400Async(await server.Coordinator.PostJsonAsync($"/api/participants/{lost}/treatment-stop", new { category = "bored" }))).AssertNames("category");
        (await ProblemAssertions.Assert400Async(await server.Coordinator.PostJsonAsync($"/api/participants/{lost}/treatment-stop", new { note = "no category" }))).AssertNames("category");
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await server.Coordinator.PostJsonAsync($"/api/participants/{lost}/withdrawal", new { category = "lostToFollowUp" }));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await server.Coordinator.PostJsonAsync($"/api/participants/{withdrew}/withdrawal", new { category = "withdrewConsent" }));

        var consort = await (await server.Statistician.GetAsync($"/api/trials/{trialId}/consort")).JsonAsync();
        int Arm(string block, string arm) => consort.GetProperty(block).GetProperty(arm).GetInt32();
        int Sum(string block) => consort.GetProperty(block).EnumerateObject().Sum(p => p.Value.GetInt32());
        Assert.Equal(1, Arm("stoppedTreatment", stoppedArm));
        Assert.Equal(1, Sum("stoppedTreatment"));
        Assert.Equal(1, Arm("lostToFollowUp", lostArm));
        Assert.Equal(1, Sum("lostToFollowUp"));
        Assert.Equal(2, Sum("withdrawn"));
        // Intention to treat: the stopped participant is analysed; the lost one and the one who withdrew consent are not.
        Assert.Equal(2, Sum("analysed"));
        Assert.Equal(4, Sum("allocated"));
        Assert.Equal(0, consort.GetProperty("awaitingRandomization").GetInt32());
        _ = withdrewArm;

        // Follow-up goes on: completion after a treatment stop.
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await server.Coordinator.PostJsonAsync($"/api/participants/{stopped}/completion", null));
    }

    [ServerFact]
    public async Task Caseloads_CountEachTherapistsParticipantsByArm_AndNameTheDesign()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        await RegisterAsync(trialId, "T-med", "AAA", "mediator");
        await RegisterAsync(trialId, "T-mod", "AAA", "moderator");
        var arms = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var (id, arm) = await RandomizedAsync(trialId);
            arms.Add(arm);
            await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await server.Coordinator.PostJsonAsync($"/api/participants/{id}/therapist",
                new { therapist = arm == "mediator" ? "T-med" : "T-mod" }));
        }

        var caseloads = await (await server.Statistician.GetAsync($"/api/trials/{trialId}/caseloads")).JsonAsync();

        Assert.Equal("nested", caseloads.GetProperty("design").GetString());
        Assert.Equal("nested", caseloads.GetProperty("observedDesign").GetString());
        var byCode = caseloads.GetProperty("therapists").EnumerateArray().ToDictionary(t => t.GetProperty("code").GetString()!, t => t.GetProperty("caseload"));
        Assert.Equal(arms.Count(a => a == "mediator"), byCode["T-med"].GetProperty("mediator").GetInt32());
        Assert.Equal(0, byCode["T-med"].GetProperty("moderator").GetInt32());
        Assert.Equal(arms.Count(a => a == "moderator"), byCode["T-mod"].GetProperty("moderator").GetInt32());

        await RegisterAsync(trialId, "T-both", "BBB", "mediator", "moderator");
        Assert.Equal("partiallyCrossed", (await (await server.Admin.GetAsync($"/api/trials/{trialId}/caseloads")).JsonAsync()).GetProperty("design").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await server.Coordinator.GetAsync($"/api/trials/{trialId}/caseloads")).StatusCode);
    }
}

[Collection(SqliteServerCollection.Name)]
public sealed class TherapyApiTests_Sqlite(SqliteTrialServer server) : TherapyApiTests(server);

[Collection(PostgresServerCollection.Name)]
public sealed class TherapyApiTests_Postgres(PostgresTrialServer server) : TherapyApiTests(server), IRunsOnPostgres;
