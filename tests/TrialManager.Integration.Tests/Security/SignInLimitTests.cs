using System.Net;
using TrialManager.Integration.Tests.Harness;

namespace TrialManager.Integration.Tests.Security;

/// <summary>
/// One failed-attempt limit per client address for every way in: the pages' sign-in form and the API's key (and
/// token) share it, so neither is a way around the other.
/// </summary>
public abstract class SignInLimitTests(TrialServer server)
{
    private const string ValidKey = "dev-coordinator";

    private HttpClient Api(string key, string address)
    {
        var client = server.Client(key);
        client.DefaultRequestHeaders.Add(SecurityTestSettings.ClientAddressHeader, address);
        return client;
    }

    [ServerFact]
    public async Task PageSignIn_WrongKeys_AreLimited_AndCountForTheApi()
    {
        var address = "198.51.100.21";
        var page = PageSignIn.Client(server, address);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 21; i++)
        {
            statuses.Add((await PageSignIn.PostAsync(page, $"wrong-key-{i}")).StatusCode);
        }

        var validOnPage = await PageSignIn.PostAsync(page, ValidKey);
        var validOnApi = await Api(ValidKey, address).GetAsync("/api/trials");

        Assert.All(statuses.Take(20), s => Assert.Equal(HttpStatusCode.BadRequest, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[20]);
        Assert.Equal(HttpStatusCode.TooManyRequests, validOnPage.StatusCode);
        Assert.NotNull(validOnPage.Headers.RetryAfter?.Delta);
        Assert.Null(PageSignIn.SessionCookieOf(validOnPage));
        Assert.Contains("Too many failed sign-ins", await validOnPage.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.TooManyRequests, validOnApi.StatusCode);
        Assert.NotNull(validOnApi.Headers.RetryAfter?.Delta);
    }

    [ServerFact]
    public async Task ApiWrongKeys_CountForThePageSignIn_WhichThenRefusesEvenAValidKey()
    {
        var address = "198.51.100.22";
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 20; i++)
        {
            statuses.Add((await Api($"wrong-key-{i}", address).GetAsync("/api/trials")).StatusCode);
        }

        var page = PageSignIn.Client(server, address);
        var validOnPage = await PageSignIn.PostAsync(page, ValidKey);
        var fromElsewhere = await PageSignIn.PostAsync(PageSignIn.Client(server, "198.51.100.23"), ValidKey);

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, validOnPage.StatusCode);
        Assert.NotNull(validOnPage.Headers.RetryAfter?.Delta);
        Assert.Null(PageSignIn.SessionCookieOf(validOnPage));
        Assert.Equal(HttpStatusCode.Redirect, fromElsewhere.StatusCode);
        Assert.NotNull(PageSignIn.SessionCookieOf(fromElsewhere));
    }
}

[Collection(SqliteServerCollection.Name)]
public sealed class SignInLimitTests_Sqlite(SqliteTrialServer server) : SignInLimitTests(server);

[Collection(PostgresServerCollection.Name)]
public sealed class SignInLimitTests_Postgres(PostgresTrialServer server) : SignInLimitTests(server), IRunsOnPostgres;
