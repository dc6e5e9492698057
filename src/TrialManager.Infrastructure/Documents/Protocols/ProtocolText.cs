namespace TrialManager.Infrastructure.Documents.Protocols;

/// <summary>A protocol text for one formulation x arm cell, parsed from its Markdown file.</summary>
public sealed record ProtocolText(
    string Id,
    string Version,
    string Title,
    string Formulation,
    string Arm,
    IReadOnlyList<ProtocolSection> Sections,
    string Sha256,
    string FileName)
{
    public const string FidelityChecklistHeading = "Fidelity checklist";

    /// <summary>The items a fidelity rater scores; every protocol text has at least one.</summary>
    public IReadOnlyList<string> FidelityChecklist =>
        Sections.Single(s => s.Heading == FidelityChecklistHeading).Blocks.OfType<ProtocolBulletList>().SelectMany(b => b.Items).ToList();
}

/// <summary>A <c>##</c> section: its heading and its paragraphs and bullet lists in order.</summary>
public sealed record ProtocolSection(string Heading, IReadOnlyList<ProtocolBlock> Blocks);

public abstract record ProtocolBlock;

public sealed record ProtocolParagraph(string Text) : ProtocolBlock;

public sealed record ProtocolBulletList(IReadOnlyList<string> Items) : ProtocolBlock;
