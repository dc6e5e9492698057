using System.Net;
using TrialManager.Integration.Tests.Harness;

namespace TrialManager.Integration.Tests.Api;

public abstract class TrialLifecycleApiTests(TrialServer server)
{
    [ServerFact]
    public async Task CreateTrial_AsAdmin_StartsAsDraftWithLocation()
    {
        var definition = TestTrials.Definition();
        var response = await server.Admin.PostJsonAsync("/api/trials", definition);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal($"/api/trials/{definition["id"]}", response.Headers.Location?.OriginalString);
        var trial = await response.JsonAsync();
        Assert.Equal("draft", trial.GetProperty("status").GetString());
    }

    [ServerFact]
    public async Task ChangeStatus_FromClosedToRecruiting_IsAConflictNamingTheState()
    {
        var id = await TestTrials.CreateAsync(server, recruiting: true);
        Assert.Equal(HttpStatusCode.OK, (await server.Admin.PostJsonAsync($"/api/trials/{id}/status", new { status = "closed" })).StatusCode);

        var response = await server.Admin.PostJsonAsync($"/api/trials/{id}/status", new { status = "recruiting" });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("closed", (await response.JsonAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}

[Collection(SqliteServerCollection.Name)]
public sealed class TrialLifecycleApiTests_Sqlite(SqliteTrialServer server) : TrialLifecycleApiTests(server);

[Collection(PostgresServerCollection.Name)]
public sealed class TrialLifecycleApiTests_Postgres(PostgresTrialServer server) : TrialLifecycleApiTests(server), IRunsOnPostgres;
