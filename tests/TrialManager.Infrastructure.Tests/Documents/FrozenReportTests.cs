using TrialManager.Infrastructure.Documents;
using TrialManager.Infrastructure.Documents.Templates;

namespace TrialManager.Infrastructure.Tests.Documents;

/// <summary>
/// A freeze keeps both reports' figures as JSON: read back, they must be the same figures (a report of the freeze
/// prints what was taken then), and the PDF must say which freeze its data are as of.
/// </summary>
public sealed class FrozenReportTests
{
    private static readonly FrozenFrom Freeze = new(Guid.Parse("6f1c2b9e-3d4a-4e5f-8a7b-1c2d3e4f5a6b"), new DateTimeOffset(2026, 11, 18, 16, 45, 12, 345, TimeSpan.Zero));

    private static readonly ReliabilitySummary Reliability = new(
        0.71, 0.054, 64, 0.828, 0.69, 0.7, [new FactorIcc("relational", 0.81, 0.7, 0.9, 40), new FactorIcc("cognitive", null, null, null, 2)]);

    public static TheoryData<string> Models => ["ethics", "ethics-no-reliability", "dsmb", "dsmb-comparator"];

    [Theory]
    [MemberData(nameof(Models))]
    public void Figures_ReadBackFromTheirJson_AreTheSameFigures_AndRenderTheSamePdf(string which)
    {
        var (json, again, pdf, pdfAgain) = which switch
        {
            "ethics" or "ethics-no-reliability" => RoundTrip(
                DocumentSamples.EthicsReport(reliability: which == "ethics" ? Reliability : null), EthicsReportTemplate.Render),
            _ => RoundTrip(DocumentSamples.DsmbReport(comparator: which == "dsmb-comparator"), DsmbReportTemplate.Render),
        };

        Assert.Equal(json, again);
        Assert.Equal(new PdfText(pdf).All, new PdfText(pdfAgain).All);
    }

    [Fact]
    public void Figures_WithAnUndefinedStatistic_AreStoredAndReadBack()
    {
        // NaN is what an undefined figure can become; the freeze must not fail on it.
        var model = DocumentSamples.DsmbReport() with
        {
            Blinding = new BlindingFigures(0, [new ArmBlindingFigures("mediator", 0, 0, 0, 0, double.NaN, null)], []),
        };

        var back = ReportModelJson.Deserialize<DsmbReportModel>(ReportModelJson.Serialize(model));

        Assert.True(double.IsNaN(back.Blinding.Arms[0].Index!.Value));
    }

    [Fact]
    public void EthicsReport_FromAFreeze_SaysWhichFreezeWhenAndUnderWhichDefinition_AndALiveOneSaysItIsNow()
    {
        var live = DocumentSamples.EthicsReport();

        var frozen = new PdfText(EthicsReportTemplate.Render(live with { Freeze = Freeze }));
        var now = new PdfText(EthicsReportTemplate.Render(live));

        Assert.True(frozen.Contains($"Made from freeze {Freeze.Id} frozen at 2026-11-18 16:45 UTC (definition version {live.Trial.DefinitionVersion})"), frozen.All);
        Assert.True(frozen.Contains($"Data as of freeze {Freeze.Id} frozen at 2026-11-18 16:45 UTC"), frozen.All);
        Assert.True(frozen.Contains("The audit chain was verified at freeze time"), frozen.All);
        Assert.False(now.Contains("freeze"), now.All);
        Assert.True(now.Contains($"Every figure is the data when this report was generated (definition version {live.Trial.DefinitionVersion})"), now.All);
    }

    [Fact]
    public void DsmbReport_FromAFreeze_SaysWhichFreezeWhenAndUnderWhichDefinition()
    {
        var live = DocumentSamples.DsmbReport();

        var frozen = new PdfText(DsmbReportTemplate.Render(live with { Freeze = Freeze }));

        Assert.True(frozen.Contains($"Made from freeze {Freeze.Id} frozen at 2026-11-18 16:45 UTC (definition version {live.Trial.DefinitionVersion})"), frozen.All);
        Assert.True(frozen.Contains("The audit chain was verified at freeze time"), frozen.All);
        Assert.False(new PdfText(DsmbReportTemplate.Render(live)).Contains("freeze"));
    }

    private static (string Json, string Again, byte[] Pdf, byte[] PdfAgain) RoundTrip<TModel>(TModel model, Func<TModel, byte[]> render)
    {
        var json = ReportModelJson.Serialize(model);
        var back = ReportModelJson.Deserialize<TModel>(json);
        return (System.Text.Encoding.UTF8.GetString(json), System.Text.Encoding.UTF8.GetString(ReportModelJson.Serialize(back)), render(model), render(back));
    }
}
