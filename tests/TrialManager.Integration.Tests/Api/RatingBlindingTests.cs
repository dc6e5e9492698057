using System.Net;
using TrialManager.Integration.Tests.Harness;

namespace TrialManager.Integration.Tests.Api;

/// <summary>A rating made after allocation is kept, but marked unblinded and left out of every agreement figure.</summary>
public abstract class RatingBlindingTests(TrialServer server)
{
    [ServerFact]
    public async Task Rating_AfterAllocation_IsKept_MarkedUnblinded_AndLeftOutOfReliability()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        var id = await TestTrials.FormulatedParticipantAsync(server, trialId);
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await TestTrials.RateAsync(server, id, "R02", [4, 1, 0, 0]));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Coordinator.PostJsonAsync($"/api/participants/{id}/randomization", null));

        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await TestTrials.RateAsync(server, id, "R03", [0, 4, 0, 0]));

        var ratings = (await (await server.Coordinator.GetAsync($"/api/participants/{id}")).JsonAsync()).GetProperty("ratings");
        Assert.Equal([true, true, false], ratings.EnumerateArray().Select(r => r.GetProperty("blinded").GetBoolean()));
        var reliability = await (await server.Statistician.GetAsync($"/api/trials/{trialId}/reliability")).JsonAsync();
        Assert.Equal(2, reliability.GetProperty("independentRatings").GetInt64()); // R01 and R02; not R03
        Assert.DoesNotContain(reliability.GetProperty("raters").EnumerateArray(), r => r.GetProperty("rater").GetString() == "R03");
    }
}

[Collection(SqliteServerCollection.Name)]
public sealed class RatingBlindingTests_Sqlite(SqliteTrialServer server) : RatingBlindingTests(server);

[Collection(PostgresServerCollection.Name)]
public sealed class RatingBlindingTests_Postgres(PostgresTrialServer server) : RatingBlindingTests(server), IRunsOnPostgres;
