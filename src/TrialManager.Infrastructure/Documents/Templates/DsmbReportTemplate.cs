using System.Globalization;
using TrialManager.Infrastructure.Documents.Layout;
using static TrialManager.Infrastructure.Documents.Templates.ReportBlocks;

namespace TrialManager.Infrastructure.Documents.Templates;

/// <summary>
/// The closed report for the data and safety monitoring board: the ethics report's figures by arm, plus outcome
/// trajectories, alliance and fidelity by arm, harms by relatedness, the allocation flags and the assessors' blinding.
/// Aggregates only, no study ids; every count exact (the board alone requests and reads it).
/// </summary>
public static class DsmbReportTemplate
{
    public static byte[] Render(DsmbReportModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var trial = model.Trial;
        var consort = model.Consort;
        var arms = ArmColumns(trial.HasComparator);

        return new DocumentBuilder(new DocumentInfo(
                Title: $"Closed DSMB report: {trial.Title}",
                Subject: $"Closed report by arm for trial {trial.Id} ({trial.Registration}) to the data and safety monitoring board",
                CreatedAt: model.GeneratedAt))
            .Header($"CLOSED · {trial.Id} · {trial.Registration}")
            .Footer($"Closed report for the DSMB only: results by arm; no participant identifiers · {FooterTime(model.GeneratedAt, model.Freeze)}")
            .Heading($"Closed DSMB report: {trial.Title}")
            .KeyValues([
                ("Trial", trial.Id),
                ("Registration", trial.Registration),
                ("Definition version", trial.DefinitionVersion),
                ("Status", trial.Status),
                ("Target enrolment", Int(trial.TargetEnrollment)),
                ("Randomized so far", $"{Int(consort.Randomized)} ({Percent(consort.Randomized, trial.TargetEnrollment)} of target)"),
                .. Taken(model.GeneratedAt, model.Freeze)])
            .Note(DataAsOf(model.Freeze, trial.DefinitionVersion))
            .Note("Closed: this report compares the arms. It is for the data and safety monitoring board alone and must not reach the "
                + "investigators, the sites or the ethics board, who receive the pooled progress report.")
            .Heading("Recruitment", 2)
            .Table(new Table(new TableColumn("Site", 2), new TableColumn("Randomized", 1, AlignRight: true),
                    new TableColumn("Site share of target", 1.3, AlignRight: true))
                .Rows(model.RecruitmentBySite, r => [r.Site, Int(r.Count), Int(r.TargetShare)]))
            .Table(new Table(new TableColumn("Month"), new TableColumn("Randomized", 1, AlignRight: true)) { EmptyText = "No one randomized yet." }
                .Rows(model.RecruitmentByMonth, m => [m.Month, Int(m.Count)]))
            .Heading("Participant flow (CONSORT) by arm", 2)
            .Flow(ConsortFlow(consort, arms))
            .Table(ByArm("Stage",
            [
                ("Allocated", consort.Allocated),
                ("Stopped treatment, still followed up", consort.StoppedTreatment),
                ("Lost to follow-up", consort.LostToFollowUp),
                ("Withdrew consent", WithdrewConsent(consort)),
                ("Withdrawn (all categories)", consort.Withdrawn),
                ("Completed", consort.Completed),
                ("Analysed (intention to treat)", consort.Analysed),
                ("Mis-stratified", model.MisStratified),
                ("Ineligible after randomization", model.IneligibleAfterRandomization),
            ], arms))
            .Table(new Table(new TableColumn("Before randomization", 3), new TableColumn("Participants", 1, AlignRight: true))
                .Row("Assessed for eligibility", Int(consort.Assessed))
                .Row("Excluded", Int(consort.Excluded))
                .Rows(consort.ExcludedByReason, r => [$"  {r.Reason}", Int(r.Count)])
                .Row("Pending second rating", Int(consort.PendingSecondRating))
                .Row("Pending consensus", Int(consort.PendingConsensus))
                .Row("Excluded by formulation", Int(consort.ExcludedByFormulation))
                .Row("Awaiting randomization", Int(consort.AwaitingRandomization)))
            .Heading("Balance by stratum", 2)
            .Table(ByArm("Stratum", [.. model.Balance.Select(b => (b.Stratum, b.Counts))], arms))
            .Heading("Withdrawals after allocation, by category", 2)
            .Table(ByArm("Category", [.. model.Withdrawals.Select(w => (DocumentLabels.WithdrawalCategory(w.Category), w.Counts))], arms))
            .Heading("Harms by arm", 2)
            .Note("Per CONSORT Harms: participants with at least one event of the type, and the number of events, by the arm allocated, "
                + "from the day of randomization on. Events before randomization (including those of people never randomized) are counted in their own rows.")
            .Table(new Table([new TableColumn("Event type", 2.6), new TableColumn("Counted", 1.3),
                    .. arms.Select(a => new TableColumn(a.Label, 1.3, AlignRight: true)), new TableColumn("Total", 0.8, AlignRight: true)])
                .Rows(HarmsRows(model.Harms, arms), r => r))
            .Heading("Adverse events by relatedness to the therapy", 2)
            .Note("Participants with at least one adverse event of the relatedness, and the number of events, by the arm allocated, from the "
                + "day of randomization on; serious and non-serious events apart. Possible or more: possible, probable or definite.")
            .Table(new Table([new TableColumn("Relatedness", 2.6), new TableColumn("Counted", 1.3),
                    .. arms.Select(a => new TableColumn(a.Label, 1.3, AlignRight: true)), new TableColumn("Total", 0.8, AlignRight: true)])
                .Rows(RelatednessRows(model.Relatedness, arms), r => r))
            .Heading("Outcome trajectories", 2)
            .Note("Mean total of each outcome questionnaire at each session and scheduled visit, by arm, with the number of measures (n).")
            .Table(Means([new TableColumn("Instrument", 1.1), new TableColumn("Time point", 1.4)],
                model.Trajectories, t => [t.Instrument, t.TimePoint], t => t.Means, arms, "No outcome measures yet."))
            .Heading("Working alliance by arm and formulation", 2)
            .Note("Mean of each participant's alliance totals over their sessions (n: participants).")
            .Table(Means([new TableColumn("Formulation", 2.5)],
                model.Alliance, a => [DocumentLabels.Formulation(a.Formulation)], a => a.Means, arms, "No alliance measures yet."))
            .Heading("Treatment fidelity and differentiation by arm", 2)
            .Note("From the blind fidelity ratings of recorded sessions (0-6): adherence to each checklist's items and competence, by the arm "
                + "of the rated participant; differentiation is adherence to the own arm's prescribed items minus the other arm's (n: ratings).")
            .Table(Means([new TableColumn("Figure", 2.5)],
                model.Fidelity, f => [f.Figure], f => f.Means, arms, "No fidelity ratings yet."))
            .Heading("Blinding of outcome assessors", 2)
            .Note("The assessors' guesses of the arm at the last visit, by the arm the participant was allocated to, and Bang's blinding "
                + "index ((correct - incorrect) / guesses; 1: unblinded, 0: as many right as wrong, -1: opposite guessing) with its standard error.")
            .Table(new Table(new TableColumn("Arm", 2.4), new TableColumn("Guesses", 1, AlignRight: true), new TableColumn("Correct", 1, AlignRight: true),
                    new TableColumn("Incorrect", 1, AlignRight: true), new TableColumn("Don't know", 1, AlignRight: true),
                    new TableColumn("Bang's index", 1.1, AlignRight: true), new TableColumn("SE", 0.9, AlignRight: true))
                .Rows(model.Blinding.Arms, a => [DocumentLabels.Arm(a.Arm), Int(a.Guesses), Int(a.Correct), Int(a.Incorrect), Int(a.DontKnow),
                    a.Index is { } i ? ReportBlocks.Fixed(i, "0.00") : "-", a.StandardError is { } se ? ReportBlocks.Fixed(se, "0.000") : "-"]))
            .Table(new Table(new TableColumn("Unblinded (UTC)", 1.2), new TableColumn("By role", 1), new TableColumn("Arm revealed", 2.6),
                    new TableColumn("Reason", 4.6)) { EmptyText = "No assessor or admin has been unblinded." }
                .Rows(model.Blinding.Unblindings, u => [Stamp(u.At), u.Role, DocumentLabels.Arm(u.Arm), u.Reason]))
            .Heading("Formulation reliability", 2)
            .Add(ReportBlocks.Reliability(model.Reliability))
            .When(model.Reliability is { Icc.Count: > 0 }, d => d.Note(ReportBlocks.FactorScale))
            .Heading("Audit trail", 2)
            .ForEach(ReportBlocks.Audit(model.Audit, model.Freeze), (b, p) => b.Paragraph(p))
            .Render();
    }

