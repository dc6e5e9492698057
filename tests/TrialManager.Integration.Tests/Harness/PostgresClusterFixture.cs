namespace TrialManager.Integration.Tests.Harness;

/// <summary>
/// One PostgreSQL cluster for the whole test run, started on first use (so a run in which every PostgreSQL
/// test is skipped starts nothing) and stopped when the run ends. Test classes join with
/// <c>[Collection(PostgresCollection.Name)]</c> and each creates its own database.
/// </summary>
public sealed class PostgresClusterFixture : IAsyncLifetime
{
    private readonly Lazy<Task<PostgresCluster>> cluster = new(() => PostgresCluster.StartAsync());

    public Task<PostgresCluster> GetClusterAsync() => cluster.Value;

    /// <summary>A database name no other test class will use: lower case, so it needs no quoting.</summary>
    public static string NewDatabaseName(string prefix) =>
        $"{prefix.ToLowerInvariant()}_{Guid.NewGuid():N}"[..Math.Min(63, prefix.Length + 33)];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (!cluster.IsValueCreated)
        {
            return;
        }

        PostgresCluster started;
        try
        {
            started = await cluster.Value;
        }
        catch (InvalidOperationException)
        {
            return; // the start failure was already reported by the tests that asked for it
        }

        await started.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresClusterFixture>
{
    public const string Name = "PostgreSQL";
}
