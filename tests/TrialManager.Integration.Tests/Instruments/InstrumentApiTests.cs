using System.Net;
using System.Text.Json;
using TrialManager.Integration.Tests.Api;
using TrialManager.Integration.Tests.Harness;

namespace TrialManager.Integration.Tests.Instruments;

/// <summary>GET /api/instruments and GET /api/instruments/{code}: the definitions as loaded, for any role.</summary>
public abstract class InstrumentApiTests(TrialServer server)
{
    [ServerFact]
    public async Task ListInstruments_GivesEveryShippedInstrument_ByCode_ToEveryRole()
    {
        foreach (var key in new[] { "dev-coordinator", "dev-statistician", "dev-ethics", "dev-admin", "dev-rater" })
        {
            var response = await server.Client(key).GetAsync("/api/instruments");

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var codes = (await response.JsonAsync()).EnumerateArray().Select(i => i.GetProperty("code").GetString()).ToList();
            Assert.Equal(
                ["alliance12", "fidelity-behavioral", "fidelity-cognitive", "fidelity-environmental", "fidelity-interpersonal", "formulation", "gad7", "phq9", "ruptureLog", "techniqueDose"],
                codes);
        }
    }

    [ServerFact]
    public async Task GetFormulation_GivesTheRatersTheAnchoredScale_AndThePrimaryRule_ButNotTheAssessor()
    {
        var response = await server.Client("dev-rater").GetAsync("/api/instruments/formulation");

        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, response);
        var formulation = await response.JsonAsync();
        Assert.Equal("rater", formulation.GetProperty("respondent").GetString());
        var items = formulation.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["cognitive", "interpersonal", "behavioral", "environmental"], items.Select(i => i.GetProperty("id").GetString()));
        foreach (var item in items)
        {
            var scale = item.GetProperty("scale");
            Assert.Equal((0, 4), (scale.GetProperty("min").GetInt32(), scale.GetProperty("max").GetInt32()));
            Assert.Equal(
                ["0 absent", "1 minor", "2 moderate", "3 major", "4 central"],
                scale.GetProperty("anchors").EnumerateArray().Select(a => $"{a.GetProperty("value").GetInt32()} {a.GetProperty("label").GetString()}"));
        }

        Assert.Equal("none", formulation.GetProperty("scoring").GetProperty("method").GetString());
        Assert.Equal("refuse", formulation.GetProperty("scoring").GetProperty("missing").GetProperty("policy").GetString());
        var rule = formulation.GetProperty("primaryRule").GetString()!;
        Assert.Contains("formulationRule.minMargin", rule, StringComparison.Ordinal);
        Assert.Contains("indeterminate", rule, StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, (await (await server.Coordinator.GetAsync("/api/instruments/phq9")).JsonAsync()).GetProperty("primaryRule").ValueKind);

        // An assessor enters the instruments the participant answers only, and the formulation is a rater's.
        var assessor = server.Client("dev-assessor");
        Assert.Equal(HttpStatusCode.Forbidden, (await assessor.GetAsync("/api/instruments/formulation")).StatusCode);
        var shown = (await (await assessor.GetAsync("/api/instruments?limit=1000")).JsonAsync()).EnumerateArray().Select(i => i.GetProperty("code").GetString());
        Assert.DoesNotContain("formulation", shown);
    }

    [ServerFact]
    public async Task GetPhq9_GivesItemsScaleScoringMissingRuleBandsAlertsAndLicence()
    {
        var phq9 = await (await server.Coordinator.GetAsync("/api/instruments/phq9")).JsonAsync();

        Assert.Equal("1.0", phq9.GetProperty("version").GetString());
        Assert.Equal("participant", phq9.GetProperty("respondent").GetString());
        Assert.Contains("Kroenke", phq9.GetProperty("licence").GetString(), StringComparison.Ordinal);
        Assert.Equal("own", phq9.GetProperty("wording").GetProperty("kind").GetString());

        var items = phq9.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(1, 9).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), items.Select(i => i.GetProperty("id").GetString()));
        Assert.Equal("Thoughts of self-harm", items[8].GetProperty("label").GetString());
        var scale = items[0].GetProperty("scale");
        Assert.Equal(0, scale.GetProperty("min").GetInt32());
        Assert.Equal(3, scale.GetProperty("max").GetInt32());
        Assert.Equal([0, 1, 2, 3], scale.GetProperty("anchors").EnumerateArray().Select(a => a.GetProperty("value").GetInt32()));

        var scoring = phq9.GetProperty("scoring");
        Assert.Equal("sum", scoring.GetProperty("method").GetString());
        Assert.True(scoring.GetProperty("total").GetBoolean());
        Assert.Equal("prorate", scoring.GetProperty("missing").GetProperty("policy").GetString());
        Assert.Equal(1, scoring.GetProperty("missing").GetProperty("maxMissing").GetInt32());

        Assert.Equal(
            ["minimal 0-4", "mild 5-9", "moderate 10-14", "moderatelySevere 15-19", "severe 20-27"],
            phq9.GetProperty("bands").EnumerateArray().Select(b => $"{b.GetProperty("code").GetString()} {b.GetProperty("min").GetDouble()}-{b.GetProperty("max").GetDouble()}"));
        var selfHarm = phq9.GetProperty("alerts").EnumerateArray().First();
        Assert.Equal(("selfHarm", "itemAbove", "9", 0), (selfHarm.GetProperty("code").GetString(), selfHarm.GetProperty("kind").GetString(),
            selfHarm.GetProperty("item").GetString(), selfHarm.GetProperty("above").GetInt32()));
    }

    [ServerFact]
    public async Task GetAlliance12_GivesItsSubscales_AndTheRuptureLog_ItsConditionsAndCodes()
    {
        var alliance = await (await server.Statistician.GetAsync("/api/instruments/alliance12")).JsonAsync();
        Assert.Equal(
            ["goal 1,4,7,10", "task 2,5,8,11", "bond 3,6,9,12"],
            alliance.GetProperty("subscales").EnumerateArray().Select(s =>
                $"{s.GetProperty("code").GetString()} {string.Join(",", s.GetProperty("items").EnumerateArray().Select(i => i.GetString()))}"));
        Assert.Equal("mean", alliance.GetProperty("scoring").GetProperty("method").GetString());

        var log = await (await server.Ethics.GetAsync("/api/instruments/ruptureLog")).JsonAsync();
        var type = log.GetProperty("items")[1];
        Assert.Equal("1", type.GetProperty("appliesWhen").GetProperty("item").GetString());
        Assert.Equal(["withdrawal", "confrontation"], type.GetProperty("scale").GetProperty("anchors").EnumerateArray().Select(a => a.GetProperty("code").GetString()));
        Assert.Equal("refuse", log.GetProperty("scoring").GetProperty("missing").GetProperty("policy").GetString());
    }

    [ServerFact]
    public async Task GetAFidelityForm_NamesNoArm_NorTheTagsThatWouldTellTheRaterWhichItemsBelongToWhichArm()
    {
        var response = await server.Admin.GetAsync("/api/instruments/fidelity-interpersonal");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("mediator", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("moderator", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("\"tag\"", text, StringComparison.Ordinal);
        var items = JsonDocument.Parse(text).RootElement.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["adherence", "competence"], items.Take(2).Select(i => i.GetProperty("dimension").GetString()));
    }

    [ServerFact]
    public async Task GetAnUnknownCode_Is404_AndWithoutAKey_401()
    {
        foreach (var code in new[] { "phq8", "PHQ9", "fidelity-astrological", "..%2Fphq9" })
        {
            var response = await server.Coordinator.GetAsync($"/api/instruments/{code}");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Client(null).GetAsync("/api/instruments/phq9")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Client(null).GetAsync("/api/instruments")).StatusCode);
    }
}

[Collection(SqliteServerCollection.Name)]
public sealed class InstrumentApiTests_Sqlite(SqliteTrialServer server) : InstrumentApiTests(server);

[Collection(PostgresServerCollection.Name)]
public sealed class InstrumentApiTests_Postgres(PostgresTrialServer server) : InstrumentApiTests(server), IRunsOnPostgres;
