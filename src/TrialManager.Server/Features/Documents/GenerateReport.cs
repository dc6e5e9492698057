using System.Globalization;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Common;
using TrialManager.Domain.Documents;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Documents;
using TrialManager.Infrastructure.Documents.Templates;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;
using TrialManager.Server.Errors;
using TrialManager.Server.Features.Audit;
using TrialManager.Server.Features.Participants;
using TrialManager.Server.Features.Statistics;
using TrialManager.Server.Pipeline;

namespace TrialManager.Server.Features.Documents;

/// <summary>
/// The report job's one request. Every figure comes from the same queries the API serves (consort, balance,
/// reliability, audit verification), so the PDF and the API agree at generation time. No participant ids.
/// </summary>
public sealed record GenerateReport(Guid ReportId) : IRequest;

/// <summary>TrialManager:Reports:MinCellSize: the smallest count the ethics report shows in a breakdown (default 5).</summary>
public sealed record ReportSettings(int MinCellSize)
{
    public const int DefaultMinCellSize = 5;

    public static ReportSettings From(IConfiguration configuration)
    {
        var size = configuration.GetValue<int?>("TrialManager:Reports:MinCellSize") ?? DefaultMinCellSize;
        return size >= 1
            ? new ReportSettings(size)
            : throw new InvalidOperationException($"TrialManager:Reports:MinCellSize is {size}; it must be at least 1 (1 shows every count).");
    }
}

