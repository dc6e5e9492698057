using System.Globalization;
using TrialManager.Domain.Participants;
using TrialManager.Infrastructure.Documents.Layout;
using TrialManager.Infrastructure.Documents.Protocols;

namespace TrialManager.Infrastructure.Documents.Templates;

/// <summary>The document a therapist receives for an allocated participant: allocation, formulation and protocol text.</summary>
public static class ProtocolDocumentTemplate
{
    public static byte[] Render(ProtocolDocumentModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var arm = DocumentLabels.Arm(model.Arm);
        var protocol = model.Protocol;

        return new DocumentBuilder(new DocumentInfo(
                Title: $"Protocol document: {protocol.Title}",
                Subject: $"Protocol for study participant {model.StudyId}, trial {model.TrialId}: {arm}",
                CreatedAt: model.GeneratedAt))
            .Header($"{model.TrialId} · Study ID {model.StudyId}")
            .Footer($"Protocol {protocol.Id} v{model.ProtocolVersion} · generated {Stamp(model.GeneratedAt)}")
            .Heading(protocol.Title)
            .Paragraph($"This protocol applies to study participant **{model.StudyId}**, allocated to **{arm}** "
                + $"with a **{DocumentLabels.Formulation(model.PrimaryFormulation).ToLowerInvariant()}** case formulation. "
                + "Follow it for every session with this participant and record deviations as they occur.")
            .When(protocol.Exploratory, d => d.Paragraph("**Exploratory cell.** The trial's hypothesis makes no firm prediction "
                + "for this formulation and arm; its results are reported as exploratory."))
            .Heading("Allocation", 2)
            .KeyValues(
                ("Study ID", model.StudyId),
                ("Site", model.Site),
                ("Trial", $"{model.TrialTitle} ({model.TrialId})"),
                ("Registration", model.Registration),
                ("Primary formulation", DocumentLabels.Formulation(model.PrimaryFormulation)),
                ("Arm", arm),
                ("Stratum", model.Stratum),
                ("Randomized at", Stamp(model.RandomizedAt)),
                ("Protocol", $"{protocol.Id}, version {model.ProtocolVersion}"),
                ("Protocol SHA-256", $"`{model.ProtocolSha256}`"))
            .Heading("Formulation ratings", 2)
            .Table(Ratings(model.Ratings))
            .Note("Each maintaining factor is scored on the anchored scale "
                + string.Join(", ", FormulationScores.Anchors.Select((anchor, score) => $"{Int(score)} {anchor}")) + ".")
            .ForEach(protocol.Sections, Section)
            .Render();
    }

    /// <summary>One column per rater, one row per maintaining factor: raters are few, factors are four.</summary>
    private static Table Ratings(IReadOnlyList<ProtocolDocumentRating> ratings)
    {
        var table = new Table([new TableColumn("Factor", 1.2), .. ratings.Select(r => new TableColumn(r.Rater, 1, AlignRight: true))])
            { EmptyText = "No formulation ratings recorded." };
        if (ratings.Count == 0)
        {
            return table;
        }

        return table
            .Row(["Cognitive", .. ratings.Select(r => Int(r.Cognitive))])
            .Row(["Interpersonal", .. ratings.Select(r => Int(r.Interpersonal))])
            .Row(["Behavioral", .. ratings.Select(r => Int(r.Behavioral))])
            .Row(["Environmental", .. ratings.Select(r => Int(r.Environmental))])
            .Row(["Consensus decision", .. ratings.Select(r => r.Consensus ? "yes" : "no")])
            .Row(["Rated at (UTC)", .. ratings.Select(r => r.RatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture))]);
    }

    private static void Section(DocumentBuilder document, ProtocolSection section)
    {
        document.Heading(section.Heading, 2);
        if (section.Heading == ProtocolText.FidelityChecklistHeading)
        {
            // Rated on a scale, not ticked: how fully (adherence) and how well (competence) each item was done.
            document.ForEach(section.Blocks.OfType<ProtocolParagraph>(), (d, p) => d.Paragraph(p.Text));
            var items = section.Blocks.OfType<ProtocolBulletList>().SelectMany(b => b.Items).Select(i => FidelityItem.Parse(i)!).ToList();
            document.Table(new Table(new TableColumn("#", 0.35), new TableColumn("Kind", 1.1), new TableColumn("Item", 5),
                    new TableColumn("Adherence 0-6", 1.1), new TableColumn("Competence 0-6", 1.1))
                .Rows(items.Select((item, i) => (item, i)), x => [Int(x.i + 1), x.item.Tag.ToString().ToLowerInvariant(), x.item.Text, "", ""]));
            return;
        }

        document.ForEach(section.Blocks, (d, block) => _ = block switch
        {
            ProtocolParagraph p => d.Paragraph(p.Text),
            ProtocolBulletList list => d.Bullets(list.Items),
            _ => d,
        });
    }

    internal static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    internal static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);
}
