using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using TrialManager.Domain.Participants;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Integration.Tests.Harness;
using TrialManager.Server.Common;

namespace TrialManager.Integration.Tests.Reliability;

/// <summary>
/// What a real installation has: one database (an SQLite file in a data folder, or a database on a throwaway
/// PostgreSQL cluster) and one documents folder, shared by however many server processes are started on it.
/// </summary>
public sealed class Deployment : IAsyncDisposable
{
    private Deployment(DatabaseProvider provider, string connectionString, string directory, PostgresCluster? cluster)
    {
        Provider = provider;
        ConnectionString = connectionString;
        DirectoryPath = directory;
        Cluster = cluster;
    }

    public DatabaseProvider Provider { get; }

    public string ConnectionString { get; }

    /// <summary>The data folder (the SQLite file lives here) and, beneath it, the shared documents folder.</summary>
    public string DirectoryPath { get; }

    public string DocumentsPath => Path.Combine(DirectoryPath, "documents");

    public PostgresCluster? Cluster { get; }

    public static Task<Deployment> SqliteAsync()
    {
        var directory = Directory.CreateTempSubdirectory("trialmanager-reliability-").FullName;
        var file = new DataPaths(directory).SqliteFile;
        var connection = new SqliteConnectionStringBuilder { DataSource = file, DefaultTimeout = 30 }.ToString();
        return Task.FromResult(new Deployment(DatabaseProvider.Sqlite, connection, directory, null));
    }

    /// <summary>A fresh cluster of its own (tests may stop it), with a short connect timeout as deployed.</summary>
    public static async Task<Deployment> PostgresAsync()
    {
        var cluster = await PostgresCluster.StartAsync();
        var directory = Directory.CreateTempSubdirectory("trialmanager-reliability-").FullName;
        var connection = new NpgsqlConnectionStringBuilder(cluster.ConnectionString(PostgresClusterFixture.NewDatabaseName("rel")))
        {
            // A stopped database must be noticed in seconds, not after the default 15 s connect timeout.
            Timeout = 3,
            MaxPoolSize = 60,
        }.ToString();
        return new Deployment(DatabaseProvider.PostgreSql, connection, directory, cluster);
    }

    /// <summary>The settings every server process of this deployment gets.</summary>
    public IReadOnlyDictionary<string, string> Settings => Provider == DatabaseProvider.Sqlite
        ? new Dictionary<string, string>
        {
            ["Database:Provider"] = "Sqlite",
            ["TrialManager:DataDirectory"] = DirectoryPath,
            ["TrialManager:Documents:Path"] = DocumentsPath,
        }
        : new Dictionary<string, string>
        {
            ["Database:Provider"] = "PostgreSql",
            ["Database:MigrateOnStart"] = "true",
            ["ConnectionStrings:TrialManager"] = ConnectionString,
            ["TrialManager:DataDirectory"] = DirectoryPath,
            ["TrialManager:Documents:Path"] = DocumentsPath,
        };

    /// <summary>
    /// Starts a server of this deployment and waits until it is healthy. Framework logs per request would drown
    /// what matters (our warnings and errors) in the output a failure shows; jobs stop quickly; disposing stops it
    /// gracefully (SIGKILL is the crash tests' own step).
    /// </summary>
    public Task<ServerProcess> StartServerAsync(string name)
    {
        var settings = new Dictionary<string, string>
        {
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Warning",
            ["TrialManager:Jobs:ShutdownTimeoutSeconds"] = "2",
        };
        foreach (var (key, value) in Settings)
        {
            settings[key] = value;
        }

        return ServerProcess.StartAsync(new ServerStart { Name = name, Settings = settings, StopGrace = TimeSpan.FromSeconds(10) });
    }

    /// <summary>A context on the deployment's database, for checks the API does not expose and for bulk set-up.</summary>
    public TrialDbContext OpenDb()
    {
        var options = new DbContextOptionsBuilder<TrialDbContext>();
        DatabaseSetup.Configure(options, new DatabaseSettings(Provider, ConnectionString, MigrateOnStart: false));
        return new TrialDbContext(options.Options);
    }

    /// <summary>
    /// Bulk path for the set-up: screens, consents and formulates participants with the same domain methods the
    /// HTTP handlers call, written in batches, ids in the server's own {trial}-{site}-{nnnn} form with the site
    /// counters advanced to match. Over HTTP this would be three audited, serialised writes per participant
    /// (about 20,000 for the load test), which is set-up, not the subject: the randomizations all go over HTTP.
    /// The audit chain is not touched, so it stays valid.
    /// </summary>
    public async Task<IReadOnlyList<string>> SeedFormulatedParticipantsAsync(string trialId, int count)
    {
        string[] sites = ["AAA", "BBB"];
        string[] leads = ["cognitive", "interpersonal"];
        var ids = new List<string>(count);
        await using var db = OpenDb();
        var trial = await db.Trials.AsNoTracking().SingleAsync(t => t.Id == trialId);
        var counters = await db.SiteCounters.Where(c => c.TrialId == trialId).ToDictionaryAsync(c => c.Site);
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < count; i++)
        {
            var site = sites[i % 2];
            var lead = leads[(i / 2) % 2];
            if (!counters.TryGetValue(site, out var counter))
            {
                counter = new SiteCounter { TrialId = trialId, Site = site };
                counters[site] = counter;
                db.SiteCounters.Add(counter);
            }

            counter.LastNumber++;
            var id = $"{trialId}-{site}-{counter.LastNumber:D4}";
            var participant = Participant.Screen(id, trial, new ScreeningAnswers(site, 30 + (i % 30), 15, [], null, null), now);
            participant.Consent("1.0", new DateOnly(2026, 11, 20));
            participant.RateFormulation(trial.Definition, "R01",
                lead == "cognitive" ? new FormulationScores(4, 1, 0, 0) : new FormulationScores(1, 4, 0, 0), consensus: false, null, now);
            db.Participants.Add(participant);
            ids.Add(id);
            if ((i + 1) % 500 == 0)
            {
                // The trial list's counts, kept as the commands keep them: the randomizations over HTTP move them on.
                await ParticipantCounts.TrackAsync(db, CancellationToken.None);
                await db.SaveChangesAsync();
                foreach (var entry in db.ChangeTracker.Entries<Participant>().ToList())
                {
                    entry.State = EntityState.Detached;
                }
            }
        }

        await ParticipantCounts.TrackAsync(db, CancellationToken.None);
        await db.SaveChangesAsync();
        Assert.Equal(count, await db.Participants.CountAsync(p => p.TrialId == trialId && p.Status == ParticipantStatus.Formulated));
        return ids;
    }

    public async ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        NpgsqlConnection.ClearAllPools();
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }

        try
        {
            Directory.Delete(DirectoryPath, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is not worth failing the run over.
        }
    }
}
