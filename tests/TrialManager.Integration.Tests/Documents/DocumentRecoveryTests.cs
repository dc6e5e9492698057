using System.Net;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Documents;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Integration.Tests.Api;
using TrialManager.Integration.Tests.Harness;
using static TrialManager.Integration.Tests.Documents.DocumentSupport;

namespace TrialManager.Integration.Tests.Documents;

/// <summary>
/// What happens to documents across failures and restarts, each test on servers of its own (SQLite, one data
/// directory that outlives a host). Not in a server collection: only one host may be alive at a time.
/// </summary>
public sealed class DocumentRecoveryTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("trialmanager-recovery-").FullName;

    private string DataDirectory => Path.Combine(directory, "data");

    [Fact]
    public async Task FailingRender_IsVisibleAsFailed_LeavesTheAllocation_AndTheRetrySucceedsOnceFixed()
    {
        // A protocols folder with one cell missing: the library refuses to load, so every render fails.
        var protocols = Path.Combine(directory, "protocols");
        Directory.CreateDirectory(protocols);
        foreach (var file in Directory.EnumerateFiles(RepositoryPaths.Source("protocols"), "*.md"))
        {
            File.Copy(file, Path.Combine(protocols, Path.GetFileName(file)));
        }

        // The instrument definitions live beside the texts and are loaded at start: they stay whole.
        var instruments = Path.Combine(protocols, "instruments");
        Directory.CreateDirectory(instruments);
        foreach (var file in Directory.EnumerateFiles(RepositoryPaths.Source("protocols/instruments")))
        {
            File.Copy(file, Path.Combine(instruments, Path.GetFileName(file)));
        }

        var removed = Path.Combine(protocols, "environmental-moderator.md");
        File.Move(removed, removed + ".away");
        await using var server = await KeptDataDirectoryServer.StartAsync(DataDirectory, ("TrialManager:ProtocolsDirectory", protocols));
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        var randomized = await RandomizedParticipantAsync(server, trialId);
        var participantId = randomized.GetProperty("participantId").GetString()!;

        var failed = await WaitForStatusAsync(server, participantId, "failed", TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.Accepted, failed.StatusCode);
        Assert.NotNull(failed.Headers.RetryAfter);
        var row = await server.WithDbAsync(db => db.ProtocolDocuments.AsNoTracking().SingleAsync(d => d.ParticipantId == participantId));
        Assert.Equal(DocumentStatus.Failed, row.Status);
        Assert.Contains("environmental x moderator", row.LastError, StringComparison.Ordinal);
        var participant = await (await server.Coordinator.GetAsync(new Uri($"/api/participants/{participantId}", UriKind.Relative))).JsonAsync();
        Assert.Equal("randomized", participant.GetProperty("status").GetString());
        var allocation = participant.GetProperty("allocation");
        Assert.Equal(randomized.GetProperty("arm").GetString(), allocation.GetProperty("arm").GetString());
        Assert.Equal(randomized.GetProperty("sequence").GetInt32(), allocation.GetProperty("sequence").GetInt32());
        Assert.Equal(1, await server.WithDbAsync(db => db.Allocations.CountAsync(a => a.ParticipantId == participantId)));

        // Fixed: Hangfire's automatic retry (with backoff) now succeeds, without anyone asking again.
        File.Move(removed + ".away", removed);
        var (pdf, _) = await WaitForProtocolDocumentAsync(server.Coordinator, participantId, TimeSpan.FromSeconds(60), allowFailed: true);

        row = await server.WithDbAsync(db => db.ProtocolDocuments.AsNoTracking().SingleAsync(d => d.ParticipantId == participantId));
        Assert.Equal(DocumentStatus.Ready, row.Status);
        Assert.Equal(Sha256(pdf), row.Sha256);
        Assert.Null(row.LastError);
    }

    [Fact]
    public async Task OwedDocumentsAndReports_WithNoJob_AreProducedAfterTheHostRestarts()
    {
        string trialId, participantId, firstSha;
        Guid reportId;
        await using (var first = await KeptDataDirectoryServer.StartAsync(DataDirectory))
        {
            trialId = await TestTrials.CreateAsync(first, recruiting: true);
            participantId = (await RandomizedParticipantAsync(first, trialId)).GetProperty("participantId").GetString()!;
            firstSha = Sha256((await WaitForProtocolDocumentAsync(first.Coordinator, participantId, TimeSpan.FromSeconds(30))).Pdf);

            // The state a crash between commit and enqueue leaves: owed rows and no job anywhere.
            reportId = Guid.NewGuid();
            await first.WithDbAsync(async db =>
            {
                db.ProtocolDocuments.Remove(await db.ProtocolDocuments.SingleAsync(d => d.ParticipantId == participantId));
                db.ProtocolDocuments.Add(new ProtocolDocument(participantId, DateTimeOffset.UtcNow));
                db.Reports.Add(new Report(reportId, trialId, ReportKind.EthicsProgress, scheduled: false, "test", DateTimeOffset.UtcNow));
                return await db.SaveChangesAsync();
            });

            await Task.Delay(TimeSpan.FromSeconds(1.5));
            var owed = await first.Coordinator.GetAsync(new Uri($"/api/participants/{participantId}/protocol-document", UriKind.Relative));
            Assert.Equal(HttpStatusCode.Accepted, owed.StatusCode);
            Assert.NotNull(owed.Headers.RetryAfter);
            Assert.Equal("queued", (await owed.JsonAsync()).GetProperty("status").GetString());
            Assert.Equal("queued", (await (await first.Ethics.GetAsync(new Uri($"/api/reports/{reportId}", UriKind.Relative))).JsonAsync())
                .GetProperty("status").GetString());
        }

        await using var second = await KeptDataDirectoryServer.StartAsync(DataDirectory);
        var (pdf, _) = await WaitForProtocolDocumentAsync(second.Coordinator, participantId, TimeSpan.FromSeconds(30));
        var report = await WaitForReportAsync(second.Ethics, new Uri($"/api/reports/{reportId}", UriKind.Relative), TimeSpan.FromSeconds(60));

        // Dated by the allocation, the re-made document is byte for byte the first one.
        Assert.Equal(firstSha, Sha256(pdf));
        Assert.Equal("ready", report.GetProperty("status").GetString());
        var reportPdf = await second.Ethics.GetByteArrayAsync(new Uri($"/api/reports/{reportId}/pdf", UriKind.Relative));
        Assert.Equal(Sha256(reportPdf), report.GetProperty("sha256").GetString());
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(directory, recursive: true);
    }

    private static async Task<HttpResponseMessage> WaitForStatusAsync(TrialServer server, string participantId, string status, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var response = await server.Coordinator.GetAsync(new Uri($"/api/participants/{participantId}/protocol-document", UriKind.Relative));
            if (response.StatusCode == HttpStatusCode.Accepted
                && (await response.JsonAsync()).GetProperty("status").GetString() == status)
            {
                return response;
            }

            Assert.True(DateTime.UtcNow < deadline, $"The document never reached '{status}' (last {response.StatusCode}).");
            await Task.Delay(50);
        }
    }

    /// <summary>A server on a given SQLite data directory that it leaves in place when it stops.</summary>
    private sealed class KeptDataDirectoryServer(string dataDirectory, (string Key, string Value)[] settings) : TrialServer, IAsyncDisposable
    {
        public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

        public static async Task<KeptDataDirectoryServer> StartAsync(string dataDirectory, params (string Key, string Value)[] settings)
        {
            var server = new KeptDataDirectoryServer(dataDirectory, settings);
            await server.InitializeAsync();
            return server;
        }

        protected override Task<IReadOnlyDictionary<string, string>> PrepareDatabaseAsync()
        {
            var all = new Dictionary<string, string> { ["Database:Provider"] = "Sqlite", ["TrialManager:DataDirectory"] = dataDirectory };
            foreach (var (key, value) in settings)
            {
                all[key] = value;
            }

            return Task.FromResult<IReadOnlyDictionary<string, string>>(all);
        }

        ValueTask IAsyncDisposable.DisposeAsync() => new(DisposeAsync());
    }
}
