using System.Security.Cryptography;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Common;
using TrialManager.Domain.Documents;
using TrialManager.Infrastructure.Documents;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Documents;

/// <summary>
/// The report job's read of a freeze's stored figures for one kind of report: the JSON as stored, checked against the
/// SHA-256 recorded on the freeze, so a report never shows figures other than those taken at freeze time.
/// </summary>
public sealed record ReadFrozenReport(Guid FreezeId, ReportKind Kind) : IQuery<FrozenReport>;

public sealed record FrozenReport(DateTimeOffset FrozenAt, byte[] Json);

public sealed class ReadFrozenReportHandler(TrialDbContext db, DocumentStore store) : IQueryHandler<ReadFrozenReport, FrozenReport>
{
    public async ValueTask<FrozenReport> Handle(ReadFrozenReport query, CancellationToken cancellationToken)
    {
        var freeze = await db.Freezes.AsNoTracking().SingleOrDefaultAsync(f => f.Id == query.FreezeId, cancellationToken)
            ?? throw new NotFoundException($"No freeze with id {query.FreezeId}.");
        var sha256 = FiguresOf(freeze, query.Kind)
            ?? throw new InvalidOperationException($"Freeze {freeze.Id} holds no {query.Kind.Wire()} figures.");
        await using var stored = store.Open(sha256, ReportModelJson.Extension)
            ?? throw new InvalidOperationException($"The document store has lost the {query.Kind.Wire()} figures of freeze {freeze.Id} ({sha256}).");
        using var buffer = new MemoryStream();
        await stored.CopyToAsync(buffer, cancellationToken);
        var json = buffer.ToArray();
        if (Convert.ToHexStringLower(SHA256.HashData(json)) != sha256)
        {
            throw new InvalidOperationException($"The stored {query.Kind.Wire()} figures of freeze {freeze.Id} no longer match their SHA-256.");
        }

        return new FrozenReport(freeze.FrozenAt, json);
    }

    /// <summary>The SHA-256 of the figures a freeze keeps for a kind of report; null for a freeze made before it kept them.</summary>
    public static string? FiguresOf(DataFreeze freeze, ReportKind kind) =>
        kind == ReportKind.DsmbClosed ? freeze.DsmbReportSha256 : freeze.EthicsReportSha256;
}
