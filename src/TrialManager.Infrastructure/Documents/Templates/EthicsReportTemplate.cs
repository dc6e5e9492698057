using System.Globalization;
using TrialManager.Domain.Statistics;
using TrialManager.Infrastructure.Documents.Layout;

namespace TrialManager.Infrastructure.Documents.Templates;

/// <summary>
/// The periodic progress report for the ethics board. Aggregates only: no study ids, no free text about anyone. Counts
/// broken down by site, stratum or withdrawal category below the minimum cell size are hidden (see
/// <see cref="SmallCells"/>); the CONSORT flow stays exact, as the API serves it to the board.
/// </summary>
public static class EthicsReportTemplate
{
    private const string Mediator = "Relationship as mediator";
    private const string Moderator = "Relationship as moderator";
    private const string Comparator = "Comparator";
    private const char NoBreak = '\u00A0';

    public static byte[] Render(EthicsReportModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var trial = model.Trial;
        var consort = model.Consort;
        var arms = ArmColumns(trial.HasComparator);

        return new DocumentBuilder(new DocumentInfo(
                Title: $"Ethics progress report: {trial.Title}",
                Subject: $"Progress report for trial {trial.Id} ({trial.Registration}) to the ethics board",
                CreatedAt: model.GeneratedAt))
            .Header($"{trial.Id} · {trial.Registration}")
            .Footer($"Aggregated data only; no participant identifiers · generated {Stamp(model.GeneratedAt)}")
            .Heading($"Ethics progress report: {trial.Title}")
            .KeyValues(
                ("Trial", trial.Id),
                ("Registration", trial.Registration),
                ("Definition version", trial.DefinitionVersion),
                ("Status", trial.Status),
                ("Target enrolment", Int(trial.TargetEnrollment)),
                ("Randomized so far", $"{Int(consort.Randomized)} ({Percent(consort.Randomized, trial.TargetEnrollment)} of target)"),
                ("Report generated", Stamp(model.GeneratedAt)))
            .Note(model.MinCellSize > 1
                ? $"Small cells: in the breakdowns by site, stratum and withdrawal category a count of 1 to {Int(model.MinCellSize - 1)} is shown as "
                    + $"{Small(model.MinCellSize)}, and * marks a count hidden because it and the totals would give a small one away. "
                    + "The CONSORT flow and its totals are exact."
                : "Every count is shown (no minimum cell size is configured).")
            .Heading("Protocol texts in use", 2)
            .Table(new Table(new TableColumn("Protocol", 1.9), new TableColumn("Version", 0.75), new TableColumn("SHA-256", 4.6))
                { Style = new TextStyle(8.5) }
                .Rows(model.Protocols, p => [p.Id, p.Version, $"`{p.Sha256}`"]))
            .Heading("Recruitment", 2)
            .Table(new Table(new TableColumn("Site", 2), new TableColumn("Randomized", 1, AlignRight: true),
                    new TableColumn("Site share of target", 1.3, AlignRight: true), new TableColumn("Of share", 1, AlignRight: true))
                .Rows(BySite(model.RecruitmentBySite, model.MinCellSize), r => [r.Site.Site, r.Count, Int(r.Site.TargetShare), r.OfShare]))
            .BarChart("Figure 1. Participants randomized per month.", model.RecruitmentByMonth.Select(m => (m.Month, (double)m.Count)))
            .Table(new Table(new TableColumn("Month"), new TableColumn("Randomized", 1, AlignRight: true))
                .Rows(model.RecruitmentByMonth, m => [m.Month, Int(m.Count)]))
            .Heading("Participant flow (CONSORT)", 2)
            .Flow(ConsortFlow(consort, arms))
            .Table(new Table([new TableColumn("Stage", 3), .. arms.Select(a => new TableColumn(a.Label, 1.4, AlignRight: true)),
                    new TableColumn("Total", 1, AlignRight: true)])
                .Row(["Assessed for eligibility", .. arms.Select(_ => ""), Int(consort.Assessed)])
                .Row(["Excluded", .. arms.Select(_ => ""), Int(consort.Excluded)])
                .Rows(consort.ExcludedByReason, r => [$"  {r.Reason}", .. arms.Select(_ => ""), Int(r.Count)])
                .Row(["Randomized", .. arms.Select(_ => ""), Int(consort.Randomized)])
                .Row(["Allocated", .. arms.Select(a => Int(a.Count(consort.Allocated))), Int(consort.Allocated.Total)])
                .Row(["Withdrawn", .. arms.Select(a => Int(a.Count(consort.Withdrawn))), Int(consort.Withdrawn.Total)])
                .Row(["Completed", .. arms.Select(a => Int(a.Count(consort.Completed))), Int(consort.Completed.Total)]))
            .Heading("Balance by stratum", 2)
            .Table(ByArm("Stratum", model.Balance, b => (b.Stratum, b.Counts), arms, model.MinCellSize))
            .Heading("Withdrawals after allocation, by category", 2)
            .Table(ByArm("Category", model.Withdrawals, w => (DocumentLabels.WithdrawalCategory(w.Category), w.Counts), arms, model.MinCellSize))
            .Heading("Harms: adverse events, serious adverse events and protocol deviations", 2)
            .Note("Per CONSORT Harms: participants with at least one event of the type, and the number of events, by the arm allocated, "
                + "from the day of randomization on. Events before randomization (including those of people never randomized) are counted in their own rows.")
            .Table(new Table([new TableColumn("Event type", 2.6), new TableColumn("Counted", 1.3),
                    .. arms.Select(a => new TableColumn(a.Label, 1.3, AlignRight: true)), new TableColumn("Total", 0.8, AlignRight: true)])
                .Rows(HarmsRows(model.Harms, arms), r => r))
            .Table(new Table(new TableColumn("Month"), new TableColumn("Adverse events", 1.2, AlignRight: true),
                    new TableColumn("Serious adverse events", 1.6, AlignRight: true), new TableColumn("Protocol deviations", 1.4, AlignRight: true))
                { EmptyText = "No events by month." }
                .Rows(model.SafetyByMonth, m => [m.Month, Int(m.AdverseEvents), Int(m.SeriousAdverseEvents), Int(m.ProtocolDeviations)]))
            .Heading("Formulation reliability", 2)
            .Add(Reliability(model.Reliability))
            .Heading("Audit trail", 2)
            .Paragraph(model.Audit.Valid
                ? $"The audit chain was verified at report time: **valid**, {Int(model.Audit.Events)} events, each linked to the hash of the one before."
                : $"The audit chain was verified at report time: **NOT VALID** ({Int(model.Audit.Events)} events). The break is being investigated and will be reported to the board.")
            .Paragraph(model.Audit.Head is { } head
                ? $"Chain head when this report was made: event **{Int(head.Sequence)}**, hash `{head.Hash}`. Keep this report: if the trail is "
                    + "ever rewritten, that event's hash will no longer match."
                : "The audit chain had no events when this report was made.")
            .Render();
    }

