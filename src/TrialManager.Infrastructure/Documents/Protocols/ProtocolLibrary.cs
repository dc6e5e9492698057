using System.Security.Cryptography;
using System.Text;
using TrialManager.Domain.Trials;

namespace TrialManager.Infrastructure.Documents.Protocols;

/// <summary>
/// The protocol texts of a trial, one per formulation x relationship arm, plus at most one comparator text for
/// every formulation, loaded and checked once from a folder of Markdown files (see protocols/README.md). A cell's
/// <c>{id}.md</c> is its base text; <c>{id}@{version}.md</c> files are later versions an amendment may put in force.
/// </summary>
public sealed class ProtocolLibrary : IProtocolTextVersions
{
    public static readonly IReadOnlyList<string> Formulations = ["cognitive", "interpersonal", "behavioral", "environmental"];
    public static readonly IReadOnlyList<string> Arms = ["mediator", "moderator"];

    /// <summary>The arm whose treatment is chosen by diagnosis: one text serves every formulation.</summary>
    public const string ComparatorArm = "comparator";

    /// <summary>The formulation named by the comparator's text.</summary>
    public const string AnyFormulation = "any";
    private static readonly string[] RequiredKeys = ["id", "version", "title", "formulation", "arm"];

    private readonly Dictionary<(string Formulation, string Arm), ProtocolText> byCell;
    private readonly Dictionary<(string Id, string Version), ProtocolText> byVersion;

    private ProtocolLibrary(IReadOnlyList<ProtocolText> texts)
    {
        All = texts;
        byCell = texts.Where(t => !IsLaterVersion(t)).ToDictionary(t => (t.Formulation, t.Arm));
        byVersion = texts.ToDictionary(t => (t.Id, t.Version));
    }

    private static bool IsLaterVersion(ProtocolText text) => text.FileName.Contains('@', StringComparison.Ordinal);

    /// <summary>The default folder: <c>protocols</c> next to the running binary.</summary>
    public static string DefaultDirectory => Path.Combine(AppContext.BaseDirectory, "protocols");

    public IReadOnlyList<ProtocolText> All { get; }

    /// <summary>Loads every <c>*.md</c> file except README.md; throws when a file is invalid or a cell is missing.</summary>
    public static ProtocolLibrary Load(string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw new ProtocolLibraryException($"Protocol folder '{directory}' does not exist.");
        }

        var texts = Directory.EnumerateFiles(directory, "*.md")
            .Where(f => !Path.GetFileName(f).Equals("README.md", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .Select(f => Parse(Path.GetFileName(f), File.ReadAllBytes(f)))
            .ToList();

        foreach (var duplicate in texts.GroupBy(t => (t.Id, t.Version)).Where(g => g.Count() > 1))
        {
            throw new ProtocolLibraryException(
                $"Protocol {duplicate.Key.Id} has version {duplicate.Key.Version} more than once: {string.Join(", ", duplicate.Select(t => t.FileName))}.");
        }

        foreach (var later in texts.Where(IsLaterVersion))
        {
            if (texts.FirstOrDefault(t => t.Id == later.Id && !IsLaterVersion(t)) is not { } first
                || (first.Formulation, first.Arm) != (later.Formulation, later.Arm))
            {
                throw new ProtocolLibraryException(
                    $"{later.FileName}: a later version needs the base text {later.Id}.md, for the same formulation and arm.");
            }
        }

        foreach (var duplicate in texts.Where(t => !IsLaterVersion(t)).GroupBy(t => (t.Formulation, t.Arm)).Where(g => g.Count() > 1))
        {
            throw new ProtocolLibraryException(
                $"Cell {duplicate.Key.Formulation} x {duplicate.Key.Arm} has more than one protocol: {string.Join(", ", duplicate.Select(t => t.FileName))}.");
        }

        var missing = Formulations.SelectMany(f => Arms.Select(a => (f, a))).Where(c => !texts.Any(t => (t.Formulation, t.Arm) == c)).ToList();
        if (missing.Count > 0)
        {
            throw new ProtocolLibraryException(
                $"Protocol folder '{directory}' has no text for: {string.Join(", ", missing.Select(c => $"{c.f} x {c.a}"))}.");
        }

        return new ProtocolLibrary(texts);
    }

    /// <summary>Whether the folder holds a comparator text, which a three-arm trial needs.</summary>
    public bool HasComparator => byCell.ContainsKey((AnyFormulation, ComparatorArm));

    public ProtocolText Get(string formulation, string arm) =>
        byCell.TryGetValue(arm == ComparatorArm ? (AnyFormulation, arm) : (formulation, arm), out var text)
            ? text
            : throw new KeyNotFoundException($"No protocol text for formulation '{formulation}' and arm '{arm}'.");

    /// <summary>The cell's text in the version a trial's amendments put in force (<paramref name="versions"/>: id to version).</summary>
    public ProtocolText Get(string formulation, string arm, IReadOnlyDictionary<string, string> versions)
    {
        var text = Get(formulation, arm);
        return versions.TryGetValue(text.Id, out var version) && byVersion.TryGetValue((text.Id, version), out var amended) ? amended : text;
    }

    public bool Exists(string id, string version) => byVersion.ContainsKey((id, version));

    public string? Base(string id) => byCell.Values.FirstOrDefault(t => t.Id == id)?.Version;

    /// <summary>Parses one protocol file: front matter between <c>---</c> lines, then <c>##</c> sections.</summary>
    public static ProtocolText Parse(string fileName, byte[] bytes)
    {
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var lines = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes).TrimStart('\uFEFF').ReplaceLineEndings("\n").Split('\n');
        ProtocolLibraryException Invalid(int line, string problem) => new($"{fileName}, line {line + 1}: {problem}");

        if (lines.Length == 0 || lines[0].Trim() != "---")
        {
            throw Invalid(0, "a protocol file starts with front matter between '---' lines.");
        }

        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        var i = 1;
        for (; i < lines.Length && lines[i].Trim() != "---"; i++)
        {
            var colon = lines[i].IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw Invalid(i, "front matter lines have the form 'key: value'.");
            }

            meta[lines[i][..colon].Trim()] = lines[i][(colon + 1)..].Trim().Trim('"');
        }

