using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Documents;
using TrialManager.Infrastructure.Documents;
using TrialManager.Infrastructure.Persistence;
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
        if (!await db.Trials.AnyAsync(t => t.Id == command.TrialId, cancellationToken))
        {
            throw new NotFoundException($"No trial with id {command.TrialId}.");
        }

        // The queued row is the outbox entry: the sweep on start enqueues any report still owed.
        var report = new Report(Guid.NewGuid(), command.TrialId, Wire.Parse<ReportKind>(command.Kind), command.Scheduled,
            actors.Current.Name, clock.GetUtcNow());
        db.Reports.Add(report);
        afterCommit.Add(() => jobs.EnqueueReport(report.Id));
        return ReportView.From(report);
    }
}

public sealed record GetReport(Guid ReportId) : IQuery<ReportView>;

/// <summary>GET /api/trials/{trialId}/reports: a page of the trial's reports, newest first.</summary>
public sealed record ListReports(string TrialId, PageRequest Page) : IQuery<Page<ReportView>>;

public sealed record GetReportPdf(Guid ReportId) : IQuery<Stream>;

public sealed class ReportQueriesHandler(TrialDbContext db, DocumentStore store)
    : IQueryHandler<GetReport, ReportView>, IQueryHandler<ListReports, Page<ReportView>>, IQueryHandler<GetReportPdf, Stream>
{
    public async ValueTask<ReportView> Handle(GetReport query, CancellationToken cancellationToken) =>
        ReportView.From(await LoadAsync(query.ReportId, cancellationToken));

    public async ValueTask<Page<ReportView>> Handle(ListReports query, CancellationToken cancellationToken)
    {
        if (!await db.Trials.AnyAsync(t => t.Id == query.TrialId, cancellationToken))
        {
            throw new NotFoundException($"No trial with id {query.TrialId}.");
        }

        var reports = db.Reports.AsNoTracking().Where(r => r.TrialId == query.TrialId);
        if (query.Page.Key(2) is [var createdAt, var id])
        {
            var after = PageRequest.Instant(createdAt);
            var afterId = PageRequest.Id(id);
            reports = reports.Where(r => r.CreatedAt < after || (r.CreatedAt == after && r.Id.CompareTo(afterId) < 0));
        }

        var rows = await reports.OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id).Take(query.Page.Limit + 1)
            .ToListAsync(cancellationToken);
        var page = Page<Report>.From(rows, query.Page, r => PageRequest.Cursor(PageRequest.Text(r.CreatedAt), r.Id.ToString("D")));
        return new Page<ReportView>([.. page.Items.Select(ReportView.From)], page.Next);
    }

    public async ValueTask<Stream> Handle(GetReportPdf query, CancellationToken cancellationToken)
    {
        var report = await LoadAsync(query.ReportId, cancellationToken);
        if (report.Status != DocumentStatus.Ready || report.Sha256 is null)
        {
            throw new Domain.Common.WorkflowConflictException($"The report is {Wire.Text(report.Status)}; its PDF exists once it is ready.");
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

        app.MapGet("/api/trials/{trialId}/reports", async (string trialId, PageRequest page, HttpContext http, ISender sender, CancellationToken ct) =>
                http.Paged(await sender.Send(new ListReports(trialId, page), ct)))
            .RequireAuthorization(Policies.Reports).WithTags("Reports")
            .WithSummary("The trial's reports, requested and scheduled, newest first, paged (limit, after, Link).");

        app.MapGet("/api/reports/{reportId:guid}", (Guid reportId, ISender sender, CancellationToken ct) => sender.Send(new GetReport(reportId), ct))
            .RequireAuthorization(Policies.Reports).WithTags("Reports")
            .WithSummary("A report's status and, once ready, its SHA-256.");

        app.MapGet("/api/reports/{reportId:guid}/pdf", async (Guid reportId, ISender sender, CancellationToken ct) =>
                Results.File(await sender.Send(new GetReportPdf(reportId), ct), "application/pdf", $"report-{reportId}.pdf"))
            .RequireAuthorization(Policies.Reports).WithTags("Reports")
            .WithSummary("The report as PDF, once ready.");
    }
}