    private static ArmCounts WithdrewConsent(ConsortCounts c) => new(
        c.Allocated.Mediator - c.Analysed.Mediator - c.LostToFollowUp.Mediator,
        c.Allocated.Moderator - c.Analysed.Moderator - c.LostToFollowUp.Moderator,
        c.Allocated.Comparator - c.Analysed.Comparator - c.LostToFollowUp.Comparator);

    /// <summary>The report's arm columns: the two relationship arms, and the comparator in a three-arm trial.</summary>
    private static IReadOnlyList<(string Id, string Label, Func<ArmCounts, int> Count, Func<ArmMeans, Mean?> Mean)> ArmColumns(bool comparator) =>
    [
        ("mediator", DocumentLabels.Arm("mediator"), c => c.Mediator, m => m.Mediator),
        ("moderator", DocumentLabels.Arm("moderator"), c => c.Moderator, m => m.Moderator),
        .. comparator
            ? [("comparator", "Comparator", (Func<ArmCounts, int>)(c => c.Comparator), (Func<ArmMeans, Mean?>)(m => m.Comparator))]
            : Array.Empty<(string, string, Func<ArmCounts, int>, Func<ArmMeans, Mean?>)>(),
    ];

    private static FlowDiagram ConsortFlow(
        ConsortCounts c, IReadOnlyList<(string Id, string Label, Func<ArmCounts, int> Count, Func<ArmMeans, Mean?> Mean)> arms)
    {
        var flow = new FlowDiagram { Caption = "Figure 1. CONSORT flow of participants by arm." }
            .Stage("Enrolment", 0, 2)
            .Stage("Allocation", 3, 3)
            .Stage("Follow-up", 4, 4)
            .Stage("Analysis", 5, 5)
            .Box("assessed", 0, 0.3, 0.5, $"Assessed for eligibility {N(c.Assessed)}")
            .Box("excluded", 1, 0.76, 0.46, $"Excluded {N(c.Excluded)}"
                + string.Concat(c.ExcludedByReason.Select(r => $"\n{r.Reason} {N(r.Count)}")))
            .Box("randomized", 2, 0.3, 0.5, $"Randomized {N(c.Randomized)}")
            .Arrow("assessed", "randomized").SideArrow("assessed", "excluded");

        // One column of boxes per arm; the losses of follow-up lead to the analysis, never from withdrawn to completed.
        var consent = WithdrewConsent(c);
        var width = 0.92 / arms.Count;
        for (var i = 0; i < arms.Count; i++)
        {
            var (id, label, count, _) = arms[i];
            var x = (i + 0.5) / arms.Count;
            var other = count(c.Withdrawn) - count(c.LostToFollowUp) - count(consent);
            flow.Box($"alloc-{id}", 3, x, width, $"Allocated to {label.ToLowerInvariant()} {N(count(c.Allocated))}")
                .Box($"fu-{id}", 4, x, width, $"Lost to follow-up {N(count(c.LostToFollowUp))}\nWithdrew consent {N(count(consent))}"
                    + $"\nOther withdrawals {N(other)}\nStopped treatment {N(count(c.StoppedTreatment))}")
                .Box($"an-{id}", 5, x, width, $"Analysed {N(count(c.Analysed))}\nCompleted {N(count(c.Completed))}")
                .Arrow("randomized", $"alloc-{id}").Arrow($"alloc-{id}", $"fu-{id}").Arrow($"fu-{id}", $"an-{id}");
        }

        return flow;
    }

