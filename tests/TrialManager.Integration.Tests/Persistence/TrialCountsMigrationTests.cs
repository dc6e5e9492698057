using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Randomization;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Persistence;

namespace TrialManager.Integration.Tests.Persistence;

/// <summary>Migration S12TrialCounts fills the trial list's kept counts from the participants and allocations already stored.</summary>
public sealed class TrialCountsMigrationTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("trialmanager-counts-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Upgrade_OfADatabaseWithParticipants_CountsThemBySiteAndStatus()
    {
        var options = new DbContextOptionsBuilder<TrialDbContext>();
        DatabaseSetup.Configure(options, new DatabaseSettings(DatabaseProvider.Sqlite, $"Data Source={Path.Combine(_directory, "trialmanager.db")}", MigrateOnStart: true));
        await using var db = new TrialDbContext(options.Options);
        var migrations = db.Database.GetMigrations().ToList();
        var counts = migrations.FindIndex(m => m.EndsWith("_S12TrialCounts", StringComparison.Ordinal));
        Assert.True(counts > 0);
        var migrator = db.GetService<IMigrator>();
        await migrator.MigrateAsync(migrations[counts - 1]);

        // Rows as the previous version stored them: its participant and allocation tables are this version's.
        var trial = new Trial(new TrialDefinition
        {
            Id = "t-counts",
            Title = "Counts migration",
            TargetEnrollment = 100,
            Sites = ["AAA", "BBB"],
            Formulations = [Formulation.Cognitive, Formulation.Interpersonal],
            Arms = [new ArmDefinition(ArmCode.Mediator, 1), new ArmDefinition(ArmCode.Moderator, 1)],
            Randomization = new RandomizationSettings { Method = RandomizationMethod.PermutedBlocks, BlockSizes = [2], StratifyBy = ["formulation", "site"] },
            Eligibility = new EligibilityCriteria(18, 65, 10, 27, []),
            FormulationRule = new FormulationRule(1),
        }, "seed", Now);
        trial.ChangeStatus(TrialStatus.Recruiting);
        db.Trials.Add(trial);
        for (var i = 1; i <= 3; i++)
        {
            db.Participants.Add(Participant.Screen($"t-counts-AAA-000{i}", trial, new ScreeningAnswers("AAA", 30, 15, [], null, null), Now));
        }

        db.Participants.Add(Participant.Screen("t-counts-BBB-0001", trial, new ScreeningAnswers("BBB", 10, 15, [], null, null), Now));
        var randomized = Participant.Screen("t-counts-BBB-0002", trial, new ScreeningAnswers("BBB", 30, 15, [], null, null), Now);
        randomized.Consent("1.0", new DateOnly(2026, 11, 20));
        randomized.RateFormulation(trial.Definition, "R01", new FormulationScores(4, 1, 0, 0), consensus: false, null, Now);
        randomized.EnsureCanBeRandomized();
        randomized.MarkRandomized(Now);
        var levels = trial.Definition.FactorLevels("BBB", Formulation.Cognitive, 15);
        db.Participants.Add(randomized);
        db.Allocations.Add(new ParticipantAllocation(
            randomized, trial, Formulation.Cognitive, levels, "cognitive|BBB", new Allocation(0, "cognitive|BBB", 1, 1, 2, null, null, null), "test", Now));
        await db.SaveChangesAsync();
        Assert.Equal(5, await db.Participants.CountAsync());

        await migrator.MigrateAsync();

        var rows = (await db.ParticipantCounts.AsNoTracking().ToListAsync())
            .Select(c => $"{c.TrialId} {c.Site} {c.Status} {c.Participants} {c.Randomized}").Order(StringComparer.Ordinal);
        Assert.Equal(["t-counts AAA Eligible 3 0", "t-counts BBB Randomized 1 1", "t-counts BBB ScreenFailed 1 0"], rows);
    }
}
