using System.Reflection;
using System.Text.RegularExpressions;
using TrialManager.Integration.Tests.Harness;
using TrialManager.Server.Hosting;

namespace TrialManager.Integration.Tests.Architecture;

/// <summary>
/// The server's folders (its namespaces) depend on each other in one direction only, read from the compiled types:
/// Common below Security, Security below the features, the features below Jobs and Pages, Hosting on top.
/// </summary>
public sealed partial class ServerFolderTests
{
    private const string Root = "TrialManager.Server.";

    private static readonly Assembly ServerAssembly = typeof(ServerSetup).Assembly;

    private static readonly Lazy<IReadOnlyList<(Type From, Type To)>> References = new(() =>
        [.. ServerAssembly.GetTypes().SelectMany(t => TypeReferences.Of(t).Where(r => r.Assembly == ServerAssembly).Select(r => (t, r)))]);

    [Fact]
    public void TopLevelFolders_AreTheOnesTheArchitecturePageNames()
    {
        var folders = ServerAssembly.GetTypes().Select(t => FolderOf(t, depth: 1)).OfType<string>().Distinct().Order(StringComparer.Ordinal);

        Assert.Equal(["Common", "Features", "Hosting", "Jobs", "Pages", "Security"], folders);
    }

    [Fact]
    public void Sources_DeclareTheNamespaceOfTheirFolder()
    {
        var misplaced = Sources.Value.Where(s => s.Namespace is not null && s.Namespace != "TrialManager.Server" + FolderNamespace(s.Path))
            .Select(s => $"{s.Path}: {s.Namespace}").ToList();

        Assert.True(misplaced.Count == 0, string.Join(Environment.NewLine, misplaced));
    }

    [Fact]
    public void TopLevelFolders_HaveNoDependencyCycle() => AssertNoCycles(depth: 1);

    [Fact]
    public void FeatureAreasAndPageFolders_HaveNoDependencyCycle() => AssertNoCycles(depth: 2);

    [Theory]
    [InlineData("Common", new[] { "Security", "Features", "Jobs", "Pages", "Hosting" })]
    [InlineData("Security", new[] { "Features", "Jobs", "Pages", "Hosting" })]
    [InlineData("Features", new[] { "Jobs", "Pages", "Hosting" })]
    public void Folder_DependsOnNoFolderAboveIt(string folder, string[] above)
    {
        var offending = Edges(depth: 1).Where(e => e.Key.From == folder && above.Contains(e.Key.To)).Select(e => e.Value).ToList();

        Assert.True(offending.Count == 0, string.Join(Environment.NewLine, offending));
    }

    [Fact]
    public void CycleFinder_OnAMadeUpGraph_FindsItsCycleAndNothingElse()
    {
        var graph = new Dictionary<string, IReadOnlySet<string>>
        {
            ["A"] = new HashSet<string> { "B" },
            ["B"] = new HashSet<string> { "C", "E" },
            ["C"] = new HashSet<string> { "A" },
            ["D"] = new HashSet<string> { "A" },
            ["E"] = new HashSet<string> { "E" },
        };

        var cycle = Assert.Single(DependencyCycles.Find(graph));
        Assert.Equal(["A", "B", "C"], cycle);
    }

    [Fact]
    public void CycleFinder_OnALayeredGraphAndOnTwoFoldersUsingEachOther_AnswersNoneAndOne()
    {
        var layered = new Dictionary<string, IReadOnlySet<string>>
        {
            ["Hosting"] = new HashSet<string> { "Pages", "Features", "Common" },
            ["Pages"] = new HashSet<string> { "Features", "Common" },
            ["Features"] = new HashSet<string> { "Common" },
        };
        var mutual = new Dictionary<string, IReadOnlySet<string>>(layered) { ["Common"] = new HashSet<string> { "Pages" } };

        Assert.Empty(DependencyCycles.Find(layered));
        Assert.Equal(["Common", "Features", "Pages"], Assert.Single(DependencyCycles.Find(mutual)));
    }

    [Fact]
    public void TypeReferences_SeeWhatAMethodBodyAlone_Uses()
    {
        // Neither signature names the page model: only the body's `new` does. The reader must see it.
        var used = TypeReferences.Of(typeof(ReferencesInBodyOnly));

        Assert.Contains(typeof(Server.Pages.Shared.FormHtml), used);
        Assert.Contains(typeof(Server.Common.Wire), used);
    }