public sealed class GenerateReportHandler(
    ISender sender, DocumentStore store, LowPriorityWork background, ReportSettings settings, ILogger<GenerateReportHandler> logger)
    : IRequestHandler<GenerateReport>
{
    public async ValueTask<Unit> Handle(GenerateReport request, CancellationToken cancellationToken)
    {
        try
        {
            if (await sender.Send(new StartReport(request.ReportId), cancellationToken) is not { } trialId)
            {
                return Unit.Value;
            }

            var model = await BuildModelAsync(trialId, cancellationToken);
            var pdf = await background.RunAsync(() => EthicsReportTemplate.Render(model), cancellationToken);
            var sha256 = await store.SaveAsync(pdf, cancellationToken);
            await sender.Send(new CompleteReport(request.ReportId, sha256), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Report {ReportId} failed; Hangfire retries it.", request.ReportId);
            await sender.Send(new FailReport(request.ReportId, e.GetType().Name + ": " + e.Message), cancellationToken);
            throw;
        }

        return Unit.Value;
    }

    private async Task<EthicsReportModel> BuildModelAsync(string trialId, CancellationToken cancellationToken)
    {
        // The data (with the audit chain head) first: the verification after it then covers the head the report prints.
        var data = await sender.Send(new GetEthicsReportData(trialId), cancellationToken);
        var consort = await sender.Send(new GetConsort(trialId), cancellationToken);
        var balance = await sender.Send(new GetBalance(trialId), cancellationToken);
        var reliability = await sender.Send(new GetReliability(trialId), cancellationToken);
        var audit = await sender.Send(new VerifyAuditChain(), cancellationToken);

        static ArmCounts Arms(IReadOnlyDictionary<string, int> counts) =>
            new(counts.GetValueOrDefault("mediator"), counts.GetValueOrDefault("moderator"));

        return new EthicsReportModel(
            data.Trial,
            data.GeneratedAt,
            data.Protocols,
            data.RecruitmentBySite,
            data.RecruitmentByMonth,
            new ConsortCounts(
                consort.Assessed, consort.Excluded.Total,
                [.. consort.Excluded.Reasons.Select(r => new ReasonCount(r.Key, r.Value))],
                consort.Randomized, Arms(consort.Allocated), Arms(consort.Withdrawn), Arms(consort.Completed)),
            [.. balance.Strata.Select(s => new StratumArmCounts(s.Stratum, Arms(s.Counts)))],
            data.Withdrawals,
            data.Harms,
            data.SafetyByMonth,
            reliability is { Kappa: { } k, StandardError: { } se, Agreement: { } agreement }
                ? new ReliabilitySummary(
                    k, se, reliability.N, agreement, reliability.FleissKappa, reliability.KrippendorffAlpha,
                    [.. reliability.Icc.Select(i => new FactorIcc(i.Key, i.Value.Value, i.Value.Lower, i.Value.Upper, i.Value.N))])
                : null,
            new AuditChainAtReport(audit.Valid, audit.Events, data.AuditHead),
            settings.MinCellSize);
    }
}

/// <summary>Marks the report running and returns its trial; null when it is already ready.</summary>
public sealed record StartReport(Guid ReportId) : ICommand<string?>;

public sealed class StartReportHandler(TrialDbContext db) : ICommandHandler<StartReport, string?>
{
    public async ValueTask<string?> Handle(StartReport command, CancellationToken cancellationToken)
    {
        var report = await db.Reports.SingleOrDefaultAsync(r => r.Id == command.ReportId, cancellationToken)
            ?? throw new NotFoundException($"No report with id {command.ReportId}.");
        if (report.Status == DocumentStatus.Ready)
        {
            return null;
        }

        report.MarkRunning();
        return report.TrialId;
    }
}

public sealed record CompleteReport(Guid ReportId, string Sha256) : ICommand;

public sealed class CompleteReportHandler(TrialDbContext db, TimeProvider clock) : ICommandHandler<CompleteReport>
{
    public async ValueTask<Unit> Handle(CompleteReport command, CancellationToken cancellationToken)
    {
        var report = await db.Reports.SingleAsync(r => r.Id == command.ReportId, cancellationToken);
        if (report.Status != DocumentStatus.Ready)
        {
            report.MarkReady(command.Sha256, clock.GetUtcNow());
        }

        return Unit.Value;
    }
}

public sealed record FailReport(Guid ReportId, string Error) : ICommand;

public sealed class FailReportHandler(TrialDbContext db) : ICommandHandler<FailReport>
{
    public async ValueTask<Unit> Handle(FailReport command, CancellationToken cancellationToken)
    {
        var report = await db.Reports.SingleOrDefaultAsync(r => r.Id == command.ReportId, cancellationToken);
        if (report is { Status: not DocumentStatus.Ready })
        {
            report.MarkFailed(command.Error);
        }

        return Unit.Value;
    }
}

/// <summary>
/// The report's figures that no other query serves: recruitment, withdrawals by category, harms, protocol versions, and
/// the audit chain head (the last event's sequence and stored hash).
/// </summary>
public sealed record GetEthicsReportData(string TrialId) : IQuery<EthicsReportData>;

public sealed record EthicsReportData(
    TrialIdentity Trial,
    DateTimeOffset GeneratedAt,
    IReadOnlyList<ProtocolVersionInUse> Protocols,
    IReadOnlyList<SiteRecruitment> RecruitmentBySite,
    IReadOnlyList<MonthlyCount> RecruitmentByMonth,
    IReadOnlyList<WithdrawalCount> Withdrawals,
    IReadOnlyList<HarmsCount> Harms,
    IReadOnlyList<SafetyMonth> SafetyByMonth,
    AuditHead? AuditHead);

public sealed class GetEthicsReportDataHandler(TrialDbContext db, TimeProvider clock) : IQueryHandler<GetEthicsReportData, EthicsReportData>
{
    public async ValueTask<EthicsReportData> Handle(GetEthicsReportData query, CancellationToken cancellationToken)
    {
        var trial = await db.ReadTrialAsync(query.TrialId, cancellationToken);
        var d = trial.Definition;

        var head = await db.AuditEvents.AsNoTracking().OrderByDescending(e => e.Sequence)
            .Select(e => new AuditHead(e.Sequence, e.Hash)).FirstOrDefaultAsync(cancellationToken);
        var allocations = await db.Allocations.AsNoTracking().Where(a => a.TrialId == trial.Id)
            .Select(a => new { a.ParticipantId, a.Site, a.Arm, a.RandomizedAt }).ToListAsync(cancellationToken);
        var armOf = allocations.ToDictionary(a => a.ParticipantId, a => a.Arm);
        var randomizedOn = allocations.ToDictionary(a => a.ParticipantId, a => DateOnly.FromDateTime(a.RandomizedAt.UtcDateTime));
        var share = d.TargetEnrollment / Math.Max(1, d.Sites.Count);
        var bySite = d.Sites.Select(s => new SiteRecruitment(s, allocations.Count(a => a.Site == s), share)).ToList();
        var byMonth = allocations.GroupBy(a => Month(a.RandomizedAt)).OrderBy(g => g.Key)
            .Select(g => new MonthlyCount(g.Key, g.Count())).ToList();

        var withdrawn = await db.Participants.AsNoTracking()
            .Where(p => p.TrialId == trial.Id && p.Status == ParticipantStatus.Withdrawn && p.WithdrawnAfterAllocation)
            .Select(p => new { p.Id, p.WithdrawalCategory }).ToListAsync(cancellationToken);
        // Codes only: the free-text note never leaves the participant's record. Every category is listed (zeros
        // included); withdrawals from before categories existed are "unrecorded", never guessed into one.
        var withdrawals = Enum.GetValues<WithdrawalCategory>().Select(c => (WithdrawalCategory?)c).Append(null)
            .Select(c => new WithdrawalCount(WithdrawalView.CategoryText(c), Count(withdrawn.Where(w => w.WithdrawalCategory == c).Select(w => armOf[w.Id]))))
            .Where(w => w.Category != WithdrawalView.Unrecorded || w.Counts.Total > 0)
            .ToList();

        // Owned events come with their participant (SQLite cannot flatten them in SQL); only those with events load.
        var events = (await db.Participants.AsNoTracking().Where(p => p.TrialId == trial.Id && p.Events.Any()).ToListAsync(cancellationToken))
            .SelectMany(p => p.Events.Select(e => new
            {
                ParticipantId = p.Id, e.Type, e.OccurredOn,
                // An event is attributed to an arm only from the day of randomization on; one that occurred earlier
                // (or to someone never randomized) is counted apart, so the totals still agree with the months.
                Arm = randomizedOn.TryGetValue(p.Id, out var on) && e.OccurredOn >= on ? armOf[p.Id] : (ArmCode?)null,
            }))
            .ToList();
        // CONSORT Harms: participants with at least one event of the type beside the number of events.
        var harms = Enum.GetValues<ParticipantEventType>().Select(type =>
            {
                var after = events.Where(e => e.Type == type && e.Arm is not null).ToList();
                var before = events.Where(e => e.Type == type && e.Arm is null).ToList();
                return new HarmsCount(
                    Kind(type), type.Wire(),
                    Count(after.DistinctBy(e => e.ParticipantId).Select(e => e.Arm!.Value)),
                    Count(after.Select(e => e.Arm!.Value)),
                    before.DistinctBy(e => e.ParticipantId).Count(),
                    before.Count);
            })
            .ToList();
        var safetyByMonth = events.GroupBy(e => e.OccurredOn.ToString("yyyy-MM", CultureInfo.InvariantCulture)).OrderBy(g => g.Key)
            .Select(g => new SafetyMonth(g.Key,
                g.Count(e => e.Type == ParticipantEventType.AdverseEvent),
                g.Count(e => e.Type == ParticipantEventType.SeriousAdverseEvent),
                g.Count(e => e.Type == ParticipantEventType.ProtocolDeviation)))
            .ToList();

        var participantIds = allocations.Select(a => a.ParticipantId).ToList();
        var protocols = await db.ProtocolDocuments.AsNoTracking()
            .Where(p => p.Status == DocumentStatus.Ready && participantIds.Contains(p.ParticipantId))
            .Select(p => new { p.ProtocolId, p.ProtocolVersion, p.ProtocolSha256 }).Distinct().ToListAsync(cancellationToken);

        return new EthicsReportData(
            new TrialIdentity(trial.Id, d.Title, d.Registration ?? "not registered", trial.Status.Wire(), d.TargetEnrollment),
            clock.GetUtcNow(),
            [.. protocols.OrderBy(p => p.ProtocolId, StringComparer.Ordinal).Select(p => new ProtocolVersionInUse(p.ProtocolId!, p.ProtocolVersion!, p.ProtocolSha256!))],
            bySite, byMonth, withdrawals, harms, safetyByMonth, head);
    }

    private static string Month(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    private static ArmCounts Count(IEnumerable<ArmCode> arms)
    {
        var list = arms.ToList();
        return new ArmCounts(list.Count(a => a == ArmCode.Mediator), list.Count(a => a == ArmCode.Moderator));
    }

    private static SafetyEventKind Kind(ParticipantEventType type) => type switch
    {
        ParticipantEventType.AdverseEvent => SafetyEventKind.AdverseEvent,
        ParticipantEventType.SeriousAdverseEvent => SafetyEventKind.SeriousAdverseEvent,
        _ => SafetyEventKind.ProtocolDeviation,
    };
}
