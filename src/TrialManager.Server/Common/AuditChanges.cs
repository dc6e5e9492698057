using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TrialManager.Server.Common;

/// <summary>
/// The text of an event's changes: how it is written, and what its readers may see of it. The stored event keeps
/// everything (its hash covers the stored text); the restriction details are concealed on the way out.
/// </summary>
public static class AuditChanges
{
    public const string Concealed = "[concealed]";

    /// <summary>
    /// Non-ASCII text is written as itself, not as \uXXXX escapes (six times longer). The text is never placed in
    /// HTML unencoded: the API sends it as a JSON string and the pages encode it.
    /// </summary>
    public static readonly JsonSerializerOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Values only statisticians may know (SPIRIT 16a, CONSORT item 19), by record: the block an allocation came
    /// from and its size (with three arms of a block of four known, the fourth is too), the minimization internals,
    /// the seed, the randomizer's state and the restrictions of the design. Old events hold some of them in full.
    /// </summary>
    private static readonly Dictionary<string, string[]> Restricted = new(StringComparer.Ordinal)
    {
        ["ParticipantAllocation"] = ["BlockNumber", "BlockSize", "ImbalanceScores", "PreferredArm", "TookPreferred"],
        ["RandomizationState"] = ["State"],
        ["Trial"] = ["Seed"],
    };

    private static readonly string[] RestrictedDesign = ["BlockSizes", "Probability", "Imbalance"];

    public static string Serialize<T>(T changes) => JsonSerializer.Serialize(changes, Options);

    /// <summary>The changes as the trail's readers (admins) see them: every restriction detail concealed.</summary>
    public static string ForReaders(string changes)
    {
        JsonNode? parsed;
        try
        {
            parsed = JsonNode.Parse(changes);
        }
        catch (JsonException)
        {
            // Every event the server writes is JSON; text that is not cannot be checked, so none of it is shown.
            return Concealed;
        }

        // Security events are one object of their own (no record values); command events a list of record changes.
        if (parsed is not JsonArray records)
        {
            return changes;
        }

        foreach (var record in records.OfType<JsonObject>())
        {
            if (record["values"] is not JsonObject values || record["record"]?.GetValueKind() != JsonValueKind.String)
            {
                continue;
            }

            var name = record["record"]!.GetValue<string>();
            foreach (var field in Restricted.GetValueOrDefault(name, []).Where(values.ContainsKey))
            {
                values[field] = Concealed;
            }

            // Events written before amendments named the base definition "Definition".
            if (name == "Trial" && (values["BaseDefinition"] ?? values["Definition"])?["Randomization"] is JsonObject design)
            {
                foreach (var field in RestrictedDesign.Where(design.ContainsKey))
                {
                    design[field] = Concealed;
                }
            }
        }

        return records.ToJsonString(Options);
    }
}
