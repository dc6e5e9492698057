using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Common;
using TrialManager.Domain.Documents;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;
using TrialManager.Server.Security;

namespace TrialManager.Server.Features.Documents;

/// <summary>
/// POST /api/reports/{id}/signatures: the report's audience signs a ready report, re-authenticating to do so. The
/// content and its SHA-256 never change; the signature is a row of its own (an audited event).
/// </summary>
public sealed record SignReport(Guid ReportId, string? Meaning, string? Key) : ICommand<SignatureView>, IAuditedCommand
{
    public string? AuditTrialId => null;
}

public sealed record SignReportRequest(string? Meaning, string? Key);

public sealed record SignatureView(Guid Id, Guid ReportId, string Signer, string Role, SignatureMeaning Meaning, DateTimeOffset SignedAt, string ContentSha256)
{
    public static SignatureView From(ReportSignature s) => new(s.Id, s.ReportId, s.Signer, s.Role, s.Meaning, s.SignedAt, s.ContentSha256);
}

public sealed class SignReportValidator : AbstractValidator<SignReport>
{
    public SignReportValidator()
    {
        RuleFor(s => s.Meaning).Must(m => Wire.TryParse<SignatureMeaning>(m, out _)).WithMessage("is required: reviewed or approved");
        RuleFor(s => s.Key).MaximumLength(256);
    }
}

public sealed class SignReportHandler(TrialDbContext db, IActorAccessor actors, Reauthentication reauthentication, TimeProvider clock, AuditTrail trail)
    : ICommandHandler<SignReport, SignatureView>
{
    public async ValueTask<SignatureView> Handle(SignReport command, CancellationToken cancellationToken)
    {
        var actor = actors.Current;
        var report = await db.LoadReportAsync(command.ReportId, actor, cancellationToken); // a closed report is a 404 to all but the DSMB
        var audience = ReportAudience.SignerOf(report.Kind);
        if (actor.Role != audience)
        {
            throw new ForbiddenException($"A {report.Kind.Wire()} report is signed by its audience, the {audience} role.", "signatureRole");
        }

        reauthentication.Ensure(command.Key);
        var signature = ReportSignature.Sign(report, actor.Name, actor.Role, Wire.Parse<SignatureMeaning>(command.Meaning), clock.GetUtcNow());
        db.ReportSignatures.Add(signature);
        trail.BelongsToTrial(report.TrialId); // so a trial's filtered trail shows who signed its reports
        return SignatureView.From(signature);
    }
}

internal static class ReportSignatureLoading
{
    /// <summary>A report's signatures in the order they were made (their pages' order).</summary>
    public static Task<List<ReportSignature>> SignaturesOfAsync(this TrialDbContext db, Guid reportId, CancellationToken cancellationToken) =>
        db.ReportSignatures.AsNoTracking().Where(s => s.ReportId == reportId).OrderBy(s => s.SignedAt).ThenBy(s => s.Id).ToListAsync(cancellationToken);
}
