namespace TrialManager.Testing;

/// <summary>The repository the running tests (or benchmarks) were built from, found once, and the server built in it.</summary>
public static class RepositoryPaths
{
    private static readonly Lazy<string> RootDirectory = new(FindRoot);

    /// <summary>The folder holding TrialManager.sln.</summary>
    public static string Root => RootDirectory.Value;

    /// <summary>Debug or Release: the configuration the running assembly (and so the server it builds) was built in.</summary>
    public static string Configuration { get; } =
        new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent?.Name ?? "Debug";

    /// <summary>A path in the repository, e.g. <c>protocols/demo-trial.json</c>.</summary>
    public static string Source(string relative) => Path.Combine(Root, relative);

    public static string ServerProject => Source(Path.Combine("src", "TrialManager.Server"));

    /// <summary>The server's own output (its deps.json, static assets and protocols beside it) in a configuration.</summary>
    public static string ServerDll(string? configuration = null) =>
        Path.Combine(ServerProject, "bin", configuration ?? Configuration, "net10.0", "TrialManager.Server.dll");

    // From the binaries up, then from the working directory (a benchmark run from elsewhere in the tree).
    private static string FindRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "TrialManager.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException($"No TrialManager.sln above {AppContext.BaseDirectory} or {Environment.CurrentDirectory}.");
    }
}
