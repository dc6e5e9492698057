using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Randomization;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Persistence;

namespace TrialManager.Infrastructure.Tests.Persistence;

/// <summary>
/// A trial's definition and amendments are parsed once per distinct text and shared between reads. What a read
/// returns must still be the row as it is now: a definition changed under the cache (by another server on the same
/// database, or by hand) is read as changed at once.
/// </summary>
public sealed class ParsedJsonCacheTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("tm-parsed-").FullName;
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        var settings = DatabaseSettings.From(new ConfigurationBuilder().Build(), new DataPaths(_folder));
        _services = new ServiceCollection().AddTrialPersistence(settings).BuildServiceProvider();
        await using var scope = _services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<TrialDbContext>().Database.EnsureCreatedAsync();
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private static TrialDefinition Definition(string id) => new()
    {
        Id = id,
        Title = "Cached trial",
        TargetEnrollment = 100,
        Sites = ["AAA", "BBB"],
        Formulations = [Formulation.Cognitive, Formulation.Interpersonal],
        Arms = [new ArmDefinition(ArmCode.Mediator, 1), new ArmDefinition(ArmCode.Moderator, 1)],
        Randomization = new RandomizationSettings { Method = RandomizationMethod.PermutedBlocks, BlockSizes = [2, 4], StratifyBy = ["formulation", "site"] },
        Eligibility = new EligibilityCriteria(18, 65, 10, 27, ["psychosis"]),
        FormulationRule = new FormulationRule(1),
    };

    private async Task<Trial> ReadAsync(string id)
    {
        await using var scope = _services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<TrialDbContext>().Trials.AsNoTracking().SingleAsync(t => t.Id == id);
    }

    private async Task ExecuteAsync(string sql, params object[] parameters)
    {
        await using var scope = _services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<TrialDbContext>().Database.ExecuteSqlRawAsync(sql, parameters);
    }

    [Fact]
    public async Task TrialReads_ShareTheParsedDefinition_UntilItsTextChangesUnderThem()
    {
        var id = "t-" + Guid.NewGuid().ToString("N")[..12];
        await using (var scope = _services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<TrialDbContext>();
            db.Trials.Add(new Trial(Definition(id), "seed", DateTimeOffset.UtcNow));
            await db.SaveChangesAsync();
        }

        var first = await ReadAsync(id);
        var second = await ReadAsync(id);
        Assert.Same(first.BaseDefinition, second.BaseDefinition);
        Assert.Same(first.Amendments, second.Amendments);

        // Another writer (a second server on the same database) changes the row: the next read shows it.
        await ExecuteAsync($"""UPDATE "Trials" SET "Definition" = replace("Definition", '"Cached trial"', '"Renamed trial"') WHERE "Id" = '{id}'""");
        var renamed = await ReadAsync(id);
        Assert.Equal("Renamed trial", renamed.Definition.Title);

        // And an amendment written by another server: its version, its sites and its target at once.
        var amendment = new TrialAmendment("1.1", new DateOnly(2026, 12, 5), new EthicsApproval("IRB-1", new DateOnly(2026, 12, 4)),
            new AmendmentChanges(["SEA"], 300, null, new Dictionary<string, string>()), DateTimeOffset.UtcNow);
        await ExecuteAsync("""UPDATE "Trials" SET "Amendments" = {0} WHERE "Id" = {1}""",
            JsonSerializer.Serialize<IReadOnlyList<TrialAmendment>>([amendment], JsonColumn.Options), id);
        var amended = await ReadAsync(id);
        Assert.Equal("1.1", amended.DefinitionVersion);
        Assert.Equal(["AAA", "BBB", "SEA"], amended.Definition.Sites);
        Assert.Equal(300, amended.Definition.TargetEnrollment);
    }

    [Fact]
    public void Parse_SameTextOneValue_OtherTextParsedAfresh_AndTheCacheStaysWithinItsBound()
    {
        var cache = new ParsedJsonCache<IReadOnlyList<string>>(maxCharacters: 1_000);
        var a = cache.Parse("""["AAA","BBB"]""", JsonColumn.Options);
        Assert.Same(a, cache.Parse("""["AAA","BBB"]""", JsonColumn.Options));
        Assert.Equal(["AAA", "BBB", "SEA"], cache.Parse("""["AAA","BBB","SEA"]""", JsonColumn.Options));

        for (var i = 0; i < 500; i++)
        {
            var text = $"""["site-{i:D4}"]""";
            Assert.Equal([$"site-{i:D4}"], cache.Parse(text, JsonColumn.Options));
            Assert.InRange(cache.Characters, 1, 1_000);
        }

        // A text too large for its share of the bound is parsed, not kept.
        var large = "[" + string.Join(",", Enumerable.Range(0, 20).Select(i => $"\"{i:D3}\"")) + "]";
        Assert.Equal(20, cache.Parse(large, JsonColumn.Options).Count);
        Assert.NotSame(cache.Parse(large, JsonColumn.Options), cache.Parse(large, JsonColumn.Options));
    }
}
