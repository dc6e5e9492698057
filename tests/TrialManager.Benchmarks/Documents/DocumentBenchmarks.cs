using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using Microsoft.Playwright;
using TrialManager.Infrastructure.Documents;
using TrialManager.Infrastructure.Documents.Templates;

namespace TrialManager.Benchmarks.Documents;

/// <summary>Our PDFsharp layout pinned to one core: the protocol document and a 10,000-participant ethics report.</summary>
[Config(typeof(OneCoreConfig))]
[MemoryDiagnoser]
public class DocumentBenchmarks
{
    private ProtocolDocumentModel protocolDocument = null!;
    private EthicsReportModel ethicsReport = null!;

    [GlobalSetup]
    public void Setup()
    {
        var library = BenchmarkDocuments.LoadLibrary();
        protocolDocument = BenchmarkDocuments.ProtocolDocument(library);
        ethicsReport = BenchmarkDocuments.EthicsReport(library, participants: 10_000);
        Console.WriteLine($"// protocol document: {ProtocolDocumentTemplate.Render(protocolDocument).Length} bytes; "
            + $"ethics report (10,000 participants): {EthicsReportTemplate.Render(ethicsReport).Length} bytes");
    }

    [Benchmark(Baseline = true)]
    public byte[] ProtocolDocument_PdfSharp() => ProtocolDocumentTemplate.Render(protocolDocument);

    [Benchmark]
    public byte[] EthicsReport_10000Participants() => EthicsReportTemplate.Render(ethicsReport);

    private sealed class OneCoreConfig : ManualConfig
    {
        public OneCoreConfig() => AddJob(Job.ShortRun.WithIterationCount(10).WithAffinity(1).WithId("OneCore"));
    }
}

/// <summary>
/// The same protocol document as HTML printed to PDF by a headless Chromium that stays running between
/// documents (Debian's /usr/bin/chromium through Playwright), the alternative we compare against.
/// </summary>
[Config(typeof(ChromiumConfig))]
public class ChromiumDocumentBenchmarks : IDisposable
{
    private IPlaywright? playwright;
    private IBrowser? browser;
    private IPage? page;
    private string html = "";

    [GlobalSetup]
    public async Task Setup()
    {
        html = ProtocolDocumentHtml.Render(BenchmarkDocuments.ProtocolDocument(BenchmarkDocuments.LoadLibrary()));
        playwright = await Playwright.CreateAsync();
        browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        page = await browser.NewPageAsync();
        Console.WriteLine($"// chromium protocol document: {(await ProtocolDocument_Chromium()).Length} bytes");
    }

    [Benchmark]
    public async Task<byte[]> ProtocolDocument_Chromium()
    {
        await page!.SetContentAsync(html);
        return await page.PdfAsync(new PagePdfOptions
        {
            Format = "A4",
            PrintBackground = true,
            DisplayHeaderFooter = true,
            HeaderTemplate = "<div style='font-size:7pt;margin-left:2cm'>Protocol document</div>",
            FooterTemplate = "<div style='font-size:7pt;margin-left:2cm'>Page <span class='pageNumber'></span> of <span class='totalPages'></span></div>",
            Margin = new Margin { Top = "2.8cm", Bottom = "2.8cm", Left = "2cm", Right = "2cm" },
        });
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        if (browser is not null)
        {
            await browser.CloseAsync();
        }

        Dispose();
    }

    public void Dispose()
    {
        playwright?.Dispose();
        playwright = null;
        GC.SuppressFinalize(this);
    }

    private sealed class ChromiumConfig : ManualConfig
    {
        public ChromiumConfig() => AddJob(Job.ShortRun.WithIterationCount(10).WithId("Chromium"));
    }
}
