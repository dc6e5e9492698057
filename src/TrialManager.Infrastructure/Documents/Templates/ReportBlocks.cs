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

    /// <summary>The audit chain as verified at report time, and its head, so a later rewrite of the trail shows.</summary>
    public static IEnumerable<string> Audit(AuditChainAtReport audit)
    {
        yield return audit.Valid
            ? $"The audit chain was verified at report time: **valid**, {Int(audit.Events)} events, each linked to the hash of the one before."
            : $"The audit chain was verified at report time: **NOT VALID** ({Int(audit.Events)} events). The break is being investigated and will be reported to the board.";
        yield return audit.Head is { } head
            ? $"Chain head when this report was made: event **{Int(head.Sequence)}**, hash `{head.Hash}`. Keep this report: if the trail is "
                + "ever rewritten, that event's hash will no longer match."
            : "The audit chain had no events when this report was made.";
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