    /// <summary>The report's arm columns: the two relationship arms, and the comparator in a three-arm trial.</summary>
    private static IReadOnlyList<(string Id, string Label, Func<ArmCounts, int> Count)> ArmColumns(bool comparator) =>
    [
        ("mediator", Mediator, c => c.Mediator),
        ("moderator", Moderator, c => c.Moderator),
        .. comparator ? [("comparator", Comparator, (Func<ArmCounts, int>)(c => c.Comparator))] : Array.Empty<(string, string, Func<ArmCounts, int>)>(),
    ];

    private static FlowDiagram ConsortFlow(ConsortCounts c, IReadOnlyList<(string Id, string Label, Func<ArmCounts, int> Count)> arms)
    {
        var flow = new FlowDiagram { Caption = "Figure 2. CONSORT flow of participants." }
            .Stage("Enrolment", 0, 2)
            .Stage("Allocation", 3, 3)
            .Stage("Follow-up", 4, 4)
            .Stage("Analysis", 5, 5)
            .Box("assessed", 0, 0.3, 0.5, $"Assessed for eligibility {N(c.Assessed)}")
            .Box("excluded", 1, 0.76, 0.46, $"Excluded {N(c.Excluded)}"
                + string.Concat(c.ExcludedByReason.Select(r => $"\n{r.Reason} {N(r.Count)}")))
            .Box("randomized", 2, 0.3, 0.5, $"Randomized {N(c.Randomized)}")
            .Arrow("assessed", "randomized").SideArrow("assessed", "excluded");

        // One column of boxes per arm, spread evenly across the page.
        var width = 0.92 / arms.Count;
        for (var i = 0; i < arms.Count; i++)
        {
            var (id, label, count) = arms[i];
            var x = (i + 0.5) / arms.Count;
            flow.Box($"alloc-{id}", 3, x, width, $"Allocated to {label.ToLowerInvariant()} {N(count(c.Allocated))}")
                .Box($"wd-{id}", 4, x, width, $"Withdrawn {N(count(c.Withdrawn))}")
                .Box($"done-{id}", 5, x, width, $"Completed {N(count(c.Completed))}")
                .Arrow("randomized", $"alloc-{id}").Arrow($"alloc-{id}", $"wd-{id}").Arrow($"wd-{id}", $"done-{id}");
        }

        return flow;
    }

