using Microsoft.Extensions.Configuration;
using TrialManager.Infrastructure.Persistence;

namespace TrialManager.Infrastructure.Tests.Persistence;

public sealed class DataPathsTests
{
    private static DataPaths From(string? dataDirectory, string? documents) =>
        DataPaths.From(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TrialManager:DataDirectory"] = dataDirectory,
            ["TrialManager:Documents:Path"] = documents,
        }).Build());

    [Fact]
    public void From_NothingConfigured_KeepsEverythingUnderDataInTheWorkingDirectory()
    {
        var paths = From(null, null);
        Assert.Equal(Path.GetFullPath("data"), paths.DataDirectory);
        Assert.Equal(Path.Combine(Path.GetFullPath("data"), "trialmanager.db"), paths.SqliteFile);
        Assert.Equal(Path.Combine(Path.GetFullPath("data"), "documents"), paths.DocumentsDirectory);
    }

    [Fact]
    public void From_ADocumentsPath_MovesOnlyTheDocuments_ResolvedToAFullPath()
    {
        var root = Path.Combine(Path.GetTempPath(), "tm-paths");
        var paths = From(root, "shared/documents");
        Assert.Equal(root, paths.DataDirectory);
        Assert.Equal(Path.Combine(root, "trialmanager.db"), paths.SqliteFile);
        Assert.Equal(Path.GetFullPath("shared/documents"), paths.DocumentsDirectory);
    }
}
