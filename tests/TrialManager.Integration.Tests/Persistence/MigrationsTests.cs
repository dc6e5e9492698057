using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.SqlServer.TransactSql.ScriptDom;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Persistence;

namespace TrialManager.Integration.Tests.Persistence;

/// <summary>
/// The SQL Server side cannot run here, so it is proven without a server: every provider's migrations match the
/// model, and the idempotent T-SQL script parses with Microsoft's own parser.
/// </summary>
public sealed class MigrationsTests
{
    // Valid-looking strings: nothing here opens a connection.
    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.SqlServer, DatabaseProvider.PostgreSql];

    [Theory]
    [MemberData(nameof(Providers))]
    public void Migrations_ForEachProvider_AreUpToDateWithTheModel(DatabaseProvider provider)
    {
        using var db = Context(provider);

        Assert.True(db.Database.GetMigrations().Any(), $"No migrations found for {provider}.");
        Assert.False(db.Database.HasPendingModelChanges(),
            $"The {provider} migrations lag the model: add a migration for all three providers (see the README).");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void PendingModelChanges_WhenTheModelGainsAColumn_AreDetected(DatabaseProvider provider)
    {
        // The control: the same check on a model with one column more than the migrations know must fail.
        using var db = Context(provider, extraColumn: true);

        Assert.True(db.Database.HasPendingModelChanges());
    }

    [Fact]
    public void SqlServerIdempotentScript_ParsesWithTheTSqlParser_AndCreatesEveryTable()
    {
        using var db = Context(DatabaseProvider.SqlServer);
        var script = db.GetService<IMigrator>().GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent);

        var (fragment, errors) = Parse(script);

        Assert.True(errors.Count == 0, string.Join('\n', errors.Select(e => $"line {e.Line}, column {e.Column}: {e.Message}")));
        var created = new TableCollector();
        fragment.Accept(created);
        var expected = db.Model.GetEntityTypes().Select(e => e.GetTableName()).OfType<string>().Distinct().Order().ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, created.Tables.Where(expected.Contains).Distinct().Order().ToList());
        Assert.Contains("__EFMigrationsHistory", created.Tables);
        // Idempotent: every migration is guarded by a look-up in the history table.
        Assert.All(db.Database.GetMigrations(), id => Assert.Contains($"WHERE [MigrationId] = N'{id}'", script, StringComparison.Ordinal));
    }

    [Fact]
    public void TSqlParser_OnABrokenScript_ReportsErrors()
    {
        using var db = Context(DatabaseProvider.SqlServer);
        var script = db.GetService<IMigrator>().GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent);
        // One damaged statement in an otherwise valid script: a missing closing parenthesis.
        var at = script.IndexOf("CONSTRAINT [PK_", StringComparison.Ordinal);
        Assert.True(at > 0);
        var broken = script[..at] + "CONSTRAINT ( [PK_" + script[(at + "CONSTRAINT [PK_".Length)..];

        var (_, errors) = Parse(broken);

        Assert.NotEmpty(errors);
    }

    internal static TrialDbContext Context(DatabaseProvider provider, bool extraColumn = false)
    {
        var settings = new DatabaseSettings(provider, provider switch
        {
            DatabaseProvider.Sqlite => "Data Source=:memory:",
            DatabaseProvider.SqlServer => "Server=localhost;Database=TrialManager;Integrated Security=true;TrustServerCertificate=true",
            _ => "Host=localhost;Database=trialmanager;Username=trialmanager",
        }, MigrateOnStart: false);
        var options = new DbContextOptionsBuilder<TrialDbContext>();
        DatabaseSetup.Configure(options, settings);
        if (extraColumn)
        {
            options.ReplaceService<IModelCustomizer, ExtraColumnCustomizer>();
        }

        return new TrialDbContext(options.Options);
    }

    private static (TSqlFragment Fragment, IList<ParseError> Errors) Parse(string script)
    {
        var parser = new TSql170Parser(initialQuotedIdentifiers: true);
        using var reader = new StringReader(script);
        var fragment = parser.Parse(reader, out var errors);
        return (fragment, errors);
    }

    private sealed class TableCollector : TSqlFragmentVisitor
    {
        public List<string> Tables { get; } = [];

        public override void Visit(CreateTableStatement node) => Tables.Add(node.SchemaObjectName.BaseIdentifier.Value);
    }

    private sealed class ExtraColumnCustomizer(ModelCustomizerDependencies dependencies) : RelationalModelCustomizer(dependencies)
    {
        public override void Customize(ModelBuilder modelBuilder, DbContext context)
        {
            base.Customize(modelBuilder, context);
            modelBuilder.Entity<Trial>().Property<string>("NotInAnyMigration").HasMaxLength(10);
        }
    }
}
