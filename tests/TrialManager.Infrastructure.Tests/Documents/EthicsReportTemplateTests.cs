using System.Globalization;
using System.Reflection;
using TrialManager.Infrastructure.Documents;
using TrialManager.Infrastructure.Documents.Templates;

namespace TrialManager.Infrastructure.Tests.Documents;

public sealed class EthicsReportTemplateTests
{
    private static string S(long n) => n.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public void Render_ShowsEveryPooledConsortCountInTheFigureAndTheTable()
    {
        var model = DocumentSamples.EthicsReport();
        var c = model.Consort;

        var text = new PdfText(EthicsReportTemplate.Render(model));

        foreach (var (box, row, n) in new[]
        {
            ("Assessed for eligibility", "Assessed for eligibility", c.Assessed), ("Excluded", "Excluded", c.Excluded),
            ("Randomized", "Randomized", c.Randomized), ("pending second rating", "Pending second rating", c.PendingSecondRating),
            ("pending consensus", "Pending consensus", c.PendingConsensus), ("excluded by formulation", "Excluded by formulation", c.ExcludedByFormulation),
            ("awaiting randomization", "Awaiting randomization", c.AwaitingRandomization),
            ("Lost to follow-up", "Lost to follow-up", c.LostToFollowUp), ("Withdrew consent", "Withdrew consent", c.WithdrewConsent),
            ("Other withdrawals", "Other withdrawals, still analysed", c.OtherWithdrawals),
            ("Stopped treatment", "Stopped treatment, still followed up", c.StoppedTreatment),
            ("Analysed", "Analysed (intention to treat)", c.Analysed), ("Completed", "Completed", c.Completed),
        })
        {
            Assert.True(text.Contains($"{box} (n = {S(n)})"), $"Flow box '{box} (n = {n})' is missing.");
            Assert.True(text.Contains($"{row} {S(n)}"), $"Table row '{row} {n}' is missing.");
        }

        foreach (var reason in c.ExcludedByReason)
        {
            Assert.True(text.Contains($"{reason.Reason} (n = {S(reason.Count)})"));
        }

        Assert.True(text.Contains($"Mis-stratified (allocation and stratum stand) {S(c.MisStratified)}"));
        Assert.True(text.Contains($"Ineligible after randomization (analysed as allocated) {S(c.IneligibleAfterRandomization)}"));
    }

