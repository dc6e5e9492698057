using System.Globalization;
using TrialManager.Domain.Statistics;
using TrialManager.Infrastructure.Documents.Layout;
using static TrialManager.Infrastructure.Documents.Templates.ReportBlocks;

namespace TrialManager.Infrastructure.Documents.Templates;

/// <summary>
/// The periodic progress report for the ethics board. Open, so pooled: no figure is split by arm and no arm is named
/// (an ethics board must see no comparison between arms; the closed DSMB report has them). Aggregates only: no study
/// ids, no free text about anyone. Counts broken down by site, screening reason or withdrawal category below the
/// minimum cell size are hidden (see <see cref="SmallCells"/>); the CONSORT flow stays exact, as the API serves it.
/// </summary>
public static class EthicsReportTemplate
{
    public static byte[] Render(EthicsReportModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var trial = model.Trial;
        var consort = model.Consort;

        return new DocumentBuilder(new DocumentInfo(
                Title: $"Ethics progress report: {trial.Title}",
                Subject: $"Progress report for trial {trial.Id} ({trial.Registration}) to the ethics board",
                CreatedAt: model.GeneratedAt))
            .Header($"{trial.Id} · {trial.Registration}")
            .Footer($"Aggregated data only, pooled over the arms; no participant identifiers · {FooterTime(model.GeneratedAt, model.Freeze)}")
            .Heading($"Ethics progress report: {trial.Title}")
            .KeyValues([
                ("Trial", trial.Id),
                ("Registration", trial.Registration),
                ("Definition version", trial.DefinitionVersion),
                ("Status", trial.Status),
                ("Target enrolment", Int(trial.TargetEnrollment)),
                ("Randomized so far", $"{Int(consort.Randomized)} ({Percent(consort.Randomized, trial.TargetEnrollment)} of target)"),
                .. Taken(model.GeneratedAt, model.Freeze)])
            .Note(DataAsOf(model.Freeze, trial.DefinitionVersion))
            .Note("Every figure is pooled over the arms: this open report makes no comparison between them.")
            .Note(model.MinCellSize > 1
                ? $"Small cells: in the breakdowns by site, screening reason and withdrawal category a count of 1 to {Int(model.MinCellSize - 1)} is shown as "
                    + $"{Small(model.MinCellSize)}, and * marks a count hidden because it and the totals would give a small one away. "
                    + "The CONSORT flow and its totals are exact."
                : "Every count is shown (no minimum cell size is configured).")
            .Heading("Protocol texts in use", 2)
            .Note("Each text is named by its version and SHA-256, which match one approved text; which arm it belongs to is not shown here.")
            .Table(new Table(new TableColumn("Version", 0.75), new TableColumn("SHA-256", 4.6))
                { Style = new TextStyle(8.5), EmptyText = "None yet." }
                .Rows(model.Protocols, p => [p.Version, $"`{p.Sha256}`"]))
            .Heading("Recruitment", 2)
            .Table(new Table(new TableColumn("Site", 2), new TableColumn("Randomized", 1, AlignRight: true),
                    new TableColumn("Site share of target", 1.3, AlignRight: true), new TableColumn("Of share", 1, AlignRight: true))
                .Rows(BySite(model.RecruitmentBySite, model.MinCellSize), r => [r.Site.Site, r.Count, Int(r.Site.TargetShare), r.OfShare]))
            .BarChart("Figure 1. Participants randomized per month.", model.RecruitmentByMonth.Select(m => (m.Month, (double)m.Count)))
            .Table(new Table(new TableColumn("Month"), new TableColumn("Randomized", 1, AlignRight: true))
                .Rows(model.RecruitmentByMonth, m => [m.Month, Int(m.Count)]))
            .Heading("Participant flow (CONSORT), pooled", 2)
            .Flow(ConsortFlow(consort))
            .Table(new Table(new TableColumn("Stage", 3), new TableColumn("Participants", 1, AlignRight: true))
                .Row("Assessed for eligibility", Int(consort.Assessed))
                .Row("Excluded", Int(consort.Excluded))
                .Rows(consort.ExcludedByReason, r => [$"  {r.Reason}", Int(r.Count)])
                .Row("Pending second rating", Int(consort.PendingSecondRating))
                .Row("Pending consensus", Int(consort.PendingConsensus))
                .Row("Excluded by formulation", Int(consort.ExcludedByFormulation))
                .Row("Awaiting randomization", Int(consort.AwaitingRandomization))
                .Row("Randomized", Int(consort.Randomized))
                .Row("Stopped treatment, still followed up", Int(consort.StoppedTreatment))
                .Row("Lost to follow-up", Int(consort.LostToFollowUp))
                .Row("Withdrew consent", Int(consort.WithdrewConsent))
                .Row("Other withdrawals, still analysed", Int(consort.OtherWithdrawals))
                .Row("Completed", Int(consort.Completed))
                .Row("Analysed (intention to treat)", Int(consort.Analysed))
                .Row("Mis-stratified (allocation and stratum stand)", Int(consort.MisStratified))
                .Row("Ineligible after randomization (analysed as allocated)", Int(consort.IneligibleAfterRandomization)))
            .Heading("Screen failures by reason", 2)
            .Note("Participants failing each criterion at screening; one may fail several, so the rows can add up to more than the screen failures.")
            .Table(Counts("Reason", model.ScreenFailures, r => r.Reason, model.MinCellSize))
            .Heading("Withdrawals after allocation, by category", 2)
            .Table(Counts("Category", model.Withdrawals, w => DocumentLabels.WithdrawalCategory(w.Reason), model.MinCellSize))
            .Heading("Harms: adverse events, serious adverse events and protocol deviations", 2)
            .Note("Per CONSORT Harms: participants with at least one event of the type, and the number of events, pooled over the arms, "
                + "from the day of randomization on. Events before randomization (including those of people never randomized) are counted in their own rows.")
            .Table(new Table(new TableColumn("Event type", 2.6), new TableColumn("Counted", 1.3),
                    new TableColumn("From randomization", 1.4, AlignRight: true), new TableColumn("Before randomization", 1.4, AlignRight: true))
                .Rows(HarmsRows(model.Harms), r => r))
            .Table(new Table(new TableColumn("Month"), new TableColumn("Adverse events", 1.2, AlignRight: true),
                    new TableColumn("Serious adverse events", 1.6, AlignRight: true), new TableColumn("Protocol deviations", 1.4, AlignRight: true))
                { EmptyText = "No events by month." }
                .Rows(model.SafetyByMonth, m => [m.Month, Int(m.AdverseEvents), Int(m.SeriousAdverseEvents), Int(m.ProtocolDeviations)]))
            .Heading("Data quality", 2)
            .Table(new Table(new TableColumn("", 3), new TableColumn("", 1, AlignRight: true)) { ShowHeader = false }
                .Row("Open data queries", Int(model.DataQuality.OpenQueries))
                .Row("Answered data queries", Int(model.DataQuality.AnsweredQueries))
                .Row("Corrections recorded (each with its reason)", Int(model.DataQuality.Corrections)))
            .Heading("Formulation reliability", 2)
            .Add(ReportBlocks.Reliability(model.Reliability))
            .When(model.Reliability is { Icc.Count: > 0 }, d => d.Note(ReportBlocks.FactorScale))
            .Heading("Audit trail", 2)
            .ForEach(ReportBlocks.Audit(model.Audit, model.Freeze), (b, p) => b.Paragraph(p))
            .Render();
    }