        if (i >= lines.Length)
        {
            throw Invalid(i - 1, "the front matter is not closed with '---'.");
        }

        foreach (var key in RequiredKeys.Where(k => !meta.TryGetValue(k, out var v) || v.Length == 0))
        {
            throw Invalid(0, $"front matter needs '{key}'.");
        }

        if (meta["arm"] == ComparatorArm)
        {
            if (meta["formulation"] != AnyFormulation)
            {
                throw Invalid(0, $"the comparator's text serves every formulation: its formulation is '{AnyFormulation}'.");
            }
        }
        else if (!Arms.Contains(meta["arm"]))
        {
            throw Invalid(0, $"arm '{meta["arm"]}' is not one of {string.Join(", ", Arms)}, {ComparatorArm}.");
        }
        else if (!Formulations.Contains(meta["formulation"]))
        {
            throw Invalid(0, $"formulation '{meta["formulation"]}' is not one of {string.Join(", ", Formulations)}.");
        }

        var exploratory = meta.GetValueOrDefault("exploratory") switch
        {
            null or "false" => false,
            "true" => true,
            var other => throw Invalid(0, $"exploratory is 'true' or 'false', not '{other}'."),
        };

        // A later version is {id}@{version}.md; its version must be the one in its name.
        var stem = Path.GetFileNameWithoutExtension(fileName);
        var at = stem.IndexOf('@', StringComparison.Ordinal);
        if (meta["id"] != (at < 0 ? stem : stem[..at]))
        {
            throw Invalid(0, $"id '{meta["id"]}' must match the file name.");
        }

        if (at >= 0 && stem[(at + 1)..] != meta["version"])
        {
            throw Invalid(0, $"version '{meta["version"]}' must be the one in the file name ('{stem[(at + 1)..]}').");
        }

        var sections = ParseBody(lines, i + 1, Invalid);
        foreach (var heading in ProtocolText.RequiredHeadings.Where(h => !sections.Any(s => s.Heading == h)))
        {
            throw Invalid(0, $"a '## {heading}' section is required.");
        }

        var items = sections.Single(s => s.Heading == ProtocolText.FidelityChecklistHeading)
            .Blocks.OfType<ProtocolBulletList>().SelectMany(b => b.Items).ToList();
        if (items.Count == 0)
        {
            throw Invalid(0, $"the '## {ProtocolText.FidelityChecklistHeading}' section needs '- ' items.");
        }

        if (items.FirstOrDefault(item => FidelityItem.Parse(item) is null) is { } untagged)
        {
            throw Invalid(0, $"checklist item '{untagged}' starts with [prescribed], [shared] or [proscribed].");
        }

        // Without both, raters could not tell this arm from another: the checklist would not differentiate.
        var tags = items.Select(item => FidelityItem.Parse(item)!.Tag).ToHashSet();
        if (!tags.Contains(ChecklistTag.Prescribed) || !tags.Contains(ChecklistTag.Proscribed))
        {
            throw Invalid(0, "the fidelity checklist needs at least one [prescribed] and one [proscribed] item.");
        }

        return new ProtocolText(meta["id"], meta["version"], meta["title"], meta["formulation"], meta["arm"], sections, sha256, fileName, exploratory);
    }

    private static List<ProtocolSection> ParseBody(string[] lines, int start, Func<int, string, ProtocolLibraryException> invalid)
    {
        var sections = new List<ProtocolSection>();
        string? heading = null;
        var blocks = new List<ProtocolBlock>();
        var paragraph = new List<string>();
        var items = new List<string>();

        void Close()
        {
            if (paragraph.Count > 0)
            {
                blocks.Add(new ProtocolParagraph(string.Join(' ', paragraph)));
            }

            if (items.Count > 0)
            {
                blocks.Add(new ProtocolBulletList([.. items]));
            }

            paragraph.Clear();
            items.Clear();
        }

        for (var i = start; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd();
            if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                Close();
                if (heading is not null)
                {
                    sections.Add(new ProtocolSection(heading, [.. blocks]));
                }

                heading = line[3..].Trim();
                blocks.Clear();
            }
            else if (line.Length == 0)
            {
                Close();
            }
            else if (heading is null)
            {
                throw invalid(i, "text before the first '## ' heading.");
            }
            else if (line.StartsWith('#'))
            {
                throw invalid(i, "only '## ' headings are allowed.");
            }
            else if (line.StartsWith("- ", StringComparison.Ordinal))
            {
                if (paragraph.Count > 0)
                {
                    Close();
                }

                items.Add(line[2..].Trim());
            }
            else if (items.Count > 0 && char.IsWhiteSpace(line[0]))
            {
                items[^1] += " " + line.Trim();
            }
            else
            {
                if (items.Count > 0)
                {
                    Close();
                }

                paragraph.Add(line.Trim());
            }
        }

        Close();
        if (heading is not null)
        {
            sections.Add(new ProtocolSection(heading, [.. blocks]));
        }

        return sections;
    }
}

/// <summary>A protocol file or folder that cannot be used; the message names the file and the problem.</summary>
public sealed class ProtocolLibraryException : Exception
{
    public ProtocolLibraryException()
    {
    }

    public ProtocolLibraryException(string message)
        : base(message)
    {
    }

    public ProtocolLibraryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
