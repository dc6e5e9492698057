using TrialManager.Infrastructure.Documents;
using TrialManager.Infrastructure.Documents.Protocols;

namespace TrialManager.Infrastructure.Tests.Documents;

/// <summary>Sample models and paths shared by the document tests.</summary>
internal static class DocumentSamples
{
    public static readonly DateTimeOffset Generated = new(2026, 11, 20, 9, 30, 0, TimeSpan.Zero);

    public static string ProtocolsDirectory => RepositoryPaths.Source("protocols");

    public static ProtocolLibrary Library { get; } = ProtocolLibrary.Load(ProtocolsDirectory);

    public static ProtocolDocumentModel ProtocolDocument(string formulation = "interpersonal", string arm = "mediator")
    {
        var text = Library.Get(formulation, arm);
        return new ProtocolDocumentModel(
            StudyId: "TM-0042",
            Site: "Valencia University Clinic",
            TrialId: "RELMED-01",
            TrialTitle: "Relationship as mediator or moderator of change",
            Registration: "ISRCTN12345678",
            PrimaryFormulation: formulation,
            Ratings:
            [
                new ProtocolDocumentRating("Rater A", 3, 8, 2, 1, false, new DateTimeOffset(2026, 10, 1, 10, 0, 0, TimeSpan.Zero)),
                new ProtocolDocumentRating("Rater B", 4, 7, 3, 2, false, new DateTimeOffset(2026, 10, 2, 11, 15, 0, TimeSpan.Zero)),
                new ProtocolDocumentRating("Consensus panel", 3, 8, 2, 1, true, new DateTimeOffset(2026, 10, 3, 12, 0, 0, TimeSpan.Zero)),
            ],
            Arm: arm,
            Stratum: $"{formulation} / Valencia",
            RandomizedAt: new DateTimeOffset(2026, 10, 4, 14, 5, 0, TimeSpan.Zero),
            Protocol: text,
            ProtocolVersion: text.Version,
            ProtocolSha256: text.Sha256,
            GeneratedAt: Generated);
    }

    /// <summary>An ethics report whose numbers are mostly distinct, so a missing one is noticed.</summary>
    public static EthicsReportModel EthicsReport(int months = 14, ReliabilitySummary? reliability = null, int minCellSize = 5) => new(
        Trial: new TrialIdentity("RELMED-01", "Relationship as mediator or moderator of change", "ISRCTN12345678", "Recruiting", 600),
        GeneratedAt: Generated,
        Protocols: [.. Library.All.Select(p => new ProtocolVersionInUse(p.Id, p.Version, p.Sha256))],
        RecruitmentBySite:
        [
            new SiteRecruitment("Valencia", 131, 200),
            new SiteRecruitment("Stony Brook", 97, 250),
            new SiteRecruitment("Bern", 59, 150),
        ],
        RecruitmentByMonth: [.. Enumerable.Range(0, months).Select(i => new MonthlyCount(
            new DateOnly(2025, 9, 1).AddMonths(i).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture), 11 + (i * 3 % 17)))],
        Consort: new ConsortCounts(
            Assessed: 412,
            Excluded: 125,
            ExcludedByReason: [new ReasonCount("Did not meet inclusion criteria", 71), new ReasonCount("Declined to participate", 38), new ReasonCount("Other reasons", 16)],
            Randomized: 287,
            Allocated: new ArmCounts(144, 143),
            Withdrawn: new ArmCounts(21, 18),
            Completed: new ArmCounts(66, 62)),
        Balance:
        [
            new StratumArmCounts("cognitive / Valencia", new ArmCounts(36, 35)),
            new StratumArmCounts("interpersonal / Valencia", new ArmCounts(30, 30)),
            new StratumArmCounts("behavioral / Stony Brook", new ArmCounts(48, 49)),
            new StratumArmCounts("environmental / Bern", new ArmCounts(29, 30)),
        ],
        Withdrawals:
        [
            new WithdrawalCount("movedAway", new ArmCounts(5, 4)),
            new WithdrawalCount("withdrewConsent", new ArmCounts(12, 9)),
            new WithdrawalCount("lostToFollowUp", new ArmCounts(4, 5)),
        ],
        Harms:
        [
            new HarmsCount(SafetyEventKind.AdverseEvent, "adverseEvent", new ArmCounts(13, 15), new ArmCounts(31, 36), 4, 7),
            new HarmsCount(SafetyEventKind.SeriousAdverseEvent, "seriousAdverseEvent", new ArmCounts(2, 1), new ArmCounts(3, 1), 0, 0),
            new HarmsCount(SafetyEventKind.ProtocolDeviation, "protocolDeviation", new ArmCounts(23, 27), new ArmCounts(44, 52), 6, 8),
        ],
        SafetyByMonth: [new SafetyMonth("2026-08", 10, 1, 19), new SafetyMonth("2026-09", 12, 0, 21), new SafetyMonth("2026-10", 10, 2, 16)],
        Reliability: reliability,
        Audit: new AuditChainAtReport(true, 48213, new AuditHead(48213, "9c2e41f07ab35d86e1f4093b27c6d58a0e1f2b3c4d5e6f708192a3b4c5d6e7f8")),
        MinCellSize: minCellSize);
}