    private static Table ByArm(
        string first, IReadOnlyList<(string Label, ArmCounts Counts)> rows,
        IReadOnlyList<(string Id, string Label, Func<ArmCounts, int> Count, Func<ArmMeans, Mean?> Mean)> arms) =>
        new Table([new TableColumn(first, 2.6), .. arms.Select(a => new TableColumn(a.Label, 1.4, AlignRight: true)),
                new TableColumn("Total", 0.8, AlignRight: true)])
            { EmptyText = "None." }
            .Rows(rows, r => [r.Label, .. arms.Select(a => Int(a.Count(r.Counts))), Int(r.Counts.Total)]);

    private static Table Means<T>(
        TableColumn[] first, IReadOnlyList<T> rows, Func<T, string[]> labels, Func<T, ArmMeans> means,
        IReadOnlyList<(string Id, string Label, Func<ArmCounts, int> Count, Func<ArmMeans, Mean?> Mean)> arms, string empty) =>
        new Table([.. first, .. arms.Select(a => new TableColumn(a.Label, 1.4, AlignRight: true))]) { EmptyText = empty }
            .Rows(rows, r => [.. labels(r), .. arms.Select(a => Show(a.Mean(means(r))))]);

    /// <summary>"12.50 (n = 4)", or a dash where the arm has no value.</summary>
    public static string Show(Mean? mean) => mean is { } m ? $"{Fixed(m.Value, "0.00")} {N(m.N)}" : "-";