    private static class ReferencesInBodyOnly
    {
        public static object Make() => typeof(Server.Pages.Shared.FormHtml).Name + Server.Common.Wire.TryParse<DayOfWeek>("monday", out _);
    }

    private static void AssertNoCycles(int depth)
    {
        var edges = Edges(depth);
        var graph = edges.Keys.GroupBy(e => e.From).ToDictionary(g => g.Key, g => (IReadOnlySet<string>)g.Select(e => e.To).ToHashSet());
        var cycles = DependencyCycles.Find(graph);

        // Each cycle with the reference behind each of its edges, so the message says what to move.
        var explained = cycles.Select(c => string.Join(", ", c) + ": " + string.Join("; ",
            edges.Where(e => c.Contains(e.Key.From) && c.Contains(e.Key.To)).Select(e => e.Value))).ToList();
        Assert.True(explained.Count == 0, string.Join(Environment.NewLine, explained));
    }

    /// <summary>
    /// Every use of one folder's type by another folder's, with one example per pair of folders: from the IL, and
    /// from the sources' using directives, which also see what the compiler copies in (constants, nameof).
    /// </summary>
    private static Dictionary<(string From, string To), string> Edges(int depth)
    {
        var edges = new Dictionary<(string From, string To), string>();
        foreach (var source in Sources.Value)
        {
            foreach (var used in source.Usings)
            {
                if (FolderOf(source.Namespace, depth) is { } a && FolderOf(used, depth) is { } b && a != b)
                {
                    edges.TryAdd((a, b), $"{a} -> {b} ({source.Path} imports {used})");
                }
            }
        }

        foreach (var (from, to) in References.Value)
        {
            if (FolderOf(from, depth) is { } a && FolderOf(to, depth) is { } b && a != b)
            {
                edges.TryAdd((a, b), $"{a} -> {b} ({Name(from)} uses {Name(to)})");
            }
        }

        return edges;
    }

    /// <summary>
    /// The folder of a type, to the given depth below the server's namespace (Features, or Features.Participants);
    /// the compiled Razor views are the pages'. Null for what is no folder's: Program, generated code.
    /// </summary>
    internal static string? FolderOf(Type type, int depth) =>
        type.Namespace == "AspNetCoreGeneratedDocument" ? "Pages" : FolderOf(type.Namespace, depth);

    private static string? FolderOf(string? ns, int depth) =>
        ns is not null && ns.StartsWith(Root, StringComparison.Ordinal) ? string.Join('.', ns[Root.Length..].Split('.').Take(depth)) : null;

    /// <summary>".Features.Participants" for src/TrialManager.Server/Features/Participants/X.cs; "" at the root.</summary>
    private static string FolderNamespace(string path) =>
        string.Concat(Path.GetDirectoryName(path)!.Split('/').Skip(2).Select(d => "." + d));

    private static readonly Lazy<IReadOnlyList<(string Path, string? Namespace, IReadOnlyList<string> Usings)>> Sources = new(() =>
    [
        .. Directory.EnumerateFiles(RepositoryPaths.Source("src/TrialManager.Server"), "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(RepositoryPaths.Root, f).Replace('\\', '/'))
            .Where(f => !f.Contains("/bin/", StringComparison.Ordinal) && !f.Contains("/obj/", StringComparison.Ordinal))
            .Select(f => (f, File.ReadAllText(RepositoryPaths.Source(f))))
            .Select(f => (f.Item1, FileNamespace().Match(f.Item2) is { Success: true } m ? m.Groups[1].Value : null,
                (IReadOnlyList<string>)[.. ServerUsing().Matches(f.Item2).Select(u => u.Groups[1].Value)])),
    ]);

    [GeneratedRegex(@"^namespace ([\w.]+);", RegexOptions.Multiline)]
    private static partial Regex FileNamespace();

    [GeneratedRegex(@"^using (TrialManager\.Server\.[\w.]+);", RegexOptions.Multiline)]
    private static partial Regex ServerUsing();

    private static string Name(Type type) => (type.DeclaringType is { } outer ? Name(outer) + "+" : string.Empty) + type.Name;
}