    [Fact]
    public void Render_NamesNoArm_OutsideTheTrialsOwnTitle()
    {
        var model = DocumentSamples.EthicsReport(minCellSize: 1);

        var text = new PdfText(EthicsReportTemplate.Render(model)).All.Replace(model.Trial.Title, "", StringComparison.Ordinal);

        foreach (var arm in new[] { "mediator", "moderator", "comparator" })
        {
            Assert.DoesNotContain(arm, text, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void Render_ShowsEveryNumberOfTheModel()
    {
        var model = DocumentSamples.EthicsReport(
            reliability: new(0.71, 0.054, 64, 0.828, 0.68, 0.69, [new FactorIcc("cognitive", 0.62, 0.47, 0.74, 64), new FactorIcc("behavioral", null, null, null, 64)]),
            minCellSize: 1);

        var text = new PdfText(EthicsReportTemplate.Render(model));

        var numbers = new List<string>
        {
            S(model.Trial.TargetEnrollment), S(model.Audit.Events), "0.71", "0.054", "64", "82.8%", "47.8%", "0.68", "0.69",
            "0.62 (95% CI 0.47 to 0.74; n = 64)", "ICC(1,1), behavioral score",
            $"Open data queries {S(model.DataQuality.OpenQueries)}", $"Answered data queries {S(model.DataQuality.AnsweredQueries)}",
            $"Corrections recorded (each with its reason) {S(model.DataQuality.Corrections)}",
        };
        numbers.AddRange(model.RecruitmentBySite.SelectMany(s => new[] { S(s.Count), S(s.TargetShare) }));
        numbers.AddRange(model.RecruitmentByMonth.SelectMany(m => new[] { m.Month, S(m.Count) }));
        numbers.AddRange(model.ScreenFailures.Select(r => $"{r.Reason} {S(r.Count)}"));
        numbers.AddRange(model.Withdrawals.Select(w => $"{DocumentLabels.WithdrawalCategory(w.Reason)} {S(w.Count)}"));
        numbers.AddRange(model.Harms.Select(e => $"participants {S(e.WithEvent)} {S(e.WithEventBefore)} events {S(e.Events)} {S(e.EventsBefore)}"));
        numbers.Add(model.Audit.Head!.Hash);
        numbers.AddRange(model.SafetyByMonth.SelectMany(m => new[] { m.Month, S(m.AdverseEvents), S(m.SeriousAdverseEvents), S(m.ProtocolDeviations) }));
        numbers.AddRange(model.Protocols.SelectMany(p => new[] { p.Version, p.Sha256 }));

        Assert.All(numbers, n => Assert.True(text.ContainsNumber(n) || text.Contains(n), $"'{n}' is missing from the report."));
        Assert.True(text.Contains("valid"));
    }

    [Fact]
    public void Render_HidesSmallBreakdownCells_ButNotTheConsortCounts()
    {
        var model = DocumentSamples.EthicsReport(minCellSize: 5);

        var text = new PdfText(EthicsReportTemplate.Render(model));

        Assert.True(text.Contains("Clinical decision <5"), text.All);
        Assert.True(text.Contains("severity above the maximum <5"), text.All);
        Assert.True(text.Contains($"Ineligible after randomization (analysed as allocated) {S(model.Consort.IneligibleAfterRandomization)}"));
        Assert.True(text.Contains("shown as <5"));
    }

    [Fact]
    public void Render_PrintsTheAnchoredScale_BelowTheFactorScoresReliability()
    {
        var model = DocumentSamples.EthicsReport(
            reliability: new(0.71, 0.054, 64, 0.828, 0.68, 0.69, [new FactorIcc("cognitive", 0.62, 0.47, 0.74, 64)]));

        var text = new PdfText(EthicsReportTemplate.Render(model));

        Assert.True(text.Contains("0 absent, 1 minor, 2 moderate, 3 major, 4 central"), "The factor scores' anchors are missing from the report.");
    }

    [Fact]
    public void Render_WithoutReliability_SaysThereAreNotEnoughDoubleRatedCases()
    {
        var text = new PdfText(EthicsReportTemplate.Render(DocumentSamples.EthicsReport(reliability: null)));

        Assert.True(text.Contains("Not enough double-rated cases"));
    }

    [Fact]
    public void Render_HasMetadataAndNoParticipantIdentifiers()
    {
        var model = DocumentSamples.EthicsReport();

        var text = new PdfText(EthicsReportTemplate.Render(model));

        Assert.Equal($"Ethics progress report: {model.Trial.Title}", text.Title);
        Assert.Equal("TrialManager", text.Author);
        Assert.False(text.Contains(DocumentSamples.ProtocolDocument().StudyId));
        Assert.DoesNotContain("Study ID", text.All, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Model_CarriesNoParticipantLevelField()
    {
        var seen = new HashSet<Type>();
        var names = new List<string>();
        void Walk(Type type)
        {
            if (!seen.Add(type) || type.Namespace != typeof(EthicsReportModel).Namespace)
            {
                return;
            }

            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                names.Add($"{type.Name}.{property.Name}");
                var element = property.PropertyType.IsGenericType ? property.PropertyType.GetGenericArguments()[0] : property.PropertyType;
                Walk(Nullable.GetUnderlyingType(element) ?? element);
            }
        }

        Walk(typeof(EthicsReportModel));

        Assert.Contains("PooledConsort.Assessed", names);
        // Pooled by construction: nothing in the open report's model can hold a figure per arm.
        Assert.DoesNotContain(names, n => n.Contains("Arm", StringComparison.Ordinal) || n.Contains("Mediator", StringComparison.Ordinal));
        Assert.False(seen.Contains(typeof(ArmCounts)) || seen.Contains(typeof(ArmMeans)), "The ethics model reaches a by-arm type.");
        Assert.DoesNotContain(names, n => n.Contains("StudyId", StringComparison.Ordinal) || n.Contains("Participant", StringComparison.Ordinal));
    }
}