    /// <summary>A breakdown by arm with its small cells hidden; the arms' totals are published exactly elsewhere.</summary>
    private static Table ByArm<T>(
        string first, IEnumerable<T> rows, Func<T, (string Label, ArmCounts Counts)> select,
        IReadOnlyList<(string Id, string Label, Func<ArmCounts, int> Count)> arms, int minCellSize)
    {
        var labelled = rows.Select(select).ToList();
        var counts = labelled.Select(r => (IReadOnlyList<int>)[.. arms.Select(a => a.Count(r.Counts)), r.Counts.Total]).ToList();
        var shown = SmallCells.Suppress(counts, minCellSize, lastIsRowTotal: true);
        return new Table([new TableColumn(first, 2.6), .. arms.Select(a => new TableColumn(a.Label, 1.4, AlignRight: true)),
                new TableColumn("Total", 0.8, AlignRight: true)])
            { EmptyText = "None." }
            .Rows(labelled.Select((r, i) => (r.Label, Counts: counts[i], Shown: shown[i])),
                r => [r.Label, .. r.Counts.Select((count, column) => Cell(count, r.Shown[column], minCellSize))]);
    }

    private static IEnumerable<(SiteRecruitment Site, string Count, string OfShare)> BySite(IReadOnlyList<SiteRecruitment> sites, int minCellSize)
    {
        var shown = SmallCells.Suppress([.. sites.Select(s => (IReadOnlyList<int>)[s.Count])], minCellSize, lastIsRowTotal: false);
        return sites.Select((s, i) => shown[i][0] == CellDisclosure.Shown
            ? (s, Int(s.Count), Percent(s.Count, s.TargetShare))
            : (s, Cell(s.Count, shown[i][0], minCellSize), Cell(s.Count, shown[i][0], minCellSize)));
    }

    private static string Cell(int count, CellDisclosure shown, int minCellSize) => shown switch
    {
        CellDisclosure.Small => Small(minCellSize),
        CellDisclosure.Complementary => "*",
        _ => Int(count),
    };

    private static string Small(int minCellSize) => "<" + Int(minCellSize);

    private static IEnumerable<string[]> HarmsRows(
        IEnumerable<HarmsCount> harms, IReadOnlyList<(string Id, string Label, Func<ArmCounts, int> Count)> arms)
    {
        var ordered = harms.OrderBy(h => h.Kind).ToList();
        foreach (var h in ordered)
        {
            yield return [Kind(h.Kind), "participants", .. arms.Select(a => Int(a.Count(h.WithEvent))), Int(h.WithEvent.Total)];
            yield return ["", "events", .. arms.Select(a => Int(a.Count(h.Events))), Int(h.Events.Total)];
        }

        foreach (var h in ordered)
        {
            yield return [$"{Kind(h.Kind)}, before randomization", "participants", .. arms.Select(_ => ""), Int(h.WithEventBefore)];
            yield return ["", "events", .. arms.Select(_ => ""), Int(h.EventsBefore)];
        }
    }

    private static Block Reliability(ReliabilitySummary? r)
    {
        if (r is null)
        {
            return new Table(new TableColumn("")) { ShowHeader = false }.Row("Not enough double-rated cases to estimate inter-rater reliability.");
        }

        // Independent ratings only (no consensus, none made after allocation); raters differ between participants.
        var table = new Table(new TableColumn("", 1), new TableColumn("", 2.4)) { ShowHeader = false, BoldFirstColumn = true }
            .Row("Cohen's kappa (first two ratings)", Fixed(r.Kappa, "0.00"))
            .Row("Standard error", Fixed(r.StandardError, "0.000"))
            .Row("Double-rated cases (n)", Int(r.N))
            .Row("Observed agreement", Fixed(r.Agreement * 100, "0.0") + "%")
            .Row("Fleiss' kappa (all independent ratings)", Optional(r.FleissKappa))
            .Row("Krippendorff's alpha (nominal)", Optional(r.KrippendorffAlpha));
        foreach (var icc in r.Icc ?? [])
        {
            table.Row(
                $"ICC(1,1), {icc.Factor} score",
                icc.Value is { } v ? $"{Fixed(v, "0.00")} (95% CI {Optional(icc.Lower)} to {Optional(icc.Upper)}; n = {Int(icc.N)})" : "undefined");
        }

        return table;
    }

    private static string Optional(double? value) => value is { } v ? Fixed(v, "0.00") : "undefined";

    private static string Kind(SafetyEventKind kind) => kind switch
    {
        SafetyEventKind.AdverseEvent => "Adverse event",
        SafetyEventKind.SeriousAdverseEvent => "Serious adverse event",
        _ => "Protocol deviation",
    };

    private static string Stamp(DateTimeOffset at) => ProtocolDocumentTemplate.Stamp(at);

    private static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>"(n = 12)" kept on one line inside a flow box.</summary>
    private static string N(int value) => $"(n{NoBreak}={NoBreak}{Int(value)})";

    private static string Fixed(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    private static string Percent(int count, int of) => of <= 0 ? "n/a" : Fixed(100.0 * count / of, "0.0") + "%";
}
