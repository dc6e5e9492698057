using TrialManager.Domain.Common;
using System.Globalization;
using Mediator;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Documents;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Documents;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;
using TrialManager.Server.Features.Participants;
using ReportStratumBalance = TrialManager.Infrastructure.Documents.StratumArmCounts;

namespace TrialManager.Server.Features.Documents;

/// <summary>
/// The reports' figures that no other query serves: recruitment, screen failures by criterion, withdrawals by category,
/// harms, the allocation flags, data quality, protocol versions, and the audit chain head (the last event's sequence and
/// stored hash). By arm where an arm applies: the ethics report pools them, the closed DSMB report shows them.
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
    AuditHead? AuditHead,
    IReadOnlyList<ReasonCount> ScreenFailures,
    DataQuality DataQuality,
    ArmCounts MisStratified,
    ArmCounts IneligibleAfterRandomization);

public sealed class GetEthicsReportDataHandler(TrialDbContext db, TimeProvider clock) : IQueryHandler<GetEthicsReportData, EthicsReportData>
{
    public async ValueTask<EthicsReportData> Handle(GetEthicsReportData query, CancellationToken cancellationToken)
    {
        var trial = await db.Trials.AsNoTracking().SingleOrDefaultAsync(t => t.Id == query.TrialId, cancellationToken)
            ?? throw new NotFoundException($"No trial with id {query.TrialId}.");
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
            .Select(c => new WithdrawalCount(WithdrawalView.CategoryText(c), ArmCounts.Of(withdrawn.Where(w => w.WithdrawalCategory == c).Select(w => armOf[w.Id]))))
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
                    ArmCounts.Of(after.DistinctBy(e => e.ParticipantId).Select(e => e.Arm!.Value)),
                    ArmCounts.Of(after.Select(e => e.Arm!.Value)),
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

        // Participants per failed criterion (one may fail several), counted without their values.
        var screenReasons = await db.Participants.AsNoTracking()
            .Where(p => p.TrialId == trial.Id && p.Status == ParticipantStatus.ScreenFailed)
            .Select(p => p.ScreeningReasons).ToListAsync(cancellationToken);
        var screenFailures = screenReasons.SelectMany(r => r.Select(Eligibility.Criterion).Distinct())
            .GroupBy(c => c).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => new ReasonCount(g.Key, g.Count())).ToList();

        var flagged = await db.Participants.AsNoTracking()
            .Where(p => p.TrialId == trial.Id && (p.MisStratified || p.IneligibleAfterRandomization))
            .Select(p => new { p.Id, p.MisStratified, p.IneligibleAfterRandomization }).ToListAsync(cancellationToken);
        var misStratified = ArmCounts.Of(flagged.Where(f => f.MisStratified && armOf.ContainsKey(f.Id)).Select(f => armOf[f.Id]));
        var ineligible = ArmCounts.Of(flagged.Where(f => f.IneligibleAfterRandomization && armOf.ContainsKey(f.Id)).Select(f => armOf[f.Id]));

        var openQueries = await db.DataQueries.CountAsync(q => q.TrialId == trial.Id && q.AnsweredAt == null, cancellationToken);
        var answeredQueries = await db.DataQueries.CountAsync(q => q.TrialId == trial.Id && q.AnsweredAt != null, cancellationToken);
        var corrections = await db.Corrections.CountAsync(c => c.TrialId == trial.Id, cancellationToken);

        var participantIds = allocations.Select(a => a.ParticipantId).ToList();
        var protocols = await db.ProtocolDocuments.AsNoTracking()
            .Where(p => p.Status == DocumentStatus.Ready && participantIds.Contains(p.ParticipantId))
            .Select(p => new { p.ProtocolId, p.ProtocolVersion, p.ProtocolSha256 }).Distinct().ToListAsync(cancellationToken);

        return new EthicsReportData(
            new TrialIdentity(trial.Id, d.Title, d.Registration ?? "not registered", trial.Status.Wire(), d.TargetEnrollment,
                d.Arms.Any(a => a.Code == ArmCode.Comparator), trial.DefinitionVersion),
            clock.GetUtcNow(),
            [.. protocols.OrderBy(p => p.ProtocolId, StringComparer.Ordinal).Select(p => new ProtocolVersionInUse(p.ProtocolId!, p.ProtocolVersion!, p.ProtocolSha256!))],
            bySite, byMonth, withdrawals, harms, safetyByMonth, head,
            screenFailures, new DataQuality(openQueries, answeredQueries, corrections), misStratified, ineligible);
    }

    private static string Month(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture);


    private static SafetyEventKind Kind(ParticipantEventType type) => type switch
    {
        ParticipantEventType.AdverseEvent => SafetyEventKind.AdverseEvent,
        ParticipantEventType.SeriousAdverseEvent => SafetyEventKind.SeriousAdverseEvent,
        _ => SafetyEventKind.ProtocolDeviation,
    };
}
