using System.Globalization;
using TrialManager.Integration.Tests.Harness;
using Xunit.Abstractions;

namespace TrialManager.Integration.Tests.Hosting;

/// <summary>
/// Issue 2: the built server starts to healthy on SQLite in under 3 s (figures in docs/benchmarks.md). Wall time
/// depends on what else the machine runs, so the bounds here are generous: a hang or a start-up that does several
/// times the work it does today fails; the 3 s itself is measured and recorded, not asserted.
/// </summary>
[Trait("Category", "Slow")]
public sealed class ServerStartupTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan WallLimit = TimeSpan.FromSeconds(45);
    private static readonly TimeSpan CpuLimit = TimeSpan.FromSeconds(8);

    private readonly string dataDirectory = Directory.CreateTempSubdirectory("trialmanager-startup-").FullName;

    [Fact]
    public async Task BuiltServer_OnAFreshAndAnExistingSqliteDirectory_IsHealthyWithinBounds()
    {
        foreach (var kind in new[] { "fresh", "existing" })
        {
            await using var server = ServerProcess.Start(new ServerStart { Settings = new Dictionary<string, string> { ["TrialManager:DataDirectory"] = dataDirectory } });
            var wall = await server.WaitHealthyAsync(WallLimit);
            var cpu = server.CpuTime;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{RepositoryPaths.Configuration}, {kind} data directory: healthy after {wall.TotalMilliseconds:F0} ms wall, {cpu.TotalMilliseconds:F0} ms CPU; load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));

            Assert.True(File.Exists(Path.Combine(dataDirectory, "trialmanager.db")));
            Assert.True(cpu < CpuLimit, $"Start-up took {cpu} of CPU (limit {CpuLimit}).");
        }
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(dataDirectory, recursive: true);
    }
}
