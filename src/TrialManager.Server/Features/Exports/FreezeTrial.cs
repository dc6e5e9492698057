using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Documents;
using TrialManager.Infrastructure.Documents;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;
using TrialManager.Server.Features.Documents;

namespace TrialManager.Server.Features.Exports;

public sealed record FreezeView(Guid Id, DateTimeOffset FrozenAt, string Sha256);

/// <summary>
/// POST /api/trials/{id}/freezes: the data as of now, kept as the export written now, and beside it the ethics and DSMB
/// reports' figures read in the same snapshot, so either report can later be made of the data as of the freeze. All
/// three are written and stored before this command (outside the write gate, so writers never wait for an export); the
/// command records the freeze, and with it their SHA-256 in the audit trail (the DSMB figures' concealed there).
/// </summary>
public sealed record FreezeTrial(string TrialId, Guid Id, DateTimeOffset FrozenAt, string Sha256, string EthicsReportSha256, string DsmbReportSha256)
    : ICommand<FreezeView>, IAuditedCommand
{
    public string? AuditTrialId => TrialId;
}

public sealed class FreezeTrialHandler(TrialDbContext db, IActorAccessor actors) : ICommandHandler<FreezeTrial, FreezeView>
{
    public async ValueTask<FreezeView> Handle(FreezeTrial command, CancellationToken cancellationToken)
    {
        await db.EnsureTrialExistsAsync(command.TrialId, cancellationToken);
        var freeze = new DataFreeze(
            command.Id, command.TrialId, command.FrozenAt, actors.Current.Name, command.Sha256, command.EthicsReportSha256, command.DsmbReportSha256);
        db.Freezes.Add(freeze);
        return new FreezeView(freeze.Id, freeze.FrozenAt, freeze.Sha256);
    }
}

/// <summary>
/// Writes the export of the data as of now and both reports' figures into the document store and records the freeze. The
/// figures are never served with the export: only a report of the freeze, to that report's own audience, shows them.
/// </summary>
public sealed class TrialFreezer(TrialDbContext db, IServiceScopeFactory scopes, DocumentStore store, TimeProvider clock, ISender sender)
{
    public async Task<FreezeView> FreezeAsync(string trialId, CancellationToken cancellationToken)
    {
        var trial = await db.ReadTrialAsync(trialId, cancellationToken);
        // Whole milliseconds: the time in the manifest, the zip's entries and the freeze record is one and the same.
        var now = clock.GetUtcNow();
        var frozenAt = new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
        var id = Guid.NewGuid();
        var temporary = store.TemporaryPath("zip");
        try
        {
            byte[] ethics, dsmb;
            // In a scope of its own: the export's read snapshot holds its context's connection, which the command's
            // write gate must be free to replace.
            await using (var scope = scopes.CreateAsyncScope())
            {
                var services = scope.ServiceProvider;
                // One snapshot for the export and the reports' figures (the report queries run on this scope's context):
                // a report of the freeze counts exactly the participants, events and values its zip holds.
                await using var snapshot = await ReadSnapshot.BeginAsync(services.GetRequiredService<TrialDbContext>(), cancellationToken);
                await using (var file = File.Create(temporary))
                {
                    await services.GetRequiredService<AnalysisExport>().WriteInSnapshotAsync(trial, file, frozenAt, id, cancellationToken);
                }

                var models = services.GetRequiredService<ReportModels>();
                ethics = ReportModelJson.Serialize(await models.EthicsAsync(trialId, cancellationToken) with { GeneratedAt = frozenAt });
                dsmb = ReportModelJson.Serialize(await models.DsmbAsync(trialId, cancellationToken) with { GeneratedAt = frozenAt });
            }

            var sha256 = await store.KeepAsync(temporary, "zip", cancellationToken);
            var ethicsSha256 = await store.SaveAsync(ethics, cancellationToken, ReportModelJson.Extension);
            var dsmbSha256 = await store.SaveAsync(dsmb, cancellationToken, ReportModelJson.Extension);
            return await sender.Send(new FreezeTrial(trialId, id, frozenAt, sha256, ethicsSha256, dsmbSha256), cancellationToken);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}

/// <summary>GET /api/freezes/{id}/export: the stored zip, byte for byte.</summary>
public sealed record GetFrozenExport(Guid FreezeId) : IQuery<FrozenExport>;

public sealed record FrozenExport(string TrialId, string Sha256, Stream Content);

public sealed class GetFrozenExportHandler(TrialDbContext db, DocumentStore store) : IQueryHandler<GetFrozenExport, FrozenExport>
{
    public async ValueTask<FrozenExport> Handle(GetFrozenExport query, CancellationToken cancellationToken)
    {
        var freeze = await db.Freezes.AsNoTracking().SingleOrDefaultAsync(f => f.Id == query.FreezeId, cancellationToken)
            ?? throw new NotFoundException($"No freeze with id {query.FreezeId}.");
        var content = store.Open(freeze.Sha256, "zip")
            ?? throw new InvalidOperationException($"The document store has lost the export of freeze {freeze.Id} ({freeze.Sha256}).");
        return new FrozenExport(freeze.TrialId, freeze.Sha256, content);
    }
}
