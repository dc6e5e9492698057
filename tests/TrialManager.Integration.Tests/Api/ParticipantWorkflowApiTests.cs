using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using TrialManager.Integration.Tests.Harness;

namespace TrialManager.Integration.Tests.Api;

/// <summary>Consent, formulation, randomization guard, withdrawal, completion, events, the record and the list.</summary>
public abstract class ParticipantWorkflowApiTests(TrialServer server)
{
    private HttpClient Coordinator { get; } = server.Coordinator;

    [ServerFact]
    public async Task Consent_ThenConsentAgain_Is409NamingConsented()
    {
        var id = await EligibleAsync(await TrialAsync());

        var consented = await Coordinator.PostJsonAsync($"/api/participants/{id}/consent", new { consentVersion = "1.0", consentedOn = "2026-11-20" });

        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, consented);
        var body = await consented.JsonAsync();
        Assert.Equal("consented", body.GetProperty("status").GetString());
        Assert.Equal("1.0", body.GetProperty("consent").GetProperty("version").GetString());
        Assert.Equal("2026-11-20", body.GetProperty("consent").GetProperty("consentedOn").GetString());
        await ProblemAssertions.AssertConflictNamingAsync(await Coordinator.PostJsonAsync($"/api/participants/{id}/consent", new { declined = true }), "consented");
    }

    [ServerFact]
    public async Task Decline_IsFinal()
    {
        var id = await EligibleAsync(await TrialAsync());

        var declined = await Coordinator.PostJsonAsync($"/api/participants/{id}/consent", new { declined = true });

        Assert.Equal("declined", (await declined.JsonAsync()).GetProperty("status").GetString());
        await ProblemAssertions.AssertConflictNamingAsync(await Coordinator.PostJsonAsync($"/api/participants/{id}/consent", new { consentVersion = "1.0", consentedOn = "2026-11-20" }), "declined");
        await ProblemAssertions.AssertConflictNamingAsync(await Rate(id, "R01", 4, 0, 0, 0), "declined");
        await ProblemAssertions.AssertConflictNamingAsync(await Coordinator.PostJsonAsync($"/api/participants/{id}/withdrawal", new { category = "other", reason = "x" }), "declined");
    }

    [ServerFact]
    public async Task Consent_Invalid_Is400_ScreenFailed_Is409_Unknown_Is404()
    {
        var trialId = await TrialAsync();
        var id = await EligibleAsync(trialId);

        (await ProblemAssertions.Assert400Async(await Coordinator.PostJsonAsync($"/api/participants/{id}/consent", new { consentVersion = "1.0" }))).AssertNames("consentedOn");
        (await ProblemAssertions.Assert400Async(await Coordinator.PostJsonAsync($"/api/participants/{id}/consent", new { consentedOn = "2026-11-20" }))).AssertNames("consentVersion");
        (await ProblemAssertions.Assert400Async(await Coordinator.PostJsonAsync($"/api/participants/{id}/consent", new { consentVersion = "1.0", consentedOn = "2999-01-01" }))).AssertNames("consentedOn");
        (await ProblemAssertions.Assert400Async(await Coordinator.PostJsonAsync($"/api/participants/{id}/consent", new { consentVersion = "1.0", consentedOn = "2026-11-20", declined = true }))).AssertNames("consentVersion");
        (await ProblemAssertions.Assert400Async(await Coordinator.PostJsonAsync($"/api/participants/{id}/consent", new { consentVersion = "1.0", consentedOn = "20/11/2026" }))).AssertNames("consentedOn");

        var failed = (await (await Coordinator.PostJsonAsync($"/api/trials/{trialId}/participants", new { site = "AAA", ageYears = 10, severity = 15, exclusions = Array.Empty<string>() })).JsonAsync()).GetProperty("id").GetString()!;
        await ProblemAssertions.AssertConflictNamingAsync(await Coordinator.PostJsonAsync($"/api/participants/{failed}/consent", new { consentVersion = "1.0", consentedOn = "2026-11-20" }), "screenFailed");

        Assert.Equal(HttpStatusCode.NotFound, (await Coordinator.PostJsonAsync("/api/participants/nobody-AAA-0001/consent", new { declined = true })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await server.Statistician.PostJsonAsync($"/api/participants/{id}/consent", new { declined = true })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Client(null).PostJsonAsync($"/api/participants/{id}/consent", new { declined = true })).StatusCode);
    }

    [ServerFact]
    public async Task Formulation_FirstRatingDecides_SecondRaterIsKeptAndDoesNotDecide()
    {
        var id = await ConsentedAsync(await TrialAsync());

        var first = await (await Rate(id, "R01", 4, 1, 0, 0)).JsonAsync();
        Assert.Equal("formulated", first.GetProperty("status").GetString());
        Assert.Equal("cognitive", first.GetProperty("primaryFormulation").GetString());

        var second = await Rate(id, "R02", 0, 4, 0, 0);
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, second);
        var body = await second.JsonAsync();
        Assert.Equal("formulated", body.GetProperty("status").GetString());
        Assert.Equal("cognitive", body.GetProperty("primaryFormulation").GetString());
        var ratings = body.GetProperty("ratings").EnumerateArray().ToList();
        Assert.Equal(["R01", "R02"], ratings.Select(r => r.GetProperty("rater").GetString()));
        Assert.Equal("interpersonal", ratings[1].GetProperty("primary").GetString());

        (await ProblemAssertions.Assert400Async(await Rate(id, "R01", 0, 4, 0, 0))).AssertNames("rater");
    }

    [ServerFact]
    public async Task Formulation_Indeterminate_IsPendingUntilConsensus_AndCannotBeRandomizedMeanwhile()
    {
        var id = await ConsentedAsync(await TrialAsync());

        Assert.Equal("formulationPending", (await (await Rate(id, "R01", 3, 3, 0, 0)).JsonAsync()).GetProperty("status").GetString());
        await ProblemAssertions.AssertConflictNamingAsync(await Coordinator.PostJsonAsync($"/api/participants/{id}/randomization", null), "formulationPending");
        Assert.Equal("formulationPending", (await (await Rate(id, "R02", 4, 0, 0, 0)).JsonAsync()).GetProperty("status").GetString());

        var decided = await (await Rate(id, "R03", 1, 4, 0, 0, consensus: true)).JsonAsync();

        Assert.Equal("formulated", decided.GetProperty("status").GetString());
        Assert.Equal("interpersonal", decided.GetProperty("primaryFormulation").GetString());
        Assert.True(decided.GetProperty("ratings")[2].GetProperty("consensus").GetBoolean());
        var allocation = await Coordinator.PostJsonAsync($"/api/participants/{id}/randomization", null);
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, allocation);
        Assert.Contains("interpersonal", (await allocation.JsonAsync()).GetProperty("stratum").GetString(), StringComparison.Ordinal);
    }

    [ServerFact]
    public async Task Formulation_PrimaryOutsideTheTrial_IsExcludedWithTheReason()
    {
        var id = await ConsentedAsync(await TrialAsync());

        var body = await (await Rate(id, "R01", 0, 1, 4, 0)).JsonAsync();

        Assert.Equal("excluded", body.GetProperty("status").GetString());
        Assert.Equal("behavioral", body.GetProperty("primaryFormulation").GetString());
        Assert.Contains("behavioral", body.GetProperty("exclusionReason").GetString(), StringComparison.Ordinal);
        await ProblemAssertions.AssertConflictNamingAsync(await Coordinator.PostJsonAsync($"/api/participants/{id}/randomization", null), "excluded");
    }

    [ServerFact]
    public async Task Formulation_BeforeConsent_Is409_AndInvalidScores_Are400()
    {
        var id = await EligibleAsync(await TrialAsync());

        await ProblemAssertions.AssertConflictNamingAsync(await Rate(id, "R01", 4, 0, 0, 0), "eligible");
        var errors = await ProblemAssertions.Assert400Async(await Coordinator.PostJsonAsync($"/api/participants/{id}/formulations",
            new { rater = "Dr. Jane Roe", scores = new { cognitive = 5, interpersonal = -1, behavioral = 0 } }));
        foreach (var field in new[] { "rater", "scores.cognitive", "scores.interpersonal", "scores.environmental" })
        {
            errors.AssertNames(field);
        }

        (await ProblemAssertions.Assert400Async(await Coordinator.PostJsonAsync($"/api/participants/{id}/formulations", new { rater = "R01" }))).AssertNames("scores");
        Assert.Equal(HttpStatusCode.NotFound, (await Rate("nobody-AAA-0001", "R01", 4, 0, 0, 0)).StatusCode);
    }

    [ServerFact]
    public async Task Withdrawal_BeforeAndAfterRandomization_IsRecordedWithItsCategoryAndNote()
    {
        var trialId = await TrialAsync();
        var before = await TestTrials.FormulatedParticipantAsync(server, trialId);
        var after = await TestTrials.FormulatedParticipantAsync(server, trialId);
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await Coordinator.PostJsonAsync($"/api/participants/{after}/randomization", null));

        var w1 = await (await Coordinator.PostJsonAsync($"/api/participants/{before}/withdrawal", new { category = "withdrewConsent", reason = "lost interest" })).JsonAsync();
        var w2 = await (await Coordinator.PostJsonAsync($"/api/participants/{after}/withdrawal", new { category = "MovedAway" })).JsonAsync();

        Assert.Equal("withdrawn", w1.GetProperty("status").GetString());
        Assert.Equal("withdrewConsent", w1.GetProperty("withdrawal").GetProperty("category").GetString());
        Assert.Equal("lost interest", w1.GetProperty("withdrawal").GetProperty("reason").GetString());
        Assert.False(w1.GetProperty("withdrawal").GetProperty("afterAllocation").GetBoolean());
        Assert.Equal("movedAway", w2.GetProperty("withdrawal").GetProperty("category").GetString());
        Assert.Equal(JsonValueKind.Null, w2.GetProperty("withdrawal").GetProperty("reason").ValueKind); // the note is optional
        Assert.True(w2.GetProperty("withdrawal").GetProperty("afterAllocation").GetBoolean());
        Assert.Equal(JsonValueKind.Object, w2.GetProperty("allocation").ValueKind);
        await ProblemAssertions.AssertConflictNamingAsync(await Coordinator.PostJsonAsync($"/api/participants/{after}/withdrawal", new { category = "other", reason = "again" }), "withdrawn");
        await ProblemAssertions.AssertConflictNamingAsync(await Coordinator.PostJsonAsync($"/api/participants/{after}/completion", null), "withdrawn");
    }

    [ServerFact]
    public async Task Withdrawal_WithoutACategoryOrWithAMisspeltOne_Is400NamingIt_AndChangesNothing()
    {
        var trialId = await TrialAsync();
        var id = await TestTrials.FormulatedParticipantAsync(server, trialId);
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await Coordinator.PostJsonAsync($"/api/participants/{id}/randomization", null));

        foreach (var body in new object[]
                 {
                     new { reason = "moved to another city" },
                     new { category = (string?)null, reason = "x" },
                     new { category = "moved_away" },
                     new { category = "moved" },
                     new { category = "2" },
                     new { category = "" },
                 })
        {
            (await ProblemAssertions.Assert400Async(await Coordinator.PostJsonAsync($"/api/participants/{id}/withdrawal", body))).AssertNames("category");
        }

        (await ProblemAssertions.Assert400Async(await Coordinator.PostJsonAsync($"/api/participants/{id}/withdrawal",
            new { category = "other", reason = new string('x', 2_001) }))).AssertNames("reason");
        var record = await (await Coordinator.GetAsync(new Uri($"/api/participants/{id}", UriKind.Relative))).JsonAsync();
        Assert.Equal("randomized", record.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, record.GetProperty("withdrawal").ValueKind);
    }

    [ServerFact]
    public async Task Withdrawal_RecordedBeforeCategoriesExisted_ShowsUnrecorded_NeverARealCategory()
    {
        var trialId = await TrialAsync();
        var id = await TestTrials.FormulatedParticipantAsync(server, trialId);
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await Coordinator.PostJsonAsync($"/api/participants/{id}/withdrawal", new { category = "other", reason = "old" }));
        // What the migration leaves on a withdrawal made before it: no category.
        await server.WithDbAsync(db => db.Database.ExecuteSqlInterpolatedAsync($"UPDATE \"Participants\" SET \"WithdrawalCategory\" = NULL WHERE \"Id\" = {id}"));

        var record = await (await Coordinator.GetAsync(new Uri($"/api/participants/{id}", UriKind.Relative))).JsonAsync();

        Assert.Equal("unrecorded", record.GetProperty("withdrawal").GetProperty("category").GetString());
    }

    [ServerFact]
    public async Task Completion_OnlyAfterRandomization()
    {
        var trialId = await TrialAsync();
        var id = await TestTrials.FormulatedParticipantAsync(server, trialId);

        await ProblemAssertions.AssertConflictNamingAsync(await Coordinator.PostJsonAsync($"/api/participants/{id}/completion", null), "formulated");
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await Coordinator.PostJsonAsync($"/api/participants/{id}/randomization", null));
        var completed = await Coordinator.PostJsonAsync($"/api/participants/{id}/completion", null);

        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, completed);
        Assert.Equal("completed", (await completed.JsonAsync()).GetProperty("status").GetString());
        await ProblemAssertions.AssertConflictNamingAsync(await Coordinator.PostJsonAsync($"/api/participants/{id}/completion", null), "completed");
        await ProblemAssertions.AssertConflictNamingAsync(await Coordinator.PostJsonAsync($"/api/participants/{id}/withdrawal", new { category = "other", reason = "late" }), "completed");
        Assert.Equal(HttpStatusCode.NotFound, (await Coordinator.PostJsonAsync("/api/participants/nobody-AAA-0001/completion", null)).StatusCode);
    }

    [ServerFact]
    public async Task Events_Are201_WithTypeAndDate_AndABadTypeIs400()
    {
        var trialId = await TrialAsync();
        var id = await TestTrials.FormulatedParticipantAsync(server, trialId);

        foreach (var type in new[] { "adverseEvent", "seriousAdverseEvent", "protocolDeviation" })
        {
            var response = await Coordinator.PostJsonAsync($"/api/participants/{id}/events", TestEvents.Body(type, "2026-11-21", "noted"));
            await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, response);
            Assert.Equal(type, (await response.JsonAsync()).GetProperty("type").GetString());
        }

        (await ProblemAssertions.Assert400Async(await Coordinator.PostJsonAsync($"/api/participants/{id}/events", new { type = "headache", occurredOn = "2026-11-21", description = "x" }))).AssertNames("type");
        var errors = await ProblemAssertions.Assert400Async(await Coordinator.PostJsonAsync($"/api/participants/{id}/events", new { type = "adverseEvent" }));
        errors.AssertNames("occurredOn");
        errors.AssertNames("description");
        var record = await (await Coordinator.GetAsync($"/api/participants/{id}")).JsonAsync();
        Assert.Equal(["adverseEvent", "seriousAdverseEvent", "protocolDeviation"], record.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("type").GetString()));
        Assert.Equal("2026-11-21", record.GetProperty("events")[0].GetProperty("occurredOn").GetString());

        var eligible = await EligibleAsync(trialId);
        await ProblemAssertions.AssertConflictNamingAsync(await Coordinator.PostJsonAsync($"/api/participants/{eligible}/events", TestEvents.Body("adverseEvent", "2026-11-21", "x")), "eligible");
    }

    [ServerFact]
    public async Task GetParticipant_ShowsTheAllocationOnlyOnceRandomized()
    {
        var trialId = await TrialAsync();
        var id = await TestTrials.FormulatedParticipantAsync(server, trialId);

        var before = await (await Coordinator.GetAsync($"/api/participants/{id}")).JsonAsync();
        Assert.Equal("formulated", before.GetProperty("status").GetString());
        Assert.True(!before.TryGetProperty("allocation", out var none) || none.ValueKind == JsonValueKind.Null);

        var allocation = await (await Coordinator.PostJsonAsync($"/api/participants/{id}/randomization", null)).JsonAsync();
        var after = await (await Coordinator.GetAsync($"/api/participants/{id}")).JsonAsync();

        Assert.Equal("randomized", after.GetProperty("status").GetString());
        Assert.Equal(allocation.GetProperty("arm").GetString(), after.GetProperty("allocation").GetProperty("arm").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await Coordinator.GetAsync("/api/participants/nobody-AAA-0001")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await server.Statistician.GetAsync($"/api/participants/{id}")).StatusCode);
    }

    [ServerFact]
    public async Task ListParticipants_FiltersByStatus()
    {
        var trialId = await TrialAsync();
        var eligible = await EligibleAsync(trialId);
        var formulated = await TestTrials.FormulatedParticipantAsync(server, trialId);
        var randomized = await TestTrials.FormulatedParticipantAsync(server, trialId, site: "BBB");
        await Coordinator.PostJsonAsync($"/api/participants/{randomized}/randomization", null);

        async Task<List<string>> Ids(string query) =>
            [.. (await (await Coordinator.GetAsync($"/api/trials/{trialId}/participants{query}")).JsonAsync()).EnumerateArray().Select(p => p.GetProperty("id").GetString()!)];

        Assert.Equal([eligible, formulated, randomized], await Ids(""));
        Assert.Equal([eligible], await Ids("?status=eligible"));
        Assert.Equal([formulated], await Ids("?status=Formulated"));
        Assert.Equal([randomized], await Ids("?status=randomized"));
        Assert.Empty(await Ids("?status=screenFailed"));
        var listed = (await (await Coordinator.GetAsync($"/api/trials/{trialId}/participants?status=randomized")).JsonAsync())[0];
        Assert.Equal("randomized", listed.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.String, listed.GetProperty("arm").ValueKind);

        (await ProblemAssertions.Assert400Async(await Coordinator.GetAsync($"/api/trials/{trialId}/participants?status=happy"))).AssertNames("status");
        Assert.Equal(HttpStatusCode.NotFound, (await Coordinator.GetAsync("/api/trials/no-such-trial/participants")).StatusCode);
    }

    private Task<string> TrialAsync() => TestTrials.CreateAsync(server, recruiting: true);

    private async Task<string> EligibleAsync(string trialId)
    {
        var response = await Coordinator.PostJsonAsync($"/api/trials/{trialId}/participants", new { site = "AAA", ageYears = 30, severity = 15, exclusions = Array.Empty<string>() });
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, response);
        return (await response.JsonAsync()).GetProperty("id").GetString()!;
    }

    private async Task<string> ConsentedAsync(string trialId)
    {
        var id = await EligibleAsync(trialId);
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await Coordinator.PostJsonAsync($"/api/participants/{id}/consent", new { consentVersion = "1.0", consentedOn = "2026-11-20" }));
        return id;
    }

    private Task<HttpResponseMessage> Rate(string id, string rater, int c, int i, int b, int e, bool consensus = false) =>
        Coordinator.PostJsonAsync($"/api/participants/{id}/formulations",
            new { rater, scores = new { cognitive = c, interpersonal = i, behavioral = b, environmental = e }, consensus, rationale = "test" });
}

[Collection(SqliteServerCollection.Name)]
public sealed class ParticipantWorkflowApiTests_Sqlite(SqliteTrialServer server) : ParticipantWorkflowApiTests(server);

[Collection(PostgresServerCollection.Name)]
public sealed class ParticipantWorkflowApiTests_Postgres(PostgresTrialServer server) : ParticipantWorkflowApiTests(server), IRunsOnPostgres;
