using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using TrialManager.Integration.Tests.Harness;

namespace TrialManager.Integration.Tests.Instruments;

/// <summary>An invalid instrument definition stops the server before it serves, naming the file and the problem.</summary>
public sealed class InstrumentStartupTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("trialmanager-instruments-").FullName;

    [Fact]
    public void Start_WithABandGapInPhq9_Fails_NamingTheFileAndTheGap()
    {
        var protocols = Path.Combine(folder, "protocols");
        CopyFolder(RepositoryPaths.Source("protocols"), protocols);
        var phq9 = Path.Combine(protocols, "instruments", "phq9.json");
        var definition = JsonNode.Parse(File.ReadAllText(phq9))!;
        definition["bands"]![2]!["min"] = 11;
        File.WriteAllText(phq9, definition.ToJsonString());

        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Development");
            builder.UseSetting("TrialManager:DataDirectory", Path.Combine(folder, "data"));
            builder.UseSetting("TrialManager:ProtocolsDirectory", protocols);
        });

        var error = Assert.ThrowsAny<Exception>(() => factory.Server);
        var messages = string.Join(" | ", Chain(error).Select(e => e.Message));
        Assert.Contains("phq9.json is not a valid instrument definition", messages, StringComparison.Ordinal);
        Assert.Contains("'moderate' starts at 11, not 10", messages, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static IEnumerable<Exception> Chain(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            yield return x;
        }
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
