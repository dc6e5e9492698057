using System.Diagnostics;
using TrialManager.Infrastructure.Documents.Layout;
using TrialManager.Infrastructure.Documents.Templates;

namespace TrialManager.Infrastructure.Tests.Documents;

/// <summary>
/// Renders page 1 of each document to PNG (bin/.../rendered/) so a person can look at the layout;
/// the test itself checks that poppler can rasterise the PDFs we produce.
/// </summary>
public sealed class RenderedPageTests
{
    public static string OutputFolder => Path.Combine(AppContext.BaseDirectory, "rendered");

    [Fact]
    public void FirstPages_RasteriseToPng()
    {
        var documents = new Dictionary<string, byte[]>
        {
            ["protocol-interpersonal-mediator"] = ProtocolDocumentTemplate.Render(DocumentSamples.ProtocolDocument()),
            ["protocol-cognitive-moderator"] = ProtocolDocumentTemplate.Render(DocumentSamples.ProtocolDocument("cognitive", "moderator")),
            ["ethics-report"] = EthicsReportTemplate.Render(DocumentSamples.EthicsReport(months: 26)),
            ["dsmb-report"] = DsmbReportTemplate.Render(DocumentSamples.DsmbReport(comparator: true)),
        };

        if (DocumentFonts.CjkFontPath is not null)
        {
            documents["multilingual"] = new DocumentBuilder(new DocumentInfo("Multilingual sample", "Script runs", DocumentSamples.Generated))
                .Heading("Consentimiento informado / 知情同意书")
                .Paragraph("Evaluación de la alianza terapéutica, señales de ruptura. 治疗联盟的评估与破裂的修复。 **Negrita 粗体** and plain text.")
                .Table(new Table(new TableColumn("Idioma"), new TableColumn("Texto", 3)).Row("中文", "患者同意参加本研究。").Row("Español", "El paciente acepta participar."))
                .Render();
        }

        foreach (var (name, pdf) in documents)
        {
            var png = Poppler.FirstPageToPng(pdf, OutputFolder, name);
            var bytes = File.ReadAllBytes(png);
            Assert.True(bytes.Length > 10_000, $"{png} looks empty.");
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
        }
    }
}

/// <summary>pdftoppm from poppler-utils; installed when missing and the tests run as root (<see cref="SystemPackages"/>).</summary>
internal static class Poppler
{
    public static string FirstPageToPng(byte[] pdf, string folder, string name)
    {
        var tool = EnsurePdftoppm();
        Directory.CreateDirectory(folder);
        var pdfPath = Path.Combine(folder, name + ".pdf");
        File.WriteAllBytes(pdfPath, pdf);
        var (code, output) = Run(tool, "-png", "-r", "110", "-f", "1", "-l", "1", "-singlefile", pdfPath, Path.Combine(folder, name));
        Assert.True(code == 0, $"pdftoppm failed: {output}");
        return Path.Combine(folder, name + ".png");
    }

    private static string EnsurePdftoppm()
    {
        var problem = SystemPackages.Ensure(() => SystemPackages.OnPath("pdftoppm") is not null, ["poppler-utils"], withRecommends: true);
        if (problem is not null)
        {
            Assert.Fail($"pdftoppm is needed: {problem}");
        }

        return SystemPackages.OnPath("pdftoppm")!;
    }

    private static (int Code, string Output) Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr);
    }
}
