using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using TrialManager.Domain.Instruments;

namespace TrialManager.Infrastructure.Instruments;

/// <summary>
/// The instrument definitions (protocols/instruments/*.json, see its README.md), loaded and checked once at start,
/// with the licensed item wording a trial may supply beside them. Several versions of one instrument may be kept
/// (<c>code@version.json</c>), so a measure recorded under an older version can still be read with it.
/// </summary>
public sealed class InstrumentCatalogue
{
    public const string FolderName = "instruments";

    private static readonly JsonSerializerOptions Options = CreateOptions();

    private readonly Dictionary<string, Instrument> latest;
    private readonly Dictionary<(string Code, string Version), Instrument> byVersion;

    private InstrumentCatalogue(IReadOnlyList<Instrument> instruments)
    {
        byVersion = instruments.ToDictionary(i => (i.Definition.Code, i.Definition.Version));
        latest = instruments.GroupBy(i => i.Definition.Code, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.MaxBy(i => System.Version.Parse(i.Definition.Version))!, StringComparer.Ordinal);
        All = [.. latest.Values.OrderBy(i => i.Definition.Code, StringComparer.Ordinal)];
    }

    /// <summary>The newest version of every instrument, ordered by code.</summary>
    public IReadOnlyList<Instrument> All { get; }

    public Instrument? Find(string code) => latest.GetValueOrDefault(code);

    public Instrument? Find(string code, string version) => byVersion.GetValueOrDefault((code, version));

    /// <summary>
    /// Loads every <c>*.json</c> of <paramref name="directory"/> except the schema, and the optional licensed wording
    /// from <paramref name="wordingDirectory"/>; throws, naming the file and every problem, when anything is invalid.
    /// </summary>
    public static InstrumentCatalogue Load(string directory, string? wordingDirectory = null)
    {
        if (!Directory.Exists(directory))
        {
            throw new InstrumentCatalogueException($"Instrument folder '{directory}' does not exist.");
        }

        var definitions = Directory.EnumerateFiles(directory, "*.json")
            .Where(f => !Path.GetFileName(f).EndsWith(".schema.json", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .Select(f => Parse(Path.GetFileName(f), File.ReadAllText(f)))
            .ToList();
        if (definitions.Count == 0)
        {
            throw new InstrumentCatalogueException($"Instrument folder '{directory}' holds no definitions.");
        }

        foreach (var duplicate in definitions.GroupBy(d => (d.Code, d.Version)).Where(g => g.Count() > 1))
        {
            throw new InstrumentCatalogueException($"Instrument {duplicate.Key.Code} version {duplicate.Key.Version} is defined more than once.");
        }

        var wordings = wordingDirectory is null ? [] : LicensedWording.LoadAll(wordingDirectory, definitions);
        return new InstrumentCatalogue([.. definitions.Select(d => new Instrument(d, wordings.GetValueOrDefault((d.Code, d.Version))))]);
    }

    /// <summary>Reads and checks one definition; the file is named by its code (<c>phq9.json</c>) or code and version (<c>phq9@1.0.json</c>).</summary>
    public static InstrumentDefinition Parse(string fileName, string json)
    {
        InstrumentDefinition? definition;
        try
        {
            // "$schema" lets editors check the file; it is no part of the definition.
            var node = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })?.AsObject()
                ?? throw new JsonException("the file holds no object.");
            node.Remove("$schema");
            definition = node.Deserialize<InstrumentDefinition>(Options);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new InstrumentCatalogueException($"{fileName}: {e.Message}", e);
        }

        if (definition is null)
        {
            throw new InstrumentCatalogueException($"{fileName}: the file holds no definition.");
        }

        var problems = InstrumentValidator.Problems(definition).ToList();
        var name = Path.GetFileNameWithoutExtension(fileName);
        if (name != definition.Code && name != $"{definition.Code}@{definition.Version}")
        {
            problems.Add($"the file must be named {definition.Code}.json or {definition.Code}@{definition.Version}.json.");
        }

        return problems.Count == 0
            ? definition
            : throw new InstrumentCatalogueException($"{fileName} is not a valid instrument definition:{Environment.NewLine}- {string.Join(Environment.NewLine + "- ", problems)}");
    }

    internal static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            RespectNullableAnnotations = true,
            RespectRequiredConstructorParameters = true,
            NumberHandling = JsonNumberHandling.Strict,
            ReadCommentHandling = JsonCommentHandling.Skip,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        return options;
    }
}

/// <summary>A loaded definition and, when the trial supplied it, the licensed wording shown instead of our labels.</summary>
public sealed record Instrument(InstrumentDefinition Definition, LicensedWording? Wording)
{
    public string LabelOf(InstrumentItem item) => Wording?.Items.GetValueOrDefault(item.Id) ?? item.Label;
}

/// <summary>An instrument file or folder that cannot be used; the message names the file and the problems.</summary>
public sealed class InstrumentCatalogueException : Exception
{
    public InstrumentCatalogueException()
    {
    }

    public InstrumentCatalogueException(string message)
        : base(message)
    {
    }

    public InstrumentCatalogueException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
