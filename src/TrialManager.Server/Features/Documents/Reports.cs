using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Common;
using TrialManager.Domain.Documents;
using TrialManager.Infrastructure.Documents;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;
using TrialManager.Server.Errors;
using TrialManager.Server.Pipeline;
using TrialManager.Server.Security;

namespace TrialManager.Server.Features.Documents;

/// <summary>POST /api/trials/{id}/reports: queue an ethics-board report (also sent by the schedule).</summary>
public sealed record RequestReport(string TrialId, string? Kind, bool Scheduled = false) : ICommand<ReportView>, IAuditedCommand
{
    public string? AuditTrialId => TrialId;
}

public sealed record RequestReportRequest(string? Kind);

public sealed record ReportView(
    Guid Id, string TrialId, ReportKind Kind, DocumentStatus Status, DateTimeOffset CreatedAt, string? Sha256, bool Scheduled,
    DateTimeOffset? GeneratedAt)
{
    public static ReportView From(Report r) => new(r.Id, r.TrialId, r.Kind, r.Status, r.CreatedAt, r.Sha256, r.Scheduled, r.GeneratedAt);
}

public sealed class RequestReportValidator : AbstractValidator<RequestReport>
{
    public RequestReportValidator() =>
        RuleFor(r => r.Kind).Must(k => Wire.TryParse<ReportKind>(k, out _)).WithMessage("must be ethicsProgress");
}

public sealed class RequestReportHandler(TrialDbContext db, IActorAccessor actors, TimeProvider clock, AfterCommit afterCommit, DocumentJobs jobs)
    : ICommandHandler<RequestReport, ReportView>
{
    public async ValueTask<ReportView> Handle(RequestReport command, CancellationToken cancellationToken)
    {
        await db.EnsureTrialExistsAsync(command.TrialId, cancellationToken);

        // The queued row is the outbox entry: the sweep on start enqueues any report still owed.
        var report = new Report(Guid.NewGuid(), command.TrialId, Wire.Parse<ReportKind>(command.Kind), command.Scheduled,
            actors.Current.Name, clock.GetUtcNow());
        db.Reports.Add(report);
        afterCommit.Add(() => jobs.EnqueueReport(report.Id));
        return ReportView.From(report);
    }
}

public sealed record GetReport(Guid ReportId) : IQuery<ReportView>;

public sealed record ListReports(string TrialId) : IQuery<IReadOnlyList<ReportView>>;

public sealed record GetReportPdf(Guid ReportId) : IQuery<Stream>;

public sealed class ReportQueriesHandler(TrialDbContext db, DocumentStore store)
    : IQueryHandler<GetReport, ReportView>, IQueryHandler<ListReports, IReadOnlyList<ReportView>>, IQueryHandler<GetReportPdf, Stream>
{
    public async ValueTask<ReportView> Handle(GetReport query, CancellationToken cancellationToken) =>
        ReportView.From(await LoadAsync(query.ReportId, cancellationToken));

    public async ValueTask<IReadOnlyList<ReportView>> Handle(ListReports query, CancellationToken cancellationToken)
    {
        await db.EnsureTrialExistsAsync(query.TrialId, cancellationToken);

        // Sorted after loading: SQLite cannot order by a DateTimeOffset column (EF refuses to translate it).
        var reports = await db.Reports.AsNoTracking().Where(r => r.TrialId == query.TrialId).ToListAsync(cancellationToken);
        return [.. reports.OrderByDescending(r => r.CreatedAt).Select(ReportView.From)];
    }

    public async ValueTask<Stream> Handle(GetReportPdf query, CancellationToken cancellationToken)
    {
        var report = await LoadAsync(query.ReportId, cancellationToken);
        if (report.Status != DocumentStatus.Ready || report.Sha256 is null)
        {
            throw new Domain.Common.WorkflowConflictException($"The report is {report.Status.Wire()}; its PDF exists once it is ready.");
        }

        return store.Open(report.Sha256) ?? throw new NotFoundException("The report's file is missing from the document store.");
    }

    private async Task<Report> LoadAsync(Guid id, CancellationToken cancellationToken) =>
        await db.Reports.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, cancellationToken)
        ?? throw new NotFoundException($"No report with id {id}.");
}

public static class ReportEndpoints
{
    public static void MapReportEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/trials/{trialId}/reports", async (string trialId, RequestReportRequest body, ISender sender, CancellationToken ct) =>
            {
                var report = await sender.Send(new RequestReport(trialId, body.Kind), ct);
                return Results.Accepted($"/api/reports/{report.Id}", new { report.Id, report.Status });
            })
            .RequireAuthorization(Policies.Reports).WithTags("Reports")
            .WithSummary("Queue an ethics-board report; poll its Location until ready.");

        app.MapGet("/api/trials/{trialId}/reports", (string trialId, ISender sender, CancellationToken ct) => sender.Send(new ListReports(trialId), ct))
            .RequireAuthorization(Policies.Reports).WithTags("Reports")
            .WithSummary("The trial's reports, requested and scheduled, newest first.");

        app.MapGet("/api/reports/{reportId:guid}", (Guid reportId, ISender sender, CancellationToken ct) => sender.Send(new GetReport(reportId), ct))
            .RequireAuthorization(Policies.Reports).WithTags("Reports")
            .WithSummary("A report's status and, once ready, its SHA-256.");

        app.MapGet("/api/reports/{reportId:guid}/pdf", async (Guid reportId, ISender sender, CancellationToken ct) =>
                Results.File(await sender.Send(new GetReportPdf(reportId), ct), "application/pdf", $"report-{reportId}.pdf"))
            .RequireAuthorization(Policies.Reports).WithTags("Reports")
            .WithSummary("The report as PDF, once ready.");
    }
}
