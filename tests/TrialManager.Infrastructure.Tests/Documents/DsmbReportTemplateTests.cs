using TrialManager.Infrastructure.Documents;
using TrialManager.Infrastructure.Documents.Templates;

namespace TrialManager.Infrastructure.Tests.Documents;

public sealed class DsmbReportTemplateTests
{
    [Fact]
    public void Render_ShowsTheFlowFlagsAndHarmsByArm_WithoutAnArrowFromWithdrawnToCompleted()
    {
        var model = DocumentSamples.DsmbReport();

        var text = new PdfText(DsmbReportTemplate.Render(model));

        foreach (var expected in new[]
        {
            "Allocated 144 143 287", "Stopped treatment, still followed up 12 11 23", "Lost to follow-up 4 5 9",
            "Withdrew consent 8 7 15", "Withdrawn (all categories) 21 18 39", "Completed 66 62 128", "Analysed (intention to treat) 132 131 263",
            "Mis-stratified 2 1 3", "Ineligible after randomization 0 1 1", "Adverse event participants 13 15 28 events 31 36 67",
            "Allocated to relationship as mediator (n = 144)", "Other withdrawals (n = 9)", "Analysed (n = 132)", "Completed (n = 66)",
            "Pending second rating 6", "Moved away 5 4 9",
        })
        {
            Assert.True(text.Contains(expected), $"'{expected}' is missing: {text.All}");
        }

        Assert.False(text.Contains("Withdrawn (n = 21)"), "A withdrawn box leading to completed is back.");
        Assert.Equal($"Closed DSMB report: {model.Trial.Title}", text.Title);
    }

    [Fact]
    public void Render_ShowsTheMeasuresByArm_WithTheirN_AndADashWhereAnArmHasNone()
    {
        var text = new PdfText(DsmbReportTemplate.Render(DocumentSamples.DsmbReport()));

        Assert.True(text.Contains("phq9 baseline 16.25 (n = 144) 15.88 (n = 143)"), text.All);
        Assert.True(text.Contains("phq9 session 4 12.50 (n = 120) -"), text.All);
        Assert.True(text.Contains("Cognitive 3.90 (n = 70) 3.45 (n = 72)"), text.All);
        Assert.True(text.Contains("Differentiation (own arm's prescribed minus the other's) 2.10 (n = 40) 1.75 (n = 38)"), text.All);
    }

    [Fact]
    public void Render_ShowsHarmsByRelatedness_AndTheAssessorsBlinding_ByArm()
    {
        var text = new PdfText(DsmbReportTemplate.Render(DocumentSamples.DsmbReport()));

        foreach (var expected in new[]
        {
            "Non-serious, unrelated participants 9 10 19 events 20 25 45",
            "Non-serious, possible or more participants 4 5 9 events 11 11 22",
            "Serious, possible or more participants 1 0 1 events 2 0 2",
            "Relationship as mediator 20 9 5 6 0.20 0.173", "Relationship as moderator 20 4 6 10 -0.10 0.141",
            "assessor Relationship as mediator serious event: the psychiatrist needs the arm",
        })
        {
            Assert.True(text.Contains(expected), $"'{expected}' is missing: {text.All}");
        }
    }

    [Fact]
    public void Render_ThreeArmTrial_ShowsTheComparatorInTheFlowAndEveryByArmTable()
    {
        var text = new PdfText(DsmbReportTemplate.Render(DocumentSamples.DsmbReport(comparator: true)));
        var twoArms = new PdfText(DsmbReportTemplate.Render(DocumentSamples.DsmbReport()));

        Assert.True(text.Contains("Allocated to comparator (n = 141)"), text.All);
        Assert.True(text.Contains("Allocated 144 143 141 428"), text.All);
        Assert.True(text.Contains("cognitive / Valencia 36 35 37 108"), text.All);
        Assert.False(twoArms.Contains("Comparator"));
    }
}
