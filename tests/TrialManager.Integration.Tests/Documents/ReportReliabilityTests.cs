using System.Globalization;
using System.Net;
using TrialManager.Integration.Tests.Api;
using TrialManager.Integration.Tests.Harness;
using static TrialManager.Integration.Tests.Documents.DocumentSupport;

namespace TrialManager.Integration.Tests.Documents;

/// <summary>The ethics report's agreement figures are the API's (GET /reliability) at generation time.</summary>
public abstract class ReportReliabilityTests(TrialServer server)
{
    [ServerFact]
    public async Task EthicsReport_PrintsTheAgreementStatisticsOfTheApi()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        int[][] first = [[4, 0, 0, 0], [0, 4, 0, 0], [4, 1, 0, 0], [1, 4, 0, 0], [3, 0, 1, 0], [0, 3, 0, 1], [4, 2, 0, 0], [2, 4, 0, 0]];
        int[][] second = [[4, 1, 0, 0], [0, 4, 1, 0], [1, 4, 0, 0], [1, 4, 0, 0], [3, 1, 1, 0], [0, 4, 0, 0], [4, 1, 0, 0], [4, 2, 0, 0]];
        for (var i = 0; i < first.Length; i++)
        {
            var id = await TestTrials.FormulatedParticipantAsync(server, trialId);
            await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await TestTrials.RateAsync(server, id, "R02", second[i]));
            await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await TestTrials.RateAsync(server, id, "R03", first[i]));
        }

        var reliability = await (await server.Statistician.GetAsync($"/api/trials/{trialId}/reliability")).JsonAsync();
        var requested = await server.Ethics.PostJsonAsync($"/api/trials/{trialId}/reports", new { kind = "ethicsProgress" });
        var location = requested.Headers.Location ?? throw new InvalidOperationException("No Location on the 202.");
        await WaitForReportAsync(server.Ethics, location, TimeSpan.FromSeconds(60));
        var text = new PdfText(await server.Ethics.GetByteArrayAsync(new Uri(location.OriginalString + "/pdf", UriKind.Relative)));

        string F(string name) => reliability.GetProperty(name).GetDouble().ToString("0.00", CultureInfo.InvariantCulture);
        Assert.True(text.Contains("Fleiss' kappa (all independent ratings) " + F("fleissKappa")), "Fleiss' kappa " + F("fleissKappa"));
        Assert.True(text.Contains("Krippendorff's alpha (nominal) " + F("krippendorffAlpha")), "Krippendorff's alpha " + F("krippendorffAlpha"));
        var cognitive = reliability.GetProperty("icc").GetProperty("cognitive");
        string I(string name) => cognitive.GetProperty(name).GetDouble().ToString("0.00", CultureInfo.InvariantCulture);
        Assert.True(text.Contains($"ICC(1,1), cognitive score {I("value")} (95% CI {I("lower")} to {I("upper")}; n = 8)"), "ICC of the cognitive score");
    }
}

[Collection(SqliteServerCollection.Name)]
public sealed class ReportReliabilityTests_Sqlite(SqliteTrialServer server) : ReportReliabilityTests(server);

[Collection(PostgresServerCollection.Name)]
public sealed class ReportReliabilityTests_Postgres(PostgresTrialServer server) : ReportReliabilityTests(server), IRunsOnPostgres;
