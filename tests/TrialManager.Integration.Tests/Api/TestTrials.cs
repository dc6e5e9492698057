using System.Net;
using TrialManager.Integration.Tests.Harness;

namespace TrialManager.Integration.Tests.Api;

/// <summary>Trial definitions and walks through the workflow that many tests start from.</summary>
public static class TestTrials
{
    public static Dictionary<string, object?> Definition(string? id = null, object? randomization = null) => new()
    {
        ["id"] = id ?? "t-" + Guid.NewGuid().ToString("N")[..12],
        ["title"] = "Test trial",
        ["registration"] = "NCT00000001",
        ["targetEnrollment"] = 100,
        ["sites"] = new[] { "AAA", "BBB" },
        ["formulations"] = new[] { "cognitive", "interpersonal" },
        ["arms"] = new object[] { new { code = "mediator", ratio = 1 }, new { code = "moderator", ratio = 1 } },
        ["randomization"] = randomization ?? new { method = "permutedBlocks", blockSizes = new[] { 2, 4 }, stratifyBy = new[] { "formulation", "site" } },
        ["eligibility"] = new { minAge = 18, maxAge = 70, minSeverity = 5, maxSeverity = 27, exclusions = new[] { "psychosis", "bipolar" } },
        ["formulationRule"] = new { minMargin = 1 },
    };

    public static async Task<string> CreateAsync(TrialServer server, bool recruiting, object? randomization = null)
    {
        var definition = Definition(randomization: randomization);
        var created = await server.Admin.PostJsonAsync("/api/trials", definition);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (string)definition["id"]!;
        if (recruiting)
        {
            Assert.Equal(HttpStatusCode.OK, (await server.Admin.PostJsonAsync($"/api/trials/{id}/status", new { status = "recruiting" })).StatusCode);
        }

        return id;
    }

    /// <summary>Screens, consents and formulates one participant; returns the study id.</summary>
    public static async Task<string> FormulatedParticipantAsync(TrialServer server, string trialId, string site = "AAA", string lead = "cognitive")
    {
        var client = server.Coordinator;
        var screened = await client.PostJsonAsync($"/api/trials/{trialId}/participants",
            new { site, ageYears = 30, severity = 15, exclusions = Array.Empty<string>() });
        Assert.Equal(HttpStatusCode.Created, screened.StatusCode);
        var id = (await screened.JsonAsync()).GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await client.PostJsonAsync($"/api/participants/{id}/consent",
            new { consentVersion = "1.0", consentedOn = "2026-11-20" })).StatusCode);
        var scores = new Dictionary<string, int> { ["cognitive"] = 1, ["interpersonal"] = 1, ["behavioral"] = 0, ["environmental"] = 0 };
        scores[lead] = 4;
        Assert.Equal(HttpStatusCode.OK, (await client.PostJsonAsync($"/api/participants/{id}/formulations",
            new { rater = "R01", scores, consensus = false })).StatusCode);
        return id;
    }

    /// <summary>Posts a rating by a coordinator on a rater's behalf: scores in the order cognitive, interpersonal, behavioral, environmental.</summary>
    public static Task<HttpResponseMessage> RateAsync(TrialServer server, string participantId, string rater, int[] s, bool consensus = false) =>
        server.Coordinator.PostJsonAsync($"/api/participants/{participantId}/formulations",
            new { rater, scores = new { cognitive = s[0], interpersonal = s[1], behavioral = s[2], environmental = s[3] }, consensus });
}
