using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using TrialManager.Infrastructure.Persistence;

namespace TrialManager.Integration.Tests.Persistence;

/// <summary>Migration S9Safety gives every event recorded before it an id of its own, in the form EF reads and compares.</summary>
public sealed class EventIdMigrationTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("trialmanager-eventids-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Upgrade_OfADatabaseWithEvents_GivesEachOldEventAUniqueId()
    {
        var options = new DbContextOptionsBuilder<TrialDbContext>();
        DatabaseSetup.Configure(options, new DatabaseSettings(DatabaseProvider.Sqlite, $"Data Source={Path.Combine(_directory, "trialmanager.db")}", MigrateOnStart: true));
        await using var db = new TrialDbContext(options.Options);
        var migrations = db.Database.GetMigrations().ToList();
        var safety = migrations.FindIndex(m => m.EndsWith("_S9Safety", StringComparison.Ordinal));
        Assert.True(safety > 0);
        var migrator = db.GetService<IMigrator>();
        await migrator.MigrateAsync(migrations[safety - 1]);
        // Three events as the previous version stored them (no trial or participant rows: the keys are not enforced here).
        await db.Database.OpenConnectionAsync();
        await db.Database.ExecuteSqlRawAsync("PRAGMA foreign_keys = OFF");
        for (var number = 1; number <= 3; number++)
        {
            await db.Database.ExecuteSqlRawAsync(
                "INSERT INTO \"ParticipantEvents\" (\"ParticipantId\", \"Number\", \"Type\", \"OccurredOn\", \"Description\", \"RecordedAt\") VALUES ({0}, {1}, 'AdverseEvent', '2026-11-21', 'old', '2026-11-21T10:00:00.0000000+00:00')",
                "t-AAA-0001", number);
        }

        await migrator.MigrateAsync();

        var ids = await db.Database.SqlQueryRaw<string>("SELECT \"Id\" AS \"Value\" FROM \"ParticipantEvents\"").ToListAsync();
        Assert.Equal(3, ids.Distinct(StringComparer.Ordinal).Count());
        // Stored as EF stores a Guid on SQLite (upper-case text), so a look-up by id finds it.
        Assert.All(ids, id => Assert.Equal(Guid.Parse(id).ToString().ToUpperInvariant(), id));
        Assert.DoesNotContain(Guid.Empty.ToString().ToUpperInvariant(), ids);
        await db.Database.CloseConnectionAsync();
    }
}
