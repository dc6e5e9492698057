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

    /// <summary>An ethics report (pooled) whose numbers are mostly distinct, so a missing one is noticed.</summary>
    public static EthicsReportModel EthicsReport(int months = 14, ReliabilitySummary? reliability = null, int minCellSize = 5) => new(
        Trial: Trial,
        GeneratedAt: Generated,
        Protocols: [.. Library.All.Select(p => new ProtocolVersionInUse(string.Empty, p.Version, p.Sha256))],
        RecruitmentBySite: Sites,
        RecruitmentByMonth: Months(months),
        Consort: new PooledConsort(
            Assessed: 412,
            Excluded: 125,
            ExcludedByReason: [new ReasonCount("screenFailed", 71), new ReasonCount("declined", 38), new ReasonCount("excluded", 16)],
            PendingSecondRating: 6,
            PendingConsensus: 2,
            ExcludedByFormulation: 16,
            AwaitingRandomization: 17,
            Randomized: 287,
            StoppedTreatment: 23,
            LostToFollowUp: 9,
            WithdrewConsent: 14,
            OtherWithdrawals: 22,
            Completed: 128,
            Analysed: 264,
            MisStratified: 3,
            IneligibleAfterRandomization: 1),
        ScreenFailures: [new ReasonCount("age below the minimum", 27), new ReasonCount("exclusion criterion: psychosis", 44), new ReasonCount("severity above the maximum", 3)],
        Withdrawals:
        [
            new ReasonCount("movedAway", 19),
            new ReasonCount("withdrewConsent", 14),
            new ReasonCount("lostToFollowUp", 9),
            new ReasonCount("clinicalDecision", 3),
        ],
        Harms:
        [
            new PooledHarms(SafetyEventKind.AdverseEvent, 28, 67, 4, 7),
            new PooledHarms(SafetyEventKind.SeriousAdverseEvent, 5, 8, 0, 0),
            new PooledHarms(SafetyEventKind.ProtocolDeviation, 50, 96, 6, 11),
        ],
        SafetyByMonth: SafetyMonths,
        DataQuality: new DataQuality(13, 58, 41),
        Reliability: reliability,
        Audit: Audit,
        MinCellSize: minCellSize);

    /// <summary>A closed DSMB report by arm, its numbers mostly distinct.</summary>
    public static DsmbReportModel DsmbReport(bool comparator = false) => new(
        Trial: Trial with { HasComparator = comparator },
        GeneratedAt: Generated,
        RecruitmentBySite: Sites,
        RecruitmentByMonth: Months(14),
        Consort: new ConsortCounts(
            Assessed: 412, Excluded: 125,
            ExcludedByReason: [new ReasonCount("screenFailed", 71), new ReasonCount("declined", 38), new ReasonCount("excluded", 16)],
            PendingSecondRating: 6, PendingConsensus: 2, ExcludedByFormulation: 16, AwaitingRandomization: 17, Randomized: 287,
            Allocated: new ArmCounts(144, 143, comparator ? 141 : 0),
            Withdrawn: new ArmCounts(21, 18, comparator ? 17 : 0),
            Completed: new ArmCounts(66, 62, comparator ? 59 : 0),
            StoppedTreatment: new ArmCounts(12, 11, comparator ? 10 : 0),
            LostToFollowUp: new ArmCounts(4, 5, comparator ? 2 : 0),
            Analysed: new ArmCounts(132, 131, comparator ? 133 : 0)),
        Balance: [new StratumArmCounts("cognitive / Valencia", new ArmCounts(36, 35, comparator ? 37 : 0))],
        MisStratified: new ArmCounts(2, 1),
        IneligibleAfterRandomization: new ArmCounts(0, 1),
        Withdrawals: [new WithdrawalCount("movedAway", new ArmCounts(5, 4)), new WithdrawalCount("withdrewConsent", new ArmCounts(8, 7))],
        Harms:
        [
            new HarmsCount(SafetyEventKind.AdverseEvent, "adverseEvent", new ArmCounts(13, 15), new ArmCounts(31, 36), 4, 7),
            new HarmsCount(SafetyEventKind.SeriousAdverseEvent, "seriousAdverseEvent", new ArmCounts(2, 1), new ArmCounts(3, 1), 0, 0),
        ],
        Relatedness:
        [
            new RelatednessHarms(false, "unrelated", new ArmCounts(9, 10), new ArmCounts(20, 25)),
            new RelatednessHarms(false, "possibleOrMore", new ArmCounts(4, 5), new ArmCounts(11, 11)),
            new RelatednessHarms(true, "possibleOrMore", new ArmCounts(1, 0), new ArmCounts(2, 0)),
        ],
        Trajectories:
        [
            new OutcomeMeans("phq9", "baseline", new ArmMeans(new Mean(16.25, 144), new Mean(15.875, 143))),
            new OutcomeMeans("phq9", "session 4", new ArmMeans(new Mean(12.5, 120), null)),
        ],
        Alliance: [new AllianceMeans("cognitive", new ArmMeans(new Mean(3.9, 70), new Mean(3.45, 72)))],
        Fidelity: [new FidelityMeans("Differentiation (own arm's prescribed minus the other's)", new ArmMeans(new Mean(2.1, 40), new Mean(1.75, 38)))],
        Reliability: new ReliabilitySummary(0.71, 0.054, 64, 0.828),
        Blinding: new BlindingFigures(
            40,
            [new ArmBlindingFigures("mediator", 20, 9, 5, 6, 0.2, 0.1732), new ArmBlindingFigures("moderator", 20, 4, 6, 10, -0.1, 0.1414)],
            [new UnblindingFigure(new DateTimeOffset(2026, 9, 3, 10, 15, 0, TimeSpan.Zero), "assessor", "mediator", "serious event: the psychiatrist needs the arm")]),
        Audit: Audit);

    private static readonly TrialIdentity Trial = new("RELMED-01", "Relationship as mediator or moderator of change", "ISRCTN12345678", "Recruiting", 600);

    private static readonly AuditChainAtReport Audit =
        new(true, 48213, new AuditHead(48213, "9c2e41f07ab35d86e1f4093b27c6d58a0e1f2b3c4d5e6f708192a3b4c5d6e7f8"));

    private static readonly SiteRecruitment[] Sites =
        [new SiteRecruitment("Valencia", 131, 200), new SiteRecruitment("Stony Brook", 97, 250), new SiteRecruitment("Bern", 59, 150)];

    private static readonly SafetyMonth[] SafetyMonths =
        [new SafetyMonth("2026-08", 10, 1, 19), new SafetyMonth("2026-09", 12, 0, 21), new SafetyMonth("2026-10", 10, 2, 16)];

    private static MonthlyCount[] Months(int months) => [.. Enumerable.Range(0, months).Select(i => new MonthlyCount(
        new DateOnly(2025, 9, 1).AddMonths(i).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture), 11 + (i * 3 % 17)))];
}
