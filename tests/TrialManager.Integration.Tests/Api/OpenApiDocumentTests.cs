using System.Text.Json;
using TrialManager.Integration.Tests.Harness;

namespace TrialManager.Integration.Tests.Api;

/// <summary>
/// The published OpenAPI document names the list conventions' <c>limit</c> and <c>after</c> query parameters on the
/// paged routes (their handlers bind a PageRequest themselves, which the generator cannot see), and on no route that
/// does not page.
/// </summary>
[Collection(SqliteServerCollection.Name)]
public sealed class OpenApiDocumentTests(SqliteTrialServer server)
{
    [ServerFact]
    public async Task PagedLists_NameLimitAndAfter_AsQueryParameters_AndUnpagedRoutesDoNot()
    {
        var document = await (await server.Admin.GetAsync("/openapi/v1.json")).JsonAsync();
        var paths = document.GetProperty("paths");

        foreach (var path in new[] { "/api/trials", "/api/trials/{trialId}/participants", "/api/audit", "/api/trials/{trialId}/visits/due",
                     "/api/trials/{trialId}/allocations" /* pages its JSON only, reading the two itself */ })
        {
            var parameters = Parameters(paths.GetProperty(path).GetProperty("get"));
            Assert.Equal("query", parameters["limit"].GetProperty("in").GetString());
            Assert.Equal("integer", parameters["limit"].GetProperty("schema").GetProperty("type").GetString());
            Assert.Equal("query", parameters["after"].GetProperty("in").GetString());
            Assert.Equal("string", parameters["after"].GetProperty("schema").GetProperty("type").GetString());
        }

        // A single trial is not a list.
        Assert.DoesNotContain("limit", Parameters(paths.GetProperty("/api/trials/{trialId}").GetProperty("get")).Keys);
    }

    private static Dictionary<string, JsonElement> Parameters(JsonElement operation) =>
        operation.TryGetProperty("parameters", out var parameters)
            ? parameters.EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!, p => p)
            : [];
}
