using System.Diagnostics;
using System.Globalization;
using System.Text;
using TrialManager.Infrastructure.Documents.Layout;
using TrialManager.Infrastructure.Documents.Templates;

namespace TrialManager.Infrastructure.Tests.Documents;

public sealed class LayoutTests
{
    private static DocumentBuilder NewDocument() =>
        new(new DocumentInfo("Layout test", "Layout behaviour", DocumentSamples.Generated));

    [Fact]
    public void Table_LongerThanAPage_SplitsAndRepeatsItsHeaderOnEveryPage()
    {
        var table = new Table(new TableColumn("Visit number"), new TableColumn("Alliance score", 1, AlignRight: true));
        for (var i = 1; i <= 150; i++)
        {
            table.Row($"Visit {i.ToString(CultureInfo.InvariantCulture)}", (i % 7).ToString(CultureInfo.InvariantCulture));
        }

        var text = new PdfText(NewDocument().Heading("Sessions").Table(table).Render());

        Assert.True(text.Pages.Count >= 3, $"Expected at least 3 pages, got {text.Pages.Count}.");
        Assert.All(text.Pages, page => Assert.Contains("Visit number Alliance score", page, StringComparison.Ordinal));
        var rows = text.Pages.SelectMany(p => p.Split("Visit ").Skip(1)).Where(s => char.IsDigit(s[0])).Select(s => int.Parse(s.Split(' ')[0], CultureInfo.InvariantCulture));
        Assert.Equal(Enumerable.Range(1, 150), rows);
    }

    [Fact]
    public void Paragraph_SpanishText_RoundTripsThroughExtraction()
    {
        const string spanish = "Evaluación de la alianza terapéutica, señales de ruptura y reparación: ¿qué pasó?";

        var text = new PdfText(NewDocument().Heading("Sesión número 3").Paragraph(spanish).Bullets(["Niño, pequeño, corazón"]).Render());

        Assert.Contains(spanish, text.RawPages[0], StringComparison.Ordinal);
        Assert.True(text.Contains("Sesión número 3"));
        Assert.True(text.Contains("Niño, pequeño, corazón"));
    }

    [Fact]
    public void Paragraph_BoldRuns_KeepTheirWordsAndSpaces()
    {
        var text = new PdfText(NewDocument().Paragraph("Allocated to **Relationship as mediator** on Monday.").Render());

        Assert.Contains("Allocated to Relationship as mediator on Monday.", text.RawPages[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Paragraph_CjkText_RendersWithACjkFontOrFailsNamingThePackage()
    {
        const string chinese = "知情同意书";
        var document = NewDocument().Paragraph($"Consent form / {chinese} / formulario de consentimiento");
        var machineHasCjkFont = MachineHasCjkFont();

        Assert.Equal(machineHasCjkFont, DocumentFonts.CjkFontPath is not null);
        if (machineHasCjkFont)
        {
            var pdf = document.Render();
            var text = new PdfText(pdf);
            Assert.Contains(chinese, text.RawPages[0], StringComparison.Ordinal);
            Assert.Contains("formulario de consentimiento", text.RawPages[0], StringComparison.Ordinal);
        }
        else
        {
            var error = Assert.Throws<CjkFontMissingException>(() => document.Render());
            Assert.Contains("apt-get install -y fonts-droid-fallback", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Render_EmbedsSubsetFonts()
    {
        var pdf = ProtocolDocumentTemplate.Render(DocumentSamples.ProtocolDocument());
        var raw = Encoding.Latin1.GetString(pdf);

        Assert.Contains("/FontFile2", raw, StringComparison.Ordinal);
        Assert.Matches(@"/BaseFont\s*/[A-Z]{6}\+DejaVu#20Sans", raw);
        Assert.Matches(@"/BaseFont\s*/[A-Z]{6}\+DejaVu#20Sans,Bold", raw);
        Assert.Matches(@"/BaseFont\s*/[A-Z]{6}\+DejaVu#20Sans#20Mono", raw);
        Assert.InRange(pdf.Length, 10_000, 400_000);
    }

    [Fact]
    public void Render_IsSafeFromManyThreads()
    {
        var model = DocumentSamples.ProtocolDocument();
        var expected = ProtocolDocumentTemplate.Render(model);

        var results = new byte[8][];
        Parallel.For(0, results.Length, i => results[i] = ProtocolDocumentTemplate.Render(model));

        Assert.All(results, r => Assert.Equal(expected, r));
    }

    /// <summary>Asks fontconfig, independently of the resolver, whether a usable CJK font file is installed.</summary>
    private static bool MachineHasCjkFont()
    {
        using var process = Process.Start(new ProcessStartInfo("fc-list", [":lang=zh", "file"]) { RedirectStandardOutput = true })!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return output.Split('\n').Any(l => l.Contains(".tt", StringComparison.OrdinalIgnoreCase));
    }
}
