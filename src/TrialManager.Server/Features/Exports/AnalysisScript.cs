using System.Globalization;
using System.Text;
using TrialManager.Domain.Common;
using TrialManager.Domain.Trials;

namespace TrialManager.Server.Features.Exports;

/// <summary>
/// The export's analysis.R: the pre-specified analysis (analysis.R beside this file, embedded in the assembly, one text
/// for every trial) with the trial's parameters written in from its registered definition: its id, arms and hypothesis.
/// </summary>
public static class AnalysisScript
{
    public const string FileName = "analysis.R";

    /// <summary>The measures the models read: the symptom total, the client-rated alliance total, the therapist's dose log.</summary>
    public const string SymptomInstrument = "phq9";
    public const string AllianceInstrument = "alliance12";
    public const string DoseInstrument = "techniqueDose";

    /// <summary>Technique dose = homework done + exposures + activities scheduled (techniqueDose items 2, 3, 4).</summary>
    public static readonly string[] DoseItems = ["2", "3", "4"];

    /// <summary>The pre-specified centre of the dose in the moderator model (docs/demo-data.md: the dose at which alliance alone is read).</summary>
    public const double DoseCentre = 4.0;

    private const string Marker = "#@TRIAL PARAMETERS@";

    private static readonly Lazy<string> Template = new(() =>
    {
        using var stream = typeof(AnalysisScript).Assembly.GetManifestResourceStream("TrialManager.Server.Features.Exports.analysis.R")
            ?? throw new InvalidOperationException("analysis.R is not embedded in the server assembly.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var text = reader.ReadToEnd().ReplaceLineEndings("\n");
        return text.Contains(Marker, StringComparison.Ordinal) ? text : throw new InvalidOperationException($"analysis.R has no line {Marker}.");
    });

    /// <summary>The script for this trial: the same definition always gives the same bytes (a freeze's hash depends on it).</summary>
    public static string For(TrialDefinition definition)
    {
        var hypothesis = (definition.Hypothesis ?? []).Where(h => definition.Formulations.Contains(h.Formulation)).ToList();
        var parameters = new StringBuilder()
            .Append("# Trial parameters, from the registered definition of ").Append(definition.Id).Append(":\n")
            .Append("trial_id <- ").Append(Quote(definition.Id)).Append('\n')
            .Append("arms <- c(").AppendJoin(", ", definition.Arms.Select(a => Quote(a.Code.Wire()))).Append(")\n")
            .Append("# For each formulation, the arm the pre-specified hypothesis expects to suit it (NA: no prediction).\n")
            .Append("hypothesis <- ").Append(hypothesis.Count == 0 ? "c()" : "c(" + string.Join(", ", hypothesis.Select(h =>
                $"{Quote(h.Formulation.Wire())} = {(h.Arm is { } arm ? Quote(arm.Wire()) : "NA_character_")}")) + ")").Append('\n')
            .Append("symptom_instrument <- ").Append(Quote(SymptomInstrument)).Append('\n')
            .Append("alliance_instrument <- ").Append(Quote(AllianceInstrument)).Append('\n')
            .Append("dose_instrument <- ").Append(Quote(DoseInstrument)).Append('\n')
            .Append("dose_items <- c(").AppendJoin(", ", DoseItems.Select(Quote)).Append(")\n")
            .Append("dose_centre <- ").Append(DoseCentre.ToString("0.0##", CultureInfo.InvariantCulture));
        return Template.Value.Replace(Marker, parameters.ToString(), StringComparison.Ordinal);
    }

    private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
