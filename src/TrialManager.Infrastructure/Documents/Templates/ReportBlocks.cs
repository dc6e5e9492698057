using System.Globalization;
using TrialManager.Domain.Participants;
using TrialManager.Infrastructure.Documents.Layout;

namespace TrialManager.Infrastructure.Documents.Templates;

/// <summary>The parts the ethics and the DSMB reports print alike: agreement statistics, the audit chain, event kinds.</summary>
internal static class ReportBlocks
{
    public static Block Reliability(ReliabilitySummary? r)
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

    /// <summary>The scale the ICC rows are about: a reader needs the anchors to judge what a disagreement of one point means.</summary>
    public static string FactorScale =>
        "Each factor score is a rater's anchored 0-4 score: "
        + string.Join(", ", FormulationScores.Anchors.Select((anchor, score) => $"{Int(score)} {anchor}")) + ".";

    /// <summary>When the figures were taken: when the report was generated, or (made from a freeze) at the freeze, named by its id.</summary>
    public static (string Key, string Value)[] Taken(DateTimeOffset generatedAt, FrozenFrom? freeze) => freeze is { } f
        ? [("Data as of", $"freeze {f.Id} frozen at {Stamp(f.FrozenAt)}"), ("Report generated", Stamp(generatedAt))]
        : [("Report generated", Stamp(generatedAt))];

    /// <summary>
    /// Says which data the figures are: a report from a freeze is read as of the freeze, and must say so (with the
    /// definition version then in force), or a reader would take old figures for today's.
    /// </summary>
    public static string DataAsOf(FrozenFrom? freeze, string definitionVersion) => freeze is { } f
        ? $"Made from freeze {f.Id} frozen at {Stamp(f.FrozenAt)} (definition version {definitionVersion}): every figure is the data as "
            + "of the freeze, taken with its analysis export; anything recorded or corrected since is not in this report."
        : $"Every figure is the data when this report was generated (definition version {definitionVersion}).";

    /// <summary>The footer's time: the generation, and before it the freeze a report was made from.</summary>
    public static string FooterTime(DateTimeOffset generatedAt, FrozenFrom? freeze) => freeze is { } f
        ? $"data as of freeze {Stamp(f.FrozenAt)} · generated {Stamp(generatedAt)}"
        : $"generated {Stamp(generatedAt)}";

    /// <summary>The audit chain as verified when the figures were taken, and its head, so a later rewrite of the trail shows.</summary>
    public static IEnumerable<string> Audit(AuditChainAtReport audit, FrozenFrom? freeze = null)
    {
        var when = freeze is null ? "at report time" : "at freeze time";
        yield return audit.Valid
            ? $"The audit chain was verified {when}: **valid**, {Int(audit.Events)} events, each linked to the hash of the one before."
            : $"The audit chain was verified {when}: **NOT VALID** ({Int(audit.Events)} events). The break is being investigated and will be reported to the board.";
        yield return audit.Head is { } head
            ? $"Chain head when {(freeze is null ? "this report was made" : "the data were frozen")}: event **{Int(head.Sequence)}**, hash `{head.Hash}`. Keep this report: if the trail is "
                + "ever rewritten, that event's hash will no longer match."
            : $"The audit chain had no events when {(freeze is null ? "this report was made" : "the data were frozen")}.";
    }

    public static string Kind(SafetyEventKind kind) => kind switch
    {
        SafetyEventKind.AdverseEvent => "Adverse event",
        SafetyEventKind.SeriousAdverseEvent => "Serious adverse event",
        _ => "Protocol deviation",
    };

    public static string Optional(double? value) => value is { } v ? Fixed(v, "0.00") : "undefined";

    public static string Fixed(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    public static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A no-break space: keeps "n = 12" on one line inside a flow box.</summary>
    public const char NoBreak = '\u00A0';

    /// <summary>"(n = 12)" kept on one line inside a flow box.</summary>
    public static string N(int value) => $"(n{NoBreak}={NoBreak}{Int(value)})";

    public static string Percent(int count, int of) => of <= 0 ? "n/a" : Fixed(100.0 * count / of, "0.0") + "%";

    public static string Stamp(DateTimeOffset at) => ProtocolDocumentTemplate.Stamp(at);
}
