using System.Net;
using System.Text;
using TrialManager.Integration.Tests.Api;
using TrialManager.Integration.Tests.Harness;

namespace TrialManager.Integration.Tests.Security;

/// <summary>Each 500 (or malformed answer) the fuzz test found, pinned down.</summary>
public abstract class BadInputRegressionTests(TrialServer server)
{
    [ServerFact]
    public async Task Lists_OnEveryProvider_AreOrderedWithoutA500()
    {
        // SQLite cannot ORDER BY a DateTimeOffset: the trial, participant and report lists were 500s.
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        await TestTrials.FormulatedParticipantAsync(server, trialId);
        await TestTrials.FormulatedParticipantAsync(server, trialId, site: "BBB");
        await server.Admin.PostJsonAsync($"/api/trials/{trialId}/reports", new { kind = "ethicsProgress" });
        await server.Admin.PostJsonAsync($"/api/trials/{trialId}/reports", new { kind = "ethicsProgress" });

        Assert.Equal(HttpStatusCode.OK, (await server.Statistician.GetAsync("/api/trials")).StatusCode);
        Assert.Equal(2, (await (await server.Coordinator.GetAsync($"/api/trials/{trialId}/participants")).JsonAsync()).GetArrayLength());
        Assert.Equal(2, (await (await server.Admin.GetAsync($"/api/trials/{trialId}/reports")).JsonAsync()).GetArrayLength());
    }

    [ServerFact]
    public async Task CreateTrial_WithNullListsOrMissingParts_IsA400NamingTheFields()
    {
        foreach (var field in new[] { "sites", "arms", "formulations", "randomization", "eligibility" })
        {
            var definition = TestTrials.Definition();
            definition[field] = null;
            var response = await server.Admin.PostJsonAsync("/api/trials", definition);

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.True((await response.JsonAsync()).GetProperty("errors").TryGetProperty(field, out _), field);
        }
    }

    [ServerFact]
    public async Task Allocations_ForAnUnknownTrial_IsA404Problem_NotABrokenStream()
    {
        foreach (var accept in new[] { "application/json", "text/csv" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/trials/no-such-trial/allocations");
            request.Headers.Accept.ParseAdd(accept);
            var response = await server.Statistician.SendAsync(request);

            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [ServerFact]
    public async Task UnknownRoutesAndMethods_AreProblems()
    {
        var responses = new[]
        {
            await server.Admin.GetAsync("/api/trials/%3Cscript%3E/allocations/x"),
            await server.Admin.GetAsync("/openapi/..%2F..%2Fetc%2Fpasswd.json"),
            await server.Admin.PatchAsync("/api/trials", new StringContent("{}", Encoding.UTF8, "application/json")),
        };

        Assert.All(responses, r => Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, responses[2].StatusCode);
    }
}

[Collection(SqliteServerCollection.Name)]
public sealed class BadInputRegressionTests_Sqlite(SqliteTrialServer server) : BadInputRegressionTests(server);

[Collection(PostgresServerCollection.Name)]
public sealed class BadInputRegressionTests_Postgres(PostgresTrialServer server) : BadInputRegressionTests(server), IRunsOnPostgres;
