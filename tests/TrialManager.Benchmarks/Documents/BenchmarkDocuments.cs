using System.Globalization;
using TrialManager.Infrastructure.Documents;
using TrialManager.Infrastructure.Documents.Protocols;

namespace TrialManager.Benchmarks.Documents;

/// <summary>Models for the document benchmarks: one protocol document and a synthetic 10,000-participant trial.</summary>
internal static class BenchmarkDocuments
{
    private static readonly DateTimeOffset Generated = new(2026, 11, 20, 9, 30, 0, TimeSpan.Zero);
    private static readonly string[] Formulations = ["cognitive", "interpersonal", "behavioral", "environmental"];

    public static ProtocolLibrary LoadLibrary() =>
        ProtocolLibrary.Load(Directory.Exists(ProtocolLibrary.DefaultDirectory)
            ? ProtocolLibrary.DefaultDirectory
            : RepositoryPaths.Source("protocols"));

    public static ProtocolDocumentModel ProtocolDocument(ProtocolLibrary library)
    {
        var text = library.Get("interpersonal", "mediator");
        return new ProtocolDocumentModel(
            "TM-0042", "Valencia University Clinic", "RELMED-01", "Relationship as mediator or moderator of change", "ISRCTN12345678",
            "interpersonal",
            [
                new ProtocolDocumentRating("Rater A", 3, 8, 2, 1, false, Generated.AddDays(-50)),
                new ProtocolDocumentRating("Rater B", 4, 7, 3, 2, false, Generated.AddDays(-49)),
                new ProtocolDocumentRating("Consensus panel", 3, 8, 2, 1, true, Generated.AddDays(-48)),
            ],
            "mediator", "interpersonal / Valencia", Generated.AddDays(-47), text, text.Version, text.Sha256, Generated);
    }

    /// <summary>
    /// Simulates a trial of <paramref name="participants"/> randomized participants (12 sites, 36 months)
    /// with a seeded random source, and aggregates it into the report model the server would build.
    /// </summary>
    public static EthicsReportModel EthicsReport(ProtocolLibrary library, int participants = 10_000)
    {
        var random = new Random(20261120);
        var sites = Enumerable.Range(1, 12).Select(i => $"Site {i:00}").ToArray();
        var start = new DateOnly(2023, 11, 1);
        var people = Enumerable.Range(0, participants).Select(_ => (
            Site: sites[random.Next(sites.Length)],
            Formulation: Formulations[random.Next(4)],
            Arm: random.Next(2) == 0 ? "mediator" : "moderator",
            Month: start.AddMonths(random.Next(36)).ToString("yyyy-MM", CultureInfo.InvariantCulture),
            Withdrawal: random.NextDouble() < 0.12 ? WithdrawalReasons[random.Next(WithdrawalReasons.Length)] : null,
            Completed: random.NextDouble() < 0.6)).ToList();

        ArmCounts Count<T>(IEnumerable<T> items, Func<T, string> arm) =>
            new(items.Count(i => arm(i) == "mediator"), items.Count(i => arm(i) == "moderator"));

        var excluded = new[] { new ReasonCount("Did not meet inclusion criteria", 2210), new ReasonCount("Declined to participate", 1402), new ReasonCount("Other reasons", 388) };
        var withdrawn = people.Where(p => p.Withdrawal is not null).ToList();
        var harms = EventTypes.Select(e => new HarmsCount(e.Kind, e.Type, new ArmCounts(random.Next(5, 200), random.Next(5, 200)),
            new ArmCounts(random.Next(200, 400), random.Next(200, 400)), random.Next(0, 20), random.Next(20, 40))).ToList();
        var allocated = Count(people, p => p.Arm);
        var lost = withdrawn.Count(p => p.Withdrawal == "lostToFollowUp");
        var consent = withdrawn.Count(p => p.Withdrawal == "withdrewConsent");
        return new EthicsReportModel(
            new TrialIdentity("RELMED-01", "Relationship as mediator or moderator of change", "ISRCTN12345678", "Recruiting", 12_000),
            Generated,
            [.. library.All.Select(p => new ProtocolVersionInUse(string.Empty, p.Version, p.Sha256))],
            [.. people.GroupBy(p => p.Site).OrderBy(g => g.Key).Select(g => new SiteRecruitment(g.Key, g.Count(), 1000))],
            [.. people.GroupBy(p => p.Month).OrderBy(g => g.Key).Select(g => new MonthlyCount(g.Key, g.Count()))],
            new PooledConsort(
                participants + excluded.Sum(e => e.Count), excluded.Sum(e => e.Count), excluded, 40, 12, 388, 150, participants,
                StoppedTreatment: participants / 20, LostToFollowUp: lost, WithdrewConsent: consent, OtherWithdrawals: withdrawn.Count - lost - consent,
                Completed: people.Count(p => p.Withdrawal is null && p.Completed), Analysed: allocated.Total - lost - consent,
                MisStratified: 7, IneligibleAfterRandomization: 2),
            [new ReasonCount("age below the minimum", 610), new ReasonCount("exclusion criterion: psychosis", 1600)],
            [.. withdrawn.GroupBy(p => p.Withdrawal!).OrderBy(g => g.Key).Select(g => new ReasonCount(g.Key, g.Count()))],
            [.. harms.Select(h => new PooledHarms(h.Kind, h.WithEvent.Total, h.Events.Total, h.WithEventBefore, h.EventsBefore))],
            [.. people.Select(p => p.Month).Distinct().Order().Select(m => new SafetyMonth(m, random.Next(20, 60), random.Next(0, 5), random.Next(10, 40)))],
            new DataQuality(31, 412, 287),
            new ReliabilitySummary(0.74, 0.021, 1480, 0.83),
            new AuditChainAtReport(true, 212_418, new AuditHead(212_418, "3f9a1c0e5b7d2468ace13579bdf02468ace13579bdf02468ace13579bdf0246a")),
            MinCellSize: 5);
    }

    private static readonly string[] WithdrawalReasons =
        ["movedAway", "withdrewConsent", "lostToFollowUp", "clinicalDecision", "adverseEvent", "other"];

    private static readonly (SafetyEventKind Kind, string Type)[] EventTypes =
    [
        (SafetyEventKind.AdverseEvent, "Worsening of symptoms"), (SafetyEventKind.AdverseEvent, "Sleep disturbance"),
        (SafetyEventKind.AdverseEvent, "Distress after session"), (SafetyEventKind.SeriousAdverseEvent, "Hospitalisation"),
        (SafetyEventKind.SeriousAdverseEvent, "Self-harm"), (SafetyEventKind.ProtocolDeviation, "Session outside window"),
        (SafetyEventKind.ProtocolDeviation, "Wrong protocol text used"), (SafetyEventKind.ProtocolDeviation, "Missed fidelity rating"),
    ];
}
