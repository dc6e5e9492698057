using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TrialManager.Domain.Demo;
using TrialManager.Integration.Tests.Api;
using TrialManager.Integration.Tests.Harness;
using TrialManager.Server.Hosting;
using Xunit.Abstractions;

namespace TrialManager.Integration.Tests.Exports;

/// <summary>
/// The end-to-end proof that what the server records answers the trial's question: the demo trial, seeded through the
/// real commands with effects planted by <see cref="DemoModel"/>, exported over HTTP, and the export's own analysis.R
/// run with Rscript on the unzipped files; every planted effect must lie inside its 95% interval with the right sign.
/// SQLite only: the export's bytes do not depend on the database (the export tests run on both).
/// </summary>
public sealed class DemoAnalysisTests(DemoAnalysisTests.SeededDemo demo, ITestOutputHelper output) : IClassFixture<DemoAnalysisTests.SeededDemo>
{
    /// <summary>
    /// Screened people (about 30 % randomized, a third of them withdrawn after 3 to 10 sessions; docs/demo-data.md). Seeding
    /// goes through the commands one at a time, about 70 per randomized participant, so the size is what fits the test's
    /// time: about 70 courses, which put the weakest planted effect (the dose, -0.15) near 2.4 standard errors from zero.
    /// </summary>
    public const int Participants = 240;

    private const int LastSession = DemoModel.Sessions;

    /// <summary>Each named effect of analysis.R's results with the value DemoModel planted.</summary>
    private static readonly Dictionary<string, double> Planted = new(StringComparer.Ordinal)
    {
        ["matched_slope_per_week"] = DemoModel.MatchedSlopePerWeek,
        [$"formulation_x_arm_session{LastSession}"] = 2 * (LastSession - 1) * DemoModel.MatchedSlopePerWeek,
        ["unmatched_slope_per_week"] = DemoModel.PhqSlopePerWeek,
        ["mediator_lagged_alliance"] = DemoModel.MediatorLaggedAllianceEffect,
        ["moderator_lagged_alliance"] = DemoModel.ModeratorLaggedAllianceEffect,
        ["moderator_dose"] = DemoModel.ModeratorDoseEffect,
        ["moderator_alliance_x_dose"] = DemoModel.ModeratorAllianceByDoseEffect,
    };

    [Fact]
    public async Task AnalysisR_OnTheDemoExport_RecoversEveryPlantedEffect()
    {
        output.WriteLine($"Seeded {Participants} screened people in {demo.SeedTime.TotalSeconds:0} s; export {demo.Zip.Length:N0} bytes in {demo.ExportTime.TotalSeconds:0.0} s.");
        var directory = demo.Unzip();
        try
        {
            var watch = Stopwatch.StartNew();
            var (code, stdout, stderr) = await RStatistics.RunFileAsync(Path.Combine(directory, "analysis.R"), RStatistics.AnalysisPackages, [directory]);
            output.WriteLine($"Rscript took {watch.Elapsed.TotalSeconds:0.0} s:\n{stdout}\n{stderr}");
            Assert.True(code == 0, $"Rscript exited {code}:\n{stderr}");

            var (header, rows) = ReadCsv(await File.ReadAllTextAsync(Path.Combine(directory, "results.csv")));
            Assert.Equal(["effect", "model", "estimate", "se", "lower95", "upper95", "observations", "participants", "description"], header);
            Assert.Equal(Planted.Keys.Order(StringComparer.Ordinal), rows.Select(r => r["effect"]).Order(StringComparer.Ordinal));
            Assert.True(File.Exists(Path.Combine(directory, "results.json")));
            // Every effect is checked before the test fails, so a failure names them all.
            var misses = new List<string>();
            foreach (var row in rows)
            {
                var planted = Planted[row["effect"]];
                var (estimate, lower, upper) = (Number(row["estimate"]), Number(row["lower95"]), Number(row["upper95"]));
                if (!(lower <= planted && planted <= upper) || (planted != 0 && Math.Sign(estimate) != Math.Sign(planted)))
                {
                    misses.Add($"{row["effect"]}: planted {planted}, estimate {estimate:0.###} [{lower:0.###}, {upper:0.###}]");
                }
            }

            Assert.True(misses.Count == 0, "Not recovered:\n" + string.Join("\n", misses));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task AnalysisR_StopsOnTheHashCheck_WhenAnExportedFileWasChanged()
    {
        var directory = demo.Unzip();
        try
        {
            var scores = Path.Combine(directory, "scores.csv");
            var text = await File.ReadAllTextAsync(scores);
            // One PHQ-9 total edited by hand, the rest untouched.
            var at = text.IndexOf(",phq9,", StringComparison.Ordinal);
            Assert.True(at > 0);
            var line = text.IndexOf("\r\n", at, StringComparison.Ordinal);
            await File.WriteAllTextAsync(scores, string.Concat(text.AsSpan(0, line), "0", text.AsSpan(line)));

            var (code, _, stderr) = await RStatistics.RunFileAsync(Path.Combine(directory, "analysis.R"), RStatistics.AnalysisPackages, [directory]);

            Assert.NotEqual(0, code);
            Assert.Contains("Hash check failed: scores.csv has SHA-256", stderr, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(directory, "results.csv")));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static double Number(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>R's write.csv: a header, fields quoted with doubled quotes, LF line ends.</summary>
    private static (List<string> Header, List<Dictionary<string, string>> Rows) ReadCsv(string text)
    {
        var records = new List<List<string>>();
        var record = new List<string>();
        var field = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted && c == '"' && i + 1 < text.Length && text[i + 1] == '"')
            {
                field.Append('"');
                i++;
            }
            else if (c == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted && c == ',')
            {
                record.Add(field.ToString());
                field.Clear();
            }
            else if (!quoted && c == '\n')
            {
                record.Add(field.ToString().TrimEnd('\r'));
                field.Clear();
                records.Add(record);
                record = [];
            }
            else
            {
                field.Append(c);
            }
        }

        return (records[0], [.. records.Skip(1).Select(r => records[0].Zip(r).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal))]);
    }

    /// <summary>A server of its own (the shared ones may hold the default demo already), seeded once and exported once.</summary>
    public sealed class SeededDemo : IAsyncLifetime
    {
        private readonly SqliteTrialServer server = new();

        public byte[] Zip { get; private set; } = [];
        public TimeSpan SeedTime { get; private set; }
        public TimeSpan ExportTime { get; private set; }

        public async Task InitializeAsync()
        {
            await server.InitializeAsync();
            var watch = Stopwatch.StartNew();
            await DemoSeeder.SeedAsync(server.Factory.Services, server.Factory.Services.GetRequiredService<IHostEnvironment>(), Participants);
            SeedTime = watch.Elapsed;
            watch.Restart();
            var response = await server.Statistician.GetAsync("/api/trials/fbr-dep-01/export");
            await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, response);
            Zip = await response.Content.ReadAsByteArrayAsync();
            ExportTime = watch.Elapsed;
        }

        /// <summary>The export unzipped into a new directory, as a statistician would.</summary>
        public string Unzip()
        {
            var directory = Path.Combine(Path.GetTempPath(), $"tm-analysis-{Guid.NewGuid():N}");
            ZipFile.ExtractToDirectory(new MemoryStream(Zip), directory);
            return directory;
        }

        public Task DisposeAsync() => server.DisposeAsync();
    }
}
