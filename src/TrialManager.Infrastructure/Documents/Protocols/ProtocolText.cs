namespace TrialManager.Infrastructure.Documents.Protocols;

/// <summary>
/// A protocol text for one formulation x arm cell, parsed from its Markdown file. The comparator arm's text
/// (formulation <see cref="ProtocolLibrary.AnyFormulation"/>) serves every formulation.
/// </summary>
public sealed record ProtocolText(
    string Id,
    string Version,
    string Title,
    string Formulation,
    string Arm,
    IReadOnlyList<ProtocolSection> Sections,
    string Sha256,
    string FileName,
    bool Exploratory = false)
{
    public const string FidelityChecklistHeading = "Fidelity checklist";

    /// <summary>The sections every text has, so that no therapist gets a protocol silent on any of them.</summary>
    public static readonly IReadOnlyList<string> RequiredHeadings =
        ["Sessions and supervision", "Safety and risk management", "When the formulation proves wrong", FidelityChecklistHeading];

    /// <summary>The items a fidelity rater scores, each tagged; every text has prescribed and proscribed items.</summary>
    public IReadOnlyList<FidelityItem> FidelityChecklist =>
        Sections.Single(s => s.Heading == FidelityChecklistHeading).Blocks.OfType<ProtocolBulletList>().SelectMany(b => b.Items)
            .Select(item => FidelityItem.Parse(item) ?? throw new InvalidOperationException($"Untagged checklist item in {FileName}."))
            .ToList();
}

/// <summary>
/// Where a checklist item belongs: to this arm only, to every arm, or to another arm (its signature moves, which
/// should not appear here). Differentiation between arms is read from these tags.
/// </summary>
public enum ChecklistTag
{
    Prescribed,
    Shared,
    Proscribed,
}

/// <summary>One checklist item, written <c>- [prescribed] Text</c> in the protocol file.</summary>
public sealed record FidelityItem(ChecklistTag Tag, string Text)
{
    public static FidelityItem? Parse(string item)
    {
        foreach (var tag in Enum.GetValues<ChecklistTag>())
        {
            var prefix = $"[{tag.ToString().ToLowerInvariant()}] ";
            if (item.StartsWith(prefix, StringComparison.Ordinal) && item.Length > prefix.Length)
            {
                return new FidelityItem(tag, item[prefix.Length..].Trim());
            }
        }

        return null;
    }
}

/// <summary>A <c>##</c> section: its heading and its paragraphs and bullet lists in order.</summary>
public sealed record ProtocolSection(string Heading, IReadOnlyList<ProtocolBlock> Blocks);

public abstract record ProtocolBlock;

public sealed record ProtocolParagraph(string Text) : ProtocolBlock;

public sealed record ProtocolBulletList(IReadOnlyList<string> Items) : ProtocolBlock;
