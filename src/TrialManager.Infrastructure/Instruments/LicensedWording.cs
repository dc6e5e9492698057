using System.Text.Json;
using TrialManager.Domain.Instruments;

namespace TrialManager.Infrastructure.Instruments;

/// <summary>
/// The item wording of a licensed questionnaire, supplied by a trial that holds the licence, in a folder of its own
/// outside the repository (we never ship it): <c>&lt;code&gt;.json</c> with
/// <c>{"instrument", "version", "source", "items": {"1": "...", ...}}</c>, every item of that version worded.
/// </summary>
public sealed record LicensedWording(string Instrument, string Version, string Source, IReadOnlyDictionary<string, string> Items)
{
    internal static Dictionary<(string Code, string Version), LicensedWording> LoadAll(string directory, IReadOnlyList<InstrumentDefinition> definitions)
    {
        if (!Directory.Exists(directory))
        {
            throw new InstrumentCatalogueException($"Licensed wording folder '{directory}' does not exist.");
        }

        var wordings = new Dictionary<(string, string), LicensedWording>();
        foreach (var file in Directory.EnumerateFiles(directory, "*.json").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(file);
            LicensedWording wording;
            try
            {
                wording = JsonSerializer.Deserialize<LicensedWording>(File.ReadAllText(file), InstrumentCatalogue.CreateOptions())
                    ?? throw new JsonException("the file holds no wording.");
            }
            catch (JsonException e)
            {
                throw new InstrumentCatalogueException($"{name}: {e.Message}", e);
            }

            var definition = definitions.FirstOrDefault(d => d.Code == wording.Instrument && d.Version == wording.Version)
                ?? throw new InstrumentCatalogueException($"{name}: there is no instrument {wording.Instrument} version {wording.Version} to word.");
            var ids = definition.Items.Select(i => i.Id).ToList();
            var unworded = ids.Where(id => string.IsNullOrWhiteSpace(wording.Items.GetValueOrDefault(id))).ToList();
            var unknown = wording.Items.Keys.Except(ids).ToList();
            if (unworded.Count > 0 || unknown.Count > 0 || string.IsNullOrWhiteSpace(wording.Source))
            {
                throw new InstrumentCatalogueException(
                    $"{name}: needs a source and the wording of every item of {definition.Code} {definition.Version}" +
                    $" (missing: {string.Join(", ", unworded)}; unknown: {string.Join(", ", unknown)}).");
            }

            if (!wordings.TryAdd((definition.Code, definition.Version), wording))
            {
                throw new InstrumentCatalogueException($"{name}: {definition.Code} {definition.Version} is worded twice.");
            }
        }

        return wordings;
    }
}
