using System.Net;
using System.Reflection;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TrialManager.Integration.Tests.Api;
using TrialManager.Integration.Tests.Harness;
using TrialManager.Server.Security;

namespace TrialManager.Integration.Tests.Security;

public abstract class HardeningTests(TrialServer server)
{
    private static readonly string[] ConfiguredKeys = [SecurityTestSettings.SiteLimitedCoordinatorKey, SecurityTestSettings.SignInProbeKey];

    [ServerFact]
    public void KeyStore_RetainsNoConfiguredPlaintextKey()
    {
        var store = server.Factory.Services.GetRequiredService<ApiKeyStore>();
        var retained = new List<string>();
        foreach (var field in typeof(ApiKeyStore).GetFields(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public))
        {
            retained.Add(Describe(field.GetValue(store)));
        }

        retained.AddRange(store.Keys.Select(k => k.ToString()));
        Assert.Contains(store.Keys, k => k.Name == SecurityTestSettings.SiteLimitedCoordinatorName);
        foreach (var key in ConfiguredKeys)
        {
            Assert.DoesNotContain(retained, text => text.Contains(key, StringComparison.Ordinal));
            Assert.DoesNotContain(retained, text => text.Contains(Convert.ToHexString(Encoding.UTF8.GetBytes(key)), StringComparison.OrdinalIgnoreCase));
        }
    }

    private static string Describe(object? value) => value switch
    {
        null => string.Empty,
        byte[] bytes => Convert.ToHexString(bytes) + " " + Encoding.UTF8.GetString(bytes),
        System.Collections.IEnumerable items and not string => string.Join(" ", items.Cast<object?>().Select(Describe)),
        System.Runtime.CompilerServices.ITuple tuple => string.Join(" ", Enumerable.Range(0, tuple.Length).Select(i => Describe(tuple[i]))),
        _ => value.ToString() ?? string.Empty,
    };

    [ServerFact]
    public async Task FailedAuthentications_AreRateLimitedPerAddress_AndTheKeyIsNeverLogged()
    {
        var address = $"203.0.113.{Random.Shared.Next(1, 250)}";
        HttpClient From(string key, string from)
        {
            var c = server.Client(key);
            c.DefaultRequestHeaders.Add(SecurityTestSettings.ClientAddressHeader, from);
            return c;
        }

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 21; i++)
        {
            var key = $"guess-{Guid.NewGuid():N}";
            server.Logs.Watch(key);
            statuses.Add((await From(key, address).GetAsync("/api/trials")).StatusCode);
        }

        var limited = await From("dev-admin", address).GetAsync("/api/trials");
        var elsewhere = await From("dev-admin", "198.51.100.7").GetAsync("/api/trials");

        Assert.All(statuses.Take(20), s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[20]);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal(HttpStatusCode.OK, elsewhere.StatusCode);
        Assert.True(server.Logs.Messages > 0);
        Assert.Empty(server.Logs.Leaks);
    }

    [ServerFact]
    public async Task EveryKindOfResponse_CarriesTheSecurityHeaders()
    {
        var responses = new List<HttpResponseMessage>
        {
            await server.Client(null).GetAsync("/health"),
            await server.Client(null).GetAsync("/api/trials"),
            await server.Coordinator.PostJsonAsync("/api/trials", new { }),
            await server.Admin.PostJsonAsync("/api/trials", new { id = "x" }),
            await server.Admin.GetAsync("/api/trials/no-such-trial"),
            await server.Admin.GetAsync("/no/such/route"),
            await server.Admin.PostAsync("/api/trials", new ByteArrayContent(new byte[300 * 1024]) { Headers = { ContentType = new("application/json") } }),
            await server.Admin.GetAsync("/api/audit/verify"),
        };

        foreach (var response in responses)
        {
            var where = $"{response.RequestMessage!.Method} {response.RequestMessage.RequestUri} -> {(int)response.StatusCode}";
            Assert.True(response.Headers.TryGetValues("X-Content-Type-Options", out var nosniff) && nosniff.Single() == "nosniff", where);
            Assert.True(response.Headers.Contains("X-Frame-Options"), where);
            Assert.True(response.Headers.Contains("Referrer-Policy"), where);
            Assert.True(response.Headers.Contains("Content-Security-Policy"), where);
            Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        }
    }

    [ServerFact]
    public async Task InternalFailure_AnswersA500ProblemWithoutStackTraceSqlOrExceptionText_AndWithHeaders()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: false);
        var original = await server.WithDbAsync(db => db.Database.SqlQueryRaw<string>("SELECT \"Definition\" AS \"Value\" FROM \"Trials\" WHERE \"Id\" = {0}", trialId).SingleAsync());
        HttpResponseMessage response;
        try
        {
            // A row the server cannot read: the definition is no longer JSON.
            await server.WithDbAsync(db => db.Database.ExecuteSqlRawAsync("UPDATE \"Trials\" SET \"Definition\" = {0} WHERE \"Id\" = {1}", "{\"broken", trialId));
            response = await server.Admin.GetAsync($"/api/trials/{trialId}");
        }
        finally
        {
            await server.WithDbAsync(db => db.Database.ExecuteSqlRawAsync("UPDATE \"Trials\" SET \"Definition\" = {0} WHERE \"Id\" = {1}", original, trialId));
        }

        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.Contains("X-Content-Type-Options"));
        foreach (var leak in new[] { " at ", "Exception", "SELECT", "\"Trials\"", "System.", "TrialManager.", "broken", "Json", ".cs", "line " })
        {
            Assert.DoesNotContain(leak, body, StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.OK, (await server.Admin.GetAsync($"/api/trials/{trialId}")).StatusCode);
    }

    [ServerFact]
    public async Task OversizedBody_IsA413Problem_WithOrWithoutContentLength()
    {
        var body = "{\"title\":\"" + new string('x', 300 * 1024) + "\"}";
        var sized = await server.Admin.PostAsync("/api/trials", new StringContent(body, Encoding.UTF8, "application/json"));
        var chunked = new StreamContent(new UnseekableStream(Encoding.UTF8.GetBytes(body)));
        chunked.Headers.ContentType = new("application/json");
        var streamed = await server.Admin.PostAsync("/api/trials", chunked);

        foreach (var response in new[] { sized, streamed })
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [ServerFact]
    public async Task DeeplyNestedJson_IsA400Problem()
    {
        var nested = new string('[', 200) + new string(']', 200);
        var response = await server.Admin.PostAsync("/api/trials", new StringContent($"{{\"id\":\"abc\",\"sites\":{nested}}}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>A body whose length the client cannot know, so it is sent without Content-Length.</summary>
    private sealed class UnseekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}

[Collection(SqliteServerCollection.Name)]
public sealed class HardeningTests_Sqlite(SqliteTrialServer server) : HardeningTests(server);

[Collection(PostgresServerCollection.Name)]
public sealed class HardeningTests_Postgres(PostgresTrialServer server) : HardeningTests(server), IRunsOnPostgres;
