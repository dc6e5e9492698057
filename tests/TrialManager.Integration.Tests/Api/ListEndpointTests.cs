using System.Net;
using TrialManager.Integration.Tests.Harness;

namespace TrialManager.Integration.Tests.Api;

/// <summary>
/// The list endpoints sort by a DateTimeOffset (creation, screening time). SQLite cannot do that in SQL, so these
/// were 500s there; they must answer 200 in order on every database.
/// </summary>
public abstract class ListEndpointTests(TrialServer server)
{
    [ServerFact]
    public async Task ListTrials_Is200_OldestFirst()
    {
        var first = await TestTrials.CreateAsync(server, recruiting: false);
        var second = await TestTrials.CreateAsync(server, recruiting: false);

        var response = await server.Coordinator.GetAsync("/api/trials?limit=1000");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Link"), "the shared server holds fewer than 1,000 trials");
        var ids = (await response.JsonAsync()).EnumerateArray().Select(t => t.GetProperty("id").GetString()).ToList();
        Assert.True(ids.IndexOf(first) >= 0 && ids.IndexOf(first) < ids.IndexOf(second));
    }

    [ServerFact]
    public async Task ListParticipants_Is200_InScreeningOrder()
    {
        var trial = await TestTrials.CreateAsync(server, recruiting: true);
        var first = await TestTrials.FormulatedParticipantAsync(server, trial);
        var second = await TestTrials.FormulatedParticipantAsync(server, trial, site: "BBB");

        var response = await server.Coordinator.GetAsync($"/api/trials/{trial}/participants");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([first, second], (await response.JsonAsync()).EnumerateArray().Select(p => p.GetProperty("id").GetString()));
    }

    [ServerFact]
    public async Task ListReports_Is200()
    {
        var trial = await TestTrials.CreateAsync(server, recruiting: false);

        var response = await server.Ethics.GetAsync($"/api/trials/{trial}/reports");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, (await response.JsonAsync()).GetArrayLength());
    }
}

[Collection(SqliteServerCollection.Name)]
public sealed class ListEndpointTests_Sqlite(SqliteTrialServer server) : ListEndpointTests(server);

[Collection(PostgresServerCollection.Name)]
public sealed class ListEndpointTests_Postgres(PostgresTrialServer server) : ListEndpointTests(server), IRunsOnPostgres;
