using System.Globalization;
using TrialManager.Domain.Statistics;
using TrialManager.Integration.Tests.Harness;

namespace TrialManager.Integration.Tests.Statistics;

/// <summary>
/// The F distribution functions behind the ICC intervals and the power figures, held to R's qf and pf (central and
/// noncentral) over a grid that covers small and large degrees of freedom and both tails.
/// </summary>
public sealed class DistributionCrossCheckTests
{
    private static readonly (double Df1, double Df2)[] Degrees = [(1, 1), (1, 18), (2, 7), (5, 18), (3, 236), (6, 594), (59, 60), (9_999, 10_000)];
    private static readonly double[] Probabilities = [0.001, 0.025, 0.5, 0.95, 0.975, 0.999];
    private static readonly double[] Noncentralities = [0.5, 3.75, 7.85, 40, 250];

    [Fact]
    public async Task FQuantileAndNoncentralCdf_MatchR()
    {
        var script = new System.Text.StringBuilder("out <- function(name, value) cat(sprintf(\"%s %.17g\\n\", name, value))\n");
        foreach (var (df1, df2) in Degrees)
        {
            foreach (var p in Probabilities)
            {
                script.Append(CultureInfo.InvariantCulture, $"out(\"q_{df1}_{df2}_{p}\", qf({p}, {df1}, {df2}))\n");
            }

            foreach (var lambda in Noncentralities)
            {
                script.Append(CultureInfo.InvariantCulture, $"out(\"pn_{df1}_{df2}_{lambda}\", pf(qf(0.95, {df1}, {df2}), {df1}, {df2}, ncp = {lambda}))\n");
            }
        }

        var r = RStatistics.ParseValues(await RStatistics.RunAsync(script.ToString()));

        foreach (var (df1, df2) in Degrees)
        {
            foreach (var p in Probabilities)
            {
                var expected = r[string.Create(CultureInfo.InvariantCulture, $"q_{df1}_{df2}_{p}")];
                Assert.True(Math.Abs(FDistribution.Quantile(p, df1, df2) / expected - 1) < 1e-9, $"qf({p}, {df1}, {df2}) = {expected}");
            }

            foreach (var lambda in Noncentralities)
            {
                var expected = r[string.Create(CultureInfo.InvariantCulture, $"pn_{df1}_{df2}_{lambda}")];
                var actual = NoncentralF.Cdf(FDistribution.Quantile(0.95, df1, df2), df1, df2, lambda);
                Assert.True(Math.Abs(actual - expected) < 1e-9, $"pf(qf(.95), {df1}, {df2}, ncp = {lambda}) = {expected}, not {actual}");
            }
        }
    }
}
