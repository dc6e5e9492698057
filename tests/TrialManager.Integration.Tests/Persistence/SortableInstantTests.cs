using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using TrialManager.Domain.Auditing;
using TrialManager.Infrastructure.Persistence;

namespace TrialManager.Integration.Tests.Persistence;

/// <summary>
/// SQLite stores instants as fixed-width UTC text so lists sort and page in SQL. The audit chain hashes its times,
/// so the text must give back the very same instant; and the migration must turn EF's former text into it exactly.
/// </summary>
public sealed partial class SortableInstantTests
{
    [Fact]
    public void Text_RoundTripsEveryTick_AndSortsInTimeOrder()
    {
        var random = new Random(20261202);
        var min = new DateTime(1900, 1, 1).Ticks;
        var max = new DateTime(2200, 1, 1).Ticks;
        var instants = Enumerable.Range(0, 20_000)
            .Select(_ => new DateTimeOffset(random.NextInt64(min, max), TimeSpan.Zero))
            .Append(AuditChain.Normalize(DateTimeOffset.UtcNow)).Append(new DateTimeOffset(2026, 12, 2, 0, 0, 0, TimeSpan.Zero))
            .ToList();

        foreach (var instant in instants)
        {
            var text = SortableInstantConverter.Format(instant);
            Assert.Equal(28, text.Length);
            Assert.Equal(instant.UtcTicks, SortableInstantConverter.Parse(text).UtcTicks);
            Assert.Equal(TimeSpan.Zero, SortableInstantConverter.Parse(text).Offset);
        }

        for (var i = 1; i < instants.Count; i++)
        {
            var (a, b) = (instants[i - 1], instants[i]);
            Assert.Equal(Math.Sign(a.UtcTicks.CompareTo(b.UtcTicks)),
                Math.Sign(string.CompareOrdinal(SortableInstantConverter.Format(a), SortableInstantConverter.Format(b))));
        }
    }

    [Fact]
    public void Text_OfAnInstantWithAnOffset_IsItsUtcInstant()
    {
        var local = new DateTimeOffset(2026, 12, 2, 1, 30, 0, TimeSpan.FromHours(2)).AddTicks(1234567);

        Assert.Equal("2026-12-01T23:30:00.1234567Z", SortableInstantConverter.Format(local));
        Assert.Equal(local, SortableInstantConverter.Parse(SortableInstantConverter.Format(local)));
    }

    [Fact]
    public async Task Migration_TurnsEfsFormerTextIntoTheSameInstants_ToTheTick()
    {
        using var db = MigrationsTests.Context(DatabaseProvider.Sqlite);
        var assembly = db.GetService<IMigrationsAssembly>();
        var id = assembly.Migrations.Keys.Single(k => k.EndsWith("_S7SortableInstants", StringComparison.Ordinal));
        var migration = assembly.CreateMigration(assembly.Migrations[id], db.Database.ProviderName!);
        var updates = migration.UpOperations.OfType<SqlOperation>().Select(o => o.Sql).ToList();
        var random = new Random(7);
        var values = Enumerable.Range(0, 200)
            .Select(i => new DateTimeOffset(random.NextInt64(new DateTime(2020, 1, 1).Ticks, new DateTime(2030, 1, 1).Ticks), TimeSpan.Zero))
            .Select((v, i) => (i % 4) switch
            {
                0 => v,
                1 => AuditChain.Normalize(v),
                2 => new DateTimeOffset(v.Ticks - v.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero), // no fraction at all
                _ => v.ToOffset(TimeSpan.FromMinutes(random.Next(-12 * 60, 14 * 60) / 15 * 15)),
            })
            .ToList();

        await using var connection = new SqliteConnection("Data Source=:memory:");
        await connection.OpenAsync();
        var columns = updates.Select(u => UpdateTarget().Match(u)).Select(m => (Table: m.Groups[1].Value, Column: m.Groups[2].Value)).ToList();
        Assert.Equal(14, columns.Count);
        foreach (var (table, column) in columns)
        {
            await ExecuteAsync(connection, $"CREATE TABLE IF NOT EXISTS \"{table}\" (\"Row\" INTEGER)");
            await ExecuteAsync(connection, $"ALTER TABLE \"{table}\" ADD COLUMN \"{column}\" TEXT");
        }

        // EF Core's own former SQLite text for a DateTimeOffset, and a null.
        var (firstTable, firstColumn) = columns[0];
        for (var i = 0; i < values.Count; i++)
        {
            await ExecuteAsync(connection, $"INSERT INTO \"{firstTable}\" (\"Row\", \"{firstColumn}\") VALUES ({i}, " +
                $"'{values[i].ToString("yyyy-MM-dd HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture)}')");
        }

        await ExecuteAsync(connection, $"INSERT INTO \"{firstTable}\" (\"Row\", \"{firstColumn}\") VALUES (-1, NULL)");
        foreach (var update in updates)
        {
            await ExecuteAsync(connection, update);
            await ExecuteAsync(connection, update); // a second run changes nothing
        }

        await using var read = connection.CreateCommand();
        read.CommandText = $"SELECT \"Row\", \"{firstColumn}\" FROM \"{firstTable}\" ORDER BY \"Row\"";
        await using var reader = await read.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.True(reader.IsDBNull(1));
        while (await reader.ReadAsync())
        {
            var expected = values[reader.GetInt32(0)];
            Assert.Equal(SortableInstantConverter.Format(expected), reader.GetString(1));
        }
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    [GeneratedRegex("""^UPDATE "(\w+)" SET "(\w+)" = """)]
    private static partial Regex UpdateTarget();
}
