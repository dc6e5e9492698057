using System.Net;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Integration.Tests.Api;
using TrialManager.Integration.Tests.Harness;
using TrialManager.Testing;
using static TrialManager.Integration.Tests.Documents.DocumentSupport;

namespace TrialManager.Integration.Tests.Documents;

/// <summary>
/// An amendment that puts a new protocol text version in force (issue 17): documents already produced keep their version
/// and hash, new ones use the new text. On a server of its own, whose protocols folder holds a later version of the
/// cognitive texts (<c>{id}@{version}.md</c>).
/// </summary>
public sealed class ProtocolAmendmentTests : IAsyncLifetime
{
    private readonly string directory = Directory.CreateTempSubdirectory("trialmanager-protocol-amendment-").FullName;
    private OwnServer? server;

    public async Task InitializeAsync()
    {
        var protocols = Path.Combine(directory, "protocols");
        Directory.CreateDirectory(Path.Combine(protocols, "instruments"));
        foreach (var file in Directory.EnumerateFiles(RepositoryPaths.Source("protocols"), "*.md"))
        {
            File.Copy(file, Path.Combine(protocols, Path.GetFileName(file)));
        }

        foreach (var file in Directory.EnumerateFiles(RepositoryPaths.Source("protocols/instruments")))
        {
            File.Copy(file, Path.Combine(protocols, "instruments", Path.GetFileName(file)));
        }

        foreach (var id in new[] { "cognitive-mediator", "cognitive-moderator" })
        {
            var text = File.ReadAllText(Path.Combine(protocols, id + ".md"));
            var version = text.Split('\n').Single(l => l.StartsWith("version:", StringComparison.Ordinal));
            File.WriteAllText(Path.Combine(protocols, id + "@9.1.md"),
                text.Replace(version, "version: 9.1", StringComparison.Ordinal) + "\nAmended: sessions may be held by video.\n");
        }

        server = new OwnServer(Path.Combine(directory, "data"), protocols);
        await server.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task NewProtocolVersion_ServesNewDocuments_WhileEarlierOnesKeepTheirVersionAndHash()
    {
        var trialId = await TestTrials.CreateAsync(server!, recruiting: true);
        var before = (await RandomizedParticipantAsync(server!, trialId)).GetProperty("participantId").GetString()!;
        var (earlierPdf, _) = await WaitForProtocolDocumentAsync(server!.Coordinator, before, TimeSpan.FromSeconds(60));
        var earlier = await DocumentRowAsync(before);

        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Admin.PostJsonAsync($"/api/trials/{trialId}/amendments", new
        {
            version = "1.1", effectiveOn = "2026-12-05", ethicsApproval = new { reference = "IRB-2026-114", date = "2026-12-04" },
            changes = new { protocolVersions = new Dictionary<string, string> { ["cognitive-mediator"] = "9.1", ["cognitive-moderator"] = "9.1" } },
        }));
        var after = (await RandomizedParticipantAsync(server, trialId)).GetProperty("participantId").GetString()!;
        var (laterPdf, _) = await WaitForProtocolDocumentAsync(server.Coordinator, after, TimeSpan.FromSeconds(60));
        var later = await DocumentRowAsync(after);

        Assert.NotEqual("9.1", earlier.Version);
        Assert.Equal("9.1", later.Version);
        Assert.Equal(Sha256(Path.Combine(directory, "protocols", later.Id + "@9.1.md")), later.TextSha256);
        Assert.True(new PdfText(laterPdf).Contains("sessions may be held by video"));
        Assert.False(new PdfText(earlierPdf).Contains("sessions may be held by video"));

        // The earlier document is the one produced before the amendment: same row, same PDF.
        Assert.Equal(earlier, await DocumentRowAsync(before));
        Assert.Equal(earlierPdf, (await WaitForProtocolDocumentAsync(server.Coordinator, before, TimeSpan.FromSeconds(10))).Pdf);
    }

    private Task<(string Id, string Version, string TextSha256, string PdfSha256)> DocumentRowAsync(string participantId) =>
        server!.WithDbAsync(async db =>
        {
            var row = await db.ProtocolDocuments.AsNoTracking().SingleAsync(d => d.ParticipantId == participantId);
            return (row.ProtocolId!, row.ProtocolVersion!, row.ProtocolSha256!, row.Sha256!);
        });

    private static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    private sealed class OwnServer(string dataDirectory, string protocols) : TrialServer
    {
        public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

        protected override Task<IReadOnlyDictionary<string, string>> PrepareDatabaseAsync() =>
            Task.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string>
            {
                ["Database:Provider"] = "Sqlite", ["TrialManager:DataDirectory"] = dataDirectory, ["TrialManager:ProtocolsDirectory"] = protocols,
            });
    }
}
