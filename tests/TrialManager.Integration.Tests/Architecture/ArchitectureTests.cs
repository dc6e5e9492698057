using System.Reflection;
using System.Text.RegularExpressions;
using TrialManager.Domain.Participants;
using TrialManager.Infrastructure.Auditing;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Integration.Tests.Harness;

namespace TrialManager.Integration.Tests.Architecture;

/// <summary>The cut of docs/architecture.md, checked on the compiled assemblies and the sources.</summary>
public sealed partial class ArchitectureTests
{
    private static readonly Assembly Domain = typeof(Participant).Assembly;
    private static readonly Assembly Infrastructure = typeof(TrialDbContext).Assembly;
    private static readonly string[] MigrationAssemblies =
        ["TrialManager.Migrations.Sqlite", "TrialManager.Migrations.SqlServer", "TrialManager.Migrations.PostgreSql"];

    /// <summary>The shared framework's own assemblies (System.Runtime, System.Linq, ...): the BCL.</summary>
    private static readonly HashSet<string> Bcl = [.. Directory.EnumerateFiles(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "*.dll")
        .Select(Path.GetFileNameWithoutExtension).OfType<string>()];

    [Fact]
    public void Domain_ReferencesOnlyTheBclAndStateless()
    {
        var references = Domain.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.Contains("Stateless", references);
        Assert.DoesNotContain(references, r => r != "Stateless" && !Bcl.Contains(r));
        Assert.DoesNotContain(references, r => r.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal)
            || r.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal)
            || r.StartsWith("Hangfire", StringComparison.Ordinal)
            || r.StartsWith("Mediator", StringComparison.Ordinal));
    }

    [Fact]
    public void BclCheck_RecognisesAFrameworkAssemblyAndRejectsAPackage()
    {
        // The control for the domain check: the BCL set is the real shared framework, not everything.
        Assert.Contains("System.Runtime", Bcl);
        Assert.DoesNotContain("Microsoft.EntityFrameworkCore", Bcl);
        Assert.DoesNotContain("Stateless", Bcl);
    }

    [Fact]
    public void Infrastructure_ReferencesNeitherTheServerNorTheMigrations()
    {
        var references = Infrastructure.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.Contains("TrialManager.Domain", references);
        Assert.DoesNotContain("TrialManager.Server", references);
        Assert.Empty(references.Intersect(MigrationAssemblies));
        // The project files say the same, so an unused reference cannot slip in either.
        var project = File.ReadAllText(RepositoryPaths.Source("src/TrialManager.Infrastructure/TrialManager.Infrastructure.csproj"));
        Assert.DoesNotContain("TrialManager.Server", project, StringComparison.Ordinal);
        Assert.DoesNotContain("TrialManager.Migrations", project, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("TrialManager.Migrations.Sqlite")]
    [InlineData("TrialManager.Migrations.SqlServer")]
    [InlineData("TrialManager.Migrations.PostgreSql")]
    public void MigrationsProject_ReferencesInfrastructureAndNotTheServer(string name)
    {
        var assembly = Assembly.Load(name);
        var references = assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.Contains("TrialManager.Infrastructure", references);
        Assert.DoesNotContain("TrialManager.Server", references);
        var project = File.ReadAllText(RepositoryPaths.Source($"migrations/{name}/{name}.csproj"));
        Assert.Contains(@"src\TrialManager.Infrastructure\TrialManager.Infrastructure.csproj", project, StringComparison.Ordinal);
        Assert.DoesNotContain("TrialManager.Server", project, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(typeof(AuditEvent))]
    [InlineData(typeof(ParticipantAllocation))]
    public void AppendOnlyRecords_HaveNoPublicWayToChangeThem(Type type)
    {
        var setters = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is { IsPublic: true }).Select(p => p.Name).ToList();
        var mutators = type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => !m.IsSpecialName && m.ReturnType == typeof(void)).Select(m => m.Name).ToList();
        var fields = type.GetFields(BindingFlags.Public | BindingFlags.Instance).Where(f => !f.IsInitOnly).Select(f => f.Name).ToList();

        Assert.Empty(setters);
        Assert.Empty(mutators);
        Assert.Empty(fields);
    }

    [Fact]
    public void ServerAndInfrastructureSources_NeverUpdateOrDeleteAuditEventsOrAllocations()
    {
        var offences = new List<string>();
        foreach (var folder in new[] { "src/TrialManager.Server", "src/TrialManager.Infrastructure" })
        {
            foreach (var file in Directory.EnumerateFiles(RepositoryPaths.Source(folder), "*.cs", SearchOption.AllDirectories)
                         .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                             && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
            {
                offences.AddRange(FindMutations(File.ReadAllText(file)).Select(m => $"{Path.GetRelativePath(RepositoryPaths.Root, file)}: {m}"));
            }
        }

        Assert.Empty(offences);
    }

    [Theory]
    [InlineData("db.AuditEvents.Remove(e);")]
    [InlineData("await db.AuditEvents.Where(e => e.Sequence > 3).ExecuteDeleteAsync(ct);")]
    [InlineData("db.Allocations\n    .Where(a => a.TrialId == id)\n    .ExecuteUpdate(s => s.SetProperty(a => a.Arm, ArmCode.Mediator));")]
    [InlineData("db.Set<AuditEvent>().Update(e);")]
    [InlineData("db.Allocations.RemoveRange(list);")]
    [InlineData("db.Entry(allocation).State = EntityState.Modified;")]
    [InlineData("db.Database.ExecuteSqlRaw(\"DELETE FROM \\\"AuditEvents\\\"\");")]
    [InlineData("db.Database.ExecuteSqlRaw(\"UPDATE Allocations SET Arm = 'x'\");")]
    public void MutationScan_OnCodeThatChangesAnAppendOnlyRecord_FindsIt(string code) =>
        Assert.NotEmpty(FindMutations(code));

    [Theory]
    [InlineData("db.AuditEvents.Add(new AuditEvent(1, previous, entry));")]
    [InlineData("await db.Allocations.AsNoTracking().Where(a => a.TrialId == id).ToListAsync(ct);")]
    [InlineData("db.ProtocolDocuments.Remove(row);")]
    public void MutationScan_OnReadsAndAppends_FindsNothing(string code) =>
        Assert.Empty(FindMutations(code));

    /// <summary>
    /// Statements that reach the audit events or the allocations (through their DbSet, Set&lt;T&gt;() or raw SQL)
    /// and update or delete them. Statements are cut at ';' so a chain over several lines is one statement.
    /// </summary>
    internal static IEnumerable<string> FindMutations(string source)
    {
        foreach (var statement in source.Split(';').Select(s => WhiteSpace().Replace(s, " ").Trim()))
        {
            var touches = AppendOnlyTarget().IsMatch(statement);
            var mutates = Mutation().IsMatch(statement);
            var entryOfAllocation = EntryModified().IsMatch(statement) && statement.Contains("llocation", StringComparison.Ordinal);
            if ((touches && mutates) || entryOfAllocation || AuditEntry().IsMatch(statement))
            {
                yield return statement;
            }
        }
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();

    [GeneratedRegex(@"\bAuditEvents\b|Set<AuditEvent>|\bAllocations\b|Set<ParticipantAllocation>")]
    private static partial Regex AppendOnlyTarget();

    [GeneratedRegex(@"\.(Remove|RemoveRange|Update|UpdateRange|Attach|AttachRange|ExecuteDelete|ExecuteDeleteAsync|ExecuteUpdate|ExecuteUpdateAsync)\s*\(|\b(UPDATE|DELETE)\b")]
    private static partial Regex Mutation();

    [GeneratedRegex(@"\.State\s*=\s*EntityState\.(Modified|Deleted)")]
    private static partial Regex EntryModified();

    [GeneratedRegex(@"Entry\(\s*\w*[Aa]udit\w*\s*\)\.State\s*=\s*EntityState\.(Modified|Deleted)")]
    private static partial Regex AuditEntry();
}
