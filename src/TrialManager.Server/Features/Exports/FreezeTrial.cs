using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Documents;
using TrialManager.Infrastructure.Documents;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Exports;

public sealed record FreezeView(Guid Id, DateTimeOffset FrozenAt, string Sha256);

/// <summary>
/// POST /api/trials/{id}/freezes: the data as of now, kept as the export written now. The zip is written and stored
/// before this command (outside the write gate, so writers never wait for an export); the command records the
/// freeze, and with it the zip's SHA-256 in the audit trail.
/// </summary>
public sealed record FreezeTrial(string TrialId, Guid Id, DateTimeOffset FrozenAt, string Sha256) : ICommand<FreezeView>, IAuditedCommand
{
    public string? AuditTrialId => TrialId;
}

public sealed class FreezeTrialHandler(TrialDbContext db, IActorAccessor actors) : ICommandHandler<FreezeTrial, FreezeView>
{
    public async ValueTask<FreezeView> Handle(FreezeTrial command, CancellationToken cancellationToken)
    {
        await db.EnsureTrialExistsAsync(command.TrialId, cancellationToken);
        var freeze = new DataFreeze(command.Id, command.TrialId, command.FrozenAt, actors.Current.Name, command.Sha256);
        db.Freezes.Add(freeze);
        return new FreezeView(freeze.Id, freeze.FrozenAt, freeze.Sha256);
    }
}

/// <summary>Writes the export of the data as of now into the document store and records the freeze.</summary>
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
            // In a scope of its own: the export's read snapshot holds its context's connection, which the command's
            // write gate must be free to replace.
            await using (var scope = scopes.CreateAsyncScope())
            await using (var file = File.Create(temporary))
            {
                await scope.ServiceProvider.GetRequiredService<AnalysisExport>().WriteAsync(trial, file, frozenAt, id, cancellationToken);
            }

            var sha256 = await store.KeepAsync(temporary, "zip", cancellationToken);
            return await sender.Send(new FreezeTrial(trialId, id, frozenAt, sha256), cancellationToken);
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
