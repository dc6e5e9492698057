using System.Net;
using TrialManager.Integration.Tests.Harness;

namespace TrialManager.Integration.Tests.Hosting;

/// <summary>GET /health: the contract's answer, from ASP.NET Core's health checks (the outage tests cover the 503).</summary>
public abstract class HealthTests(TrialServer server)
{
    [ServerFact]
    public async Task Health_WithoutAKey_Is200_NamingTheProviderAndBothChecksHealthy()
    {
        var response = await server.Client(null).GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.Equal("healthy", body.GetProperty("status").GetString());
        Assert.Equal(server.Provider.ToString(), body.GetProperty("database").GetProperty("provider").GetString());
        Assert.Equal("healthy", body.GetProperty("database").GetProperty("status").GetString());
        Assert.Equal("healthy", body.GetProperty("jobStorage").GetProperty("status").GetString());
    }
}

[Collection(SqliteServerCollection.Name)]
public sealed class HealthTests_Sqlite(SqliteTrialServer server) : HealthTests(server);

[Collection(PostgresServerCollection.Name)]
public sealed class HealthTests_Postgres(PostgresTrialServer server) : HealthTests(server), IRunsOnPostgres;
