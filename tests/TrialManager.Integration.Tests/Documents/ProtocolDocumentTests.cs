using System.Net;
using Hangfire;
using Hangfire.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TrialManager.Domain.Documents;
using TrialManager.Infrastructure.Documents;
using TrialManager.Integration.Tests.Api;
using TrialManager.Integration.Tests.Infrastructure;
using TrialManager.Server.Features.Documents;
using static TrialManager.Integration.Tests.Documents.DocumentSupport;

namespace TrialManager.Integration.Tests.Documents;

public abstract class ProtocolDocumentTests(TrialServer server)
{
    private static readonly TimeSpan DocumentTimeout = TimeSpan.FromSeconds(30);

    [ServerFact]
    public async Task ProtocolDocument_BeforeRandomization_IsNotFound()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        var participantId = await TestTrials.FormulatedParticipantAsync(server, trialId);

        var response = await server.Coordinator.GetAsync(new Uri($"/api/participants/{participantId}/protocol-document", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [ServerFact]
    public async Task ProtocolDocument_AfterRandomization_IsServedAsAPdfNamingTheAllocationAndTheProtocolVersion()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        var allocation = await RandomizedParticipantAsync(server, trialId, site: "BBB", lead: "interpersonal");
        var participantId = allocation.GetProperty("participantId").GetString()!;
        var arm = allocation.GetProperty("arm").GetString()!;

        var (pdf, _) = await WaitForProtocolDocumentAsync(server.Coordinator, participantId, DocumentTimeout);

        var row = await server.WithDbAsync(db => db.ProtocolDocuments.AsNoTracking().SingleAsync(d => d.ParticipantId == participantId));
        var file = ProtocolFile("interpersonal", arm);
        var text = new ServedPdfText(pdf);
        Assert.Equal(DocumentStatus.Ready, row.Status);
        Assert.Equal(row.Sha256, Sha256(pdf));
        Assert.Equal(file.Sha256, row.ProtocolSha256);
        Assert.Equal(file.Version, row.ProtocolVersion);
        Assert.Equal($"interpersonal-{arm}", row.ProtocolId);
        Assert.True(text.Contains(participantId), "study id");
        Assert.True(text.Contains("Site BBB"), "site");
        Assert.True(text.Contains($"Test trial ({trialId})"), "trial");
        Assert.True(text.Contains("Registration NCT00000001"), "registration");
        Assert.True(text.Contains("Primary formulation Interpersonal"), "formulation");
        Assert.True(text.Contains($"Arm {DocumentLabels.Arm(arm)}"), "arm label");
        Assert.True(text.Contains($"Stratum {allocation.GetProperty("stratum").GetString()}"), "stratum");
        Assert.True(text.Contains($"interpersonal-{arm}, version {file.Version}"), "protocol version");
        Assert.True(text.Contains(file.Sha256), "protocol SHA-256");
        // The control: the other arm's label is not in it.
        Assert.False(text.Contains($"Arm {DocumentLabels.Arm(arm == "mediator" ? "moderator" : "mediator")}"));
    }

    [ServerFact]
    public async Task ProtocolDocumentJob_EnqueuedTwiceMore_LeavesOneReadyDocumentAndOneFile()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        var participantId = (await RandomizedParticipantAsync(server, trialId)).GetProperty("participantId").GetString()!;
        var jobs = server.Factory.Services.GetRequiredService<IBackgroundJobClient>();

        // A duplicate enqueue (the start-up sweep beside a job already in a shared storage) and a retry.
        string[] ids =
        [
            jobs.Enqueue<ProtocolDocumentJob>(j => j.RunAsync(participantId, CancellationToken.None)),
            jobs.Enqueue<ProtocolDocumentJob>(j => j.RunAsync(participantId, CancellationToken.None)),
        ];
        await WaitForJobsAsync(ids, TimeSpan.FromSeconds(30));
        var (pdf, _) = await WaitForProtocolDocumentAsync(server.Coordinator, participantId, DocumentTimeout);

        var rows = await server.WithDbAsync(db => db.ProtocolDocuments.AsNoTracking().Where(d => d.ParticipantId == participantId).ToListAsync());
        var row = Assert.Single(rows);
        Assert.Equal(DocumentStatus.Ready, row.Status);
        Assert.Equal(Sha256(pdf), row.Sha256);
        var store = server.Factory.Services.GetRequiredService<DocumentStore>();
        Assert.Single(Directory.EnumerateFiles(store.Directory, row.Sha256 + "*"));
        Assert.Empty(Directory.EnumerateFiles(store.Directory, "*.tmp"));
    }

    private async Task WaitForJobsAsync(IReadOnlyList<string> ids, TimeSpan timeout)
    {
        using var connection = server.Factory.Services.GetRequiredService<JobStorage>().GetConnection();
        var deadline = DateTime.UtcNow + timeout;
        while (ids.Select(id => connection.GetStateData(id)?.Name).Any(s => s != "Succeeded"))
        {
            Assert.True(DateTime.UtcNow < deadline,
                "Jobs did not succeed: " + string.Join(", ", ids.Select(id => connection.GetStateData(id)?.Name)));
            await Task.Delay(50);
        }
    }
}

[Collection(SqliteServerCollection.Name)]
public sealed class ProtocolDocumentTests_Sqlite(SqliteTrialServer server) : ProtocolDocumentTests(server);

[Collection(PostgresServerCollection.Name)]
public sealed class ProtocolDocumentTests_Postgres(PostgresTrialServer server) : ProtocolDocumentTests(server), IRunsOnPostgres;