    private static FlowDiagram ConsortFlow(PooledConsort c) =>
        new FlowDiagram { Caption = "Figure 2. CONSORT flow of participants, pooled over the arms." }
            .Stage("Enrolment", 0, 3)
            .Stage("Follow-up", 4, 4)
            .Stage("Analysis", 5, 5)
            .Box("assessed", 0, 0.3, 0.5, $"Assessed for eligibility {N(c.Assessed)}")
            .Box("excluded", 1, 0.76, 0.46, $"Excluded {N(c.Excluded)}"
                + string.Concat(c.ExcludedByReason.Select(r => $"\n{r.Reason} {N(r.Count)}")))
            .Box("formulation", 2, 0.3, 0.5, $"Formulation: pending second rating {N(c.PendingSecondRating)}\npending consensus {N(c.PendingConsensus)}"
                + $"\nexcluded by formulation {N(c.ExcludedByFormulation)}\nawaiting randomization {N(c.AwaitingRandomization)}")
            .Box("randomized", 3, 0.3, 0.5, $"Randomized {N(c.Randomized)}")
            .Box("followup", 4, 0.3, 0.6, $"Lost to follow-up {N(c.LostToFollowUp)}\nWithdrew consent {N(c.WithdrewConsent)}"
                + $"\nOther withdrawals {N(c.OtherWithdrawals)}\nStopped treatment {N(c.StoppedTreatment)}")
            .Box("analysed", 5, 0.3, 0.5, $"Analysed {N(c.Analysed)}\nCompleted {N(c.Completed)}")
            .Arrow("assessed", "formulation").SideArrow("assessed", "excluded")
            .Arrow("formulation", "randomized").Arrow("randomized", "followup").Arrow("followup", "analysed");

    /// <summary>One count per row with its small cells hidden.</summary>
    private static Table Counts(string first, IReadOnlyList<ReasonCount> rows, Func<ReasonCount, string> label, int minCellSize)
    {
        var shown = SmallCells.Suppress([.. rows.Select(r => (IReadOnlyList<int>)[r.Count])], minCellSize, lastIsRowTotal: false);
        return new Table(new TableColumn(first, 3), new TableColumn("Participants", 1, AlignRight: true)) { EmptyText = "None." }
            .Rows(rows.Select((r, i) => (r, i)), x => [label(x.r), Cell(x.r.Count, shown[x.i][0], minCellSize)]);
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

    private static IEnumerable<string[]> HarmsRows(IEnumerable<PooledHarms> harms)
    {
        foreach (var h in harms.OrderBy(h => h.Kind))
        {
            yield return [ReportBlocks.Kind(h.Kind), "participants", Int(h.WithEvent), Int(h.WithEventBefore)];
            yield return ["", "events", Int(h.Events), Int(h.EventsBefore)];
        }
    }
}
