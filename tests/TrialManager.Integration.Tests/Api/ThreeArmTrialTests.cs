using System.Net;
using TrialManager.Integration.Tests.Documents;
using TrialManager.Integration.Tests.Harness;

namespace TrialManager.Integration.Tests.Api;

/// <summary>
/// A trial with a third arm, the comparator (treatment chosen by diagnosis): it enrols, randomizes in the ratio it
/// registered, verifies, exports, and gives the comparator's participants the comparator's protocol text.
/// </summary>
public abstract class ThreeArmTrialTests(TrialServer server)
{
    private async Task<string> CreateAsync()
    {
        var definition = TestTrials.Definition();
        definition["arms"] = new object[] { new { code = "mediator", ratio = 1 }, new { code = "moderator", ratio = 1 }, new { code = "comparator", ratio = 1 } };
        definition["randomization"] = new { method = "permutedBlocks", blockSizes = new[] { 3, 6 }, stratifyBy = new[] { "formulation", "site" } };
        definition["hypothesis"] = new Dictionary<string, string?> { ["cognitive"] = "moderator", ["interpersonal"] = "comparator" };
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Admin.PostJsonAsync("/api/trials", definition));
        var id = (string)definition["id"]!;
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await server.Admin.PostJsonAsync($"/api/trials/{id}/status", new { status = "recruiting" }));
        return id;
    }

    [ServerFact]
    public async Task ThreeArmTrial_RandomizesIntoEveryArmInWholeBlocks_AndVerifies()
    {
        var trialId = await CreateAsync();
        var arms = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            var randomized = await DocumentSupport.RandomizedParticipantAsync(server, trialId, site: "AAA", lead: "cognitive");
            arms.Add(randomized.GetProperty("arm").GetString()!);
        }

        // One stratum, twelve participants: the first block (3 or 6) is complete, so every arm has appeared; complete
        // blocks hold each arm equally and the open one at most two of an arm, so no arm is ahead by more than two.
        Assert.Equal(["comparator", "mediator", "moderator"], arms.Distinct().Order());
        Assert.InRange(arms.GroupBy(a => a).Max(g => g.Count()) - arms.GroupBy(a => a).Min(g => g.Count()), 0, 2);

        var verify = await (await server.Statistician.PostAsync(new Uri($"/api/trials/{trialId}/randomization-plan/verify", UriKind.Relative), null)).JsonAsync();
        Assert.True(verify.GetProperty("matches").GetBoolean(), verify.GetRawText());

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/trials/{trialId}/allocations");
        request.Headers.Accept.ParseAdd("text/csv");
        var csv = await (await server.Statistician.SendAsync(request)).Content.ReadAsStringAsync();
        var rows = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
        Assert.Equal(12, rows.Count);
        Assert.Equal(arms.Count(a => a == "comparator"), rows.Count(r => r.Contains(",comparator,", StringComparison.Ordinal)));
        // The hypothesis predicts the moderator for cognitive cases: only those allocations are matched.
        Assert.Equal(arms.Count(a => a == "moderator"), rows.Count(r => r.TrimEnd('\r').EndsWith(",true,false,false", StringComparison.Ordinal)));
    }

    [ServerFact]
    public async Task ComparatorParticipant_GetsTheComparatorsProtocolText()
    {
        var trialId = await CreateAsync();
        string? comparator = null;
        for (var i = 0; i < 6 && comparator is null; i++)
        {
            var randomized = await DocumentSupport.RandomizedParticipantAsync(server, trialId, site: "BBB", lead: "interpersonal");
            if (randomized.GetProperty("arm").GetString() == "comparator")
            {
                comparator = randomized.GetProperty("participantId").GetString();
            }
        }

        // Blocks of 3 or 6 hold one comparator at least in any 6 consecutive allocations of a stratum.
        Assert.NotNull(comparator);
        var (pdf, _) = await DocumentSupport.WaitForProtocolDocumentAsync(server.Coordinator, comparator!, TimeSpan.FromSeconds(60));
        var text = new PdfText(pdf);
        Assert.True(text.Contains("Comparator, treatment chosen by diagnosis"));
        Assert.True(text.Contains("Comparator (treatment chosen by diagnosis)"));
    }

    [ServerFact]
    public async Task ATrialWithoutBothRelationshipArms_IsA400()
    {
        var definition = TestTrials.Definition();
        definition["arms"] = new object[] { new { code = "mediator", ratio = 1 }, new { code = "comparator", ratio = 1 } };

        (await ProblemAssertions.Assert400Async(await server.Admin.PostJsonAsync("/api/trials", definition))).AssertNames("arms");
        Assert.Equal(HttpStatusCode.NotFound, (await server.Admin.GetAsync(new Uri($"/api/trials/{definition["id"]}", UriKind.Relative))).StatusCode);
    }
}

[Collection(SqliteServerCollection.Name)]
public sealed class ThreeArmTrialTests_Sqlite(SqliteTrialServer server) : ThreeArmTrialTests(server);

[Collection(PostgresServerCollection.Name)]
public sealed class ThreeArmTrialTests_Postgres(PostgresTrialServer server) : ThreeArmTrialTests(server), IRunsOnPostgres;
