using TrialManager.Infrastructure.Documents.Templates;

namespace TrialManager.Infrastructure.Tests.Documents;

public sealed class ProtocolDocumentTemplateTests
{
    [Theory]
    [MemberData(nameof(ProtocolLibraryTests.Cells), MemberType = typeof(ProtocolLibraryTests))]
    public void Render_ShowsIdentityArmProtocolVersionAndHash(string formulation, string arm)
    {
        var model = DocumentSamples.ProtocolDocument(formulation, arm);

        var text = new PdfText(ProtocolDocumentTemplate.Render(model));

        Assert.InRange(text.Pages.Count, 2, 4);
        foreach (var expected in new[]
        {
            model.StudyId, model.Site, model.TrialId, model.TrialTitle, model.Registration, model.Stratum,
            arm == "mediator" ? "Relationship as mediator" : "Relationship as moderator",
            "2026-10-04 14:05 UTC", model.Protocol.Title, $"{model.Protocol.Id}, version {model.Protocol.Version}", model.ProtocolSha256,
        })
        {
            Assert.True(text.Contains(expected), $"'{expected}' is missing from the protocol document.");
        }
    }

    [Fact]
    public void Render_ShowsEveryRatingAndEveryChecklistItem()
    {
        var model = DocumentSamples.ProtocolDocument();

        var text = new PdfText(ProtocolDocumentTemplate.Render(model));

        Assert.True(text.Contains("Consensus panel"));
        Assert.True(text.Contains("0 absent, 1 minor, 2 moderate, 3 major, 4 central"), "The scores' anchors are missing.");
        Assert.True(text.Contains("2026-10-02 11:15"));
        foreach (var item in model.Protocol.FidelityChecklist)
        {
            var start = string.Join(' ', item.Text.Split(' ').Take(4));
            Assert.True(text.Contains(start), $"Checklist item '{start}...' is missing.");
        }

        // Rated on two 0-6 scales, each item with its kind, never ticked yes or no.
        Assert.True(text.Contains("Adherence 0-6"));
        Assert.True(text.Contains("Competence 0-6"));
        Assert.True(text.Contains("proscribed"));
        Assert.False(text.Contains("yes / no"));
    }

    [Fact]
    public void Render_ExploratoryCell_SaysSo()
    {
        var exploratory = DocumentSamples.ProtocolDocument() with { Protocol = DocumentSamples.Library.Get("environmental", "mediator") };
        var confirmatory = DocumentSamples.ProtocolDocument() with { Protocol = DocumentSamples.Library.Get("environmental", "moderator") };

        Assert.True(new PdfText(ProtocolDocumentTemplate.Render(exploratory)).Contains("Exploratory cell."));
        Assert.False(new PdfText(ProtocolDocumentTemplate.Render(confirmatory)).Contains("Exploratory cell."));
    }

    [Fact]
    public void Render_HeaderAndFooterNumberEveryPage()
    {
        var text = new PdfText(ProtocolDocumentTemplate.Render(DocumentSamples.ProtocolDocument()));

        for (var i = 0; i < text.Pages.Count; i++)
        {
            Assert.Contains($"Page {i + 1} of {text.Pages.Count}", text.Pages[i], StringComparison.Ordinal);
            Assert.Contains("Study ID TM-0042", text.Pages[i], StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Render_HasMetadata()
    {
        var model = DocumentSamples.ProtocolDocument();

        var text = new PdfText(ProtocolDocumentTemplate.Render(model));

        Assert.Equal($"Protocol document: {model.Protocol.Title}", text.Title);
        Assert.Equal("TrialManager", text.Author);
        Assert.Contains("TM-0042", text.Subject, StringComparison.Ordinal);
        Assert.StartsWith("D:20261120093000", text.CreationDate, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_SameModelTwice_GivesTheSameBytes()
    {
        var model = DocumentSamples.ProtocolDocument();

        Assert.Equal(ProtocolDocumentTemplate.Render(model), ProtocolDocumentTemplate.Render(model));
    }
}
