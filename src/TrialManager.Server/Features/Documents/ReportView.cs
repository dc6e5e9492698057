using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Documents;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;
using TrialManager.Server.Security;

namespace TrialManager.Server.Features.Documents;

public sealed record ReportView(
    Guid Id, string TrialId, ReportKind Kind, DocumentStatus Status, DateTimeOffset CreatedAt, string? Sha256, bool Scheduled,
    DateTimeOffset? GeneratedAt, Guid? FreezeId)
{
    public static ReportView From(Report r) => new(r.Id, r.TrialId, r.Kind, r.Status, r.CreatedAt, r.Sha256, r.Scheduled, r.GeneratedAt, r.FreezeId);
}
