using System.Net;
using System.Text.Json;
using TrialManager.Integration.Tests.Harness;

namespace TrialManager.Integration.Tests.Api;

/// <summary>Assertions on problem+json answers.</summary>
public static class ProblemAssertions
{
    /// <summary>Asserts a 400 and returns its errors object, keyed by field.</summary>
    public static async Task<Dictionary<string, string[]>> Assert400Async(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"expected 400, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var json = JsonDocument.Parse(body).RootElement;
        return json.GetProperty("errors").Deserialize<Dictionary<string, string[]>>(TrialServer.Json)!;
    }

    /// <summary>True when the errors name <paramref name="field"/> (or one of its items, e.g. sites[1]).</summary>
    public static bool Names(this Dictionary<string, string[]> errors, string field) =>
        errors.Keys.Any(k => string.Equals(k, field, StringComparison.OrdinalIgnoreCase)
                             || k.StartsWith(field + "[", StringComparison.OrdinalIgnoreCase));

    public static void AssertNames(this Dictionary<string, string[]> errors, string field) =>
        Assert.True(errors.Names(field), $"expected an error for {field}; got {string.Join(", ", errors.Keys)}");

    /// <summary>Asserts a 409 whose detail names <paramref name="state"/>.</summary>
    public static async Task AssertConflictNamingAsync(HttpResponseMessage response, string state)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Conflict, $"expected 409, got {(int)response.StatusCode}: {body}");
        var detail = JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString()!;
        Assert.Contains(state, detail, StringComparison.Ordinal);
    }

    public static async Task AssertStatusAsync(HttpStatusCode expected, HttpResponseMessage response)
    {
        if (response.StatusCode != expected)
        {
            Assert.Fail($"expected {(int)expected}, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }
}