    private static IEnumerable<string[]> HarmsRows(
        IEnumerable<HarmsCount> harms, IReadOnlyList<(string Id, string Label, Func<ArmCounts, int> Count, Func<ArmMeans, Mean?> Mean)> arms)
    {
        var ordered = harms.OrderBy(h => h.Kind).ToList();
        foreach (var h in ordered)
        {
            yield return [ReportBlocks.Kind(h.Kind), "participants", .. arms.Select(a => Int(a.Count(h.WithEvent))), Int(h.WithEvent.Total)];
            yield return ["", "events", .. arms.Select(a => Int(a.Count(h.Events))), Int(h.Events.Total)];
        }

        foreach (var h in ordered)
        {
            yield return [$"{ReportBlocks.Kind(h.Kind)}, before randomization", "participants", .. arms.Select(_ => ""), Int(h.WithEventBefore)];
            yield return ["", "events", .. arms.Select(_ => ""), Int(h.EventsBefore)];
        }
    }

    private static IEnumerable<string[]> RelatednessRows(
        IEnumerable<RelatednessHarms> rows, IReadOnlyList<(string Id, string Label, Func<ArmCounts, int> Count, Func<ArmMeans, Mean?> Mean)> arms)
    {
        foreach (var r in rows.OrderBy(r => r.Serious))
        {
            yield return [$"{(r.Serious ? "Serious" : "Non-serious")}, {RelatednessLabel(r.Relatedness)}", "participants",
                .. arms.Select(a => Int(a.Count(r.WithEvent))), Int(r.WithEvent.Total)];
            yield return ["", "events", .. arms.Select(a => Int(a.Count(r.Events))), Int(r.Events.Total)];
        }
    }

    private static string RelatednessLabel(string relatedness) => relatedness switch
    {
        "possibleOrMore" => "possible or more",
        "unrecorded" => "relatedness not recorded",
        _ => relatedness,
    };
}
