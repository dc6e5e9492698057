using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using TrialManager.Integration.Tests.Api;
using TrialManager.Integration.Tests.Harness;

namespace TrialManager.Integration.Tests.Security;

/// <summary>Bearer tokens signed here with the key whose public half the server is configured with (offline validation).</summary>
public abstract class JwtBearerTests(TrialServer server)
{
    public static string Token(
        object? role, string subject = "jwt-user", string? audience = null, RSA? key = null, DateTime? expires = null, string[]? sites = null,
        string? issuer = null)
    {
        var claims = new Dictionary<string, object> { ["sub"] = subject };
        if (role is not null)
        {
            claims["role"] = role;
        }

        if (sites is not null)
        {
            claims[SecurityTestSettings.JwtSitesClaim] = sites;
        }

        var expiry = expires ?? DateTime.UtcNow.AddMinutes(10);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer ?? SecurityTestSettings.JwtIssuer,
            Audience = audience ?? SecurityTestSettings.JwtAudience,
            IssuedAt = expiry.AddMinutes(-20),
            NotBefore = expiry.AddMinutes(-20),
            Expires = expiry,
            Claims = claims,
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(key ?? SecurityTestSettings.JwtSigningKey), SecurityAlgorithms.RsaSha256),
        });
    }

    private HttpClient Bearer(string token)
    {
        var client = server.Client(null);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    [ServerFact]
    public async Task ValidToken_ForEachRole_GetsExactlyWhatTheMatrixAllows()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        var participantId = await TestTrials.FormulatedParticipantAsync(server, trialId);
        var roles = new (string Role, Func<AuthorizationMatrixTests.Row, AuthorizationMatrixTests.Expect> Expected)[]
        {
            ("coordinator", r => r.Coordinator), ("statistician", r => r.Statistician), ("ethics", r => r.Ethics), ("admin", r => r.Admin),
        };

        var failures = new List<string>();
        foreach (var (role, expected) in roles)
        {
            // A coordinator's token must name its sites (the configured sites claim is required for that role).
            using var client = Bearer(Token(role, sites: role == "coordinator" ? ["AAA", "BBB"] : null));
            foreach (var row in AuthorizationMatrixTests.Matrix)
            {
                using var request = new HttpRequestMessage(new HttpMethod(row.Method == "*" ? "GET" : row.Method),
                    AuthorizationMatrixTests.Concrete(row.Pattern, trialId, participantId));
                if (row.Method == "POST")
                {
                    request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
                }

                using var response = await client.SendAsync(request);
                var status = (int)response.StatusCode;
                var actual = AuthorizationMatrixTests.Classify(response);
                if (actual != expected(row))
                {
                    failures.Add($"{row.Method} {row.Pattern} as bearer {role}: expected {expected(row)}, got {status}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [ServerFact]
    public async Task ValidToken_WithUnknownRoleOrNoRole_IsForbidden()
    {
        Assert.Equal(HttpStatusCode.Forbidden, (await Bearer(Token("nurse")).GetAsync("/api/trials")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Bearer(Token(null)).GetAsync("/api/trials")).StatusCode);
    }

    [ServerFact]
    public async Task Token_ExpiredOrWrongAudienceIssuerOrSignature_IsUnauthorizedProblem()
    {
        using var otherKey = RSA.Create(2048);
        var tokens = new[]
        {
            Token("admin", expires: DateTime.UtcNow.AddMinutes(-5)),
            Token("admin", audience: "someone-else"),
            Token("admin", issuer: "https://evil.example"),
            Token("admin", key: otherKey),
            Token("admin")[..^4] + "AAAA",
            "not.a.token",
        };

        foreach (var token in tokens)
        {
            var response = await Bearer(token).GetAsync("/api/trials");
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [ServerFact]
    public async Task BadTokens_AreRateLimitedPerAddress_AndThenEvenAValidTokenWaits()
    {
        var address = $"192.0.2.{Random.Shared.Next(1, 250)}";
        HttpClient From(string token)
        {
            var client = Bearer(token);
            client.DefaultRequestHeaders.Add(SecurityTestSettings.ClientAddressHeader, address);
            return client;
        }

        using var otherKey = RSA.Create(2048);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 21; i++)
        {
            statuses.Add((await From(Token("admin", key: otherKey)).GetAsync("/api/trials")).StatusCode);
        }

        var valid = await From(Token("admin")).GetAsync("/api/trials");

        Assert.All(statuses.Take(20), s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[20]);
        Assert.Equal(HttpStatusCode.TooManyRequests, valid.StatusCode);
        Assert.NotNull(valid.Headers.RetryAfter);
    }

    [ServerFact]
    public async Task Token_WithSitesClaim_IsLimitedToThoseSites()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        var client = Bearer(Token("coordinator", sites: ["AAA"]));

        var elsewhere = await client.PostJsonAsync($"/api/trials/{trialId}/participants", new { site = "BBB", ageYears = 30, severity = 15, exclusions = Array.Empty<string>() });
        var own = await client.PostJsonAsync($"/api/trials/{trialId}/participants", new { site = "AAA", ageYears = 30, severity = 15, exclusions = Array.Empty<string>() });

        Assert.Equal(HttpStatusCode.Forbidden, elsewhere.StatusCode);
        Assert.Equal(HttpStatusCode.Created, own.StatusCode);
    }

    [ServerFact]
    public async Task CoordinatorToken_WithoutTheSitesClaim_IsForbidden_WithAProblemThatSaysWhy()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        var participantId = await TestTrials.FormulatedParticipantAsync(server, trialId, site: "AAA");
        var attempts = new List<HttpResponseMessage>();
        foreach (var token in new[] { Token("coordinator"), Token("coordinator", sites: []) })
        {
            var client = Bearer(token);
            attempts.Add(await client.GetAsync($"/api/participants/{participantId}"));
            attempts.Add(await client.GetAsync($"/api/trials/{trialId}/participants"));
            attempts.Add(await client.PostJsonAsync($"/api/trials/{trialId}/participants",
                new { site = "AAA", ageYears = 30, severity = 15, exclusions = Array.Empty<string>() }));
        }

        foreach (var response in attempts)
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var detail = (await response.JsonAsync()).GetProperty("detail").GetString();
            Assert.Contains($"'{SecurityTestSettings.JwtSitesClaim}' claim", detail, StringComparison.Ordinal);
        }

        var listed = await (await server.Coordinator.GetAsync($"/api/trials/{trialId}/participants")).JsonAsync();
        Assert.Equal(1, listed.GetArrayLength());
    }

    [ServerFact]
    public async Task ApiKey_StillWorks_BesideBearer_AndWinsWhenBothAreSent()
    {
        var client = server.Client("dev-statistician");
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token("admin"));

        var trials = await client.GetAsync("/api/trials");
        Assert.True(trials.StatusCode == HttpStatusCode.OK, string.Join("\n", server.Logs.Errors.TakeLast(3)));
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/api/audit/verify")).StatusCode);
    }
}

[Collection(SqliteServerCollection.Name)]
public sealed class JwtBearerTests_Sqlite(SqliteTrialServer server) : JwtBearerTests(server);
