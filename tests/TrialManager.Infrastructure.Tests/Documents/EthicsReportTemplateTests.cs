using System.Globalization;
using System.Reflection;
using TrialManager.Infrastructure.Documents;
using TrialManager.Infrastructure.Documents.Templates;

namespace TrialManager.Infrastructure.Tests.Documents;

public sealed class EthicsReportTemplateTests
{
    private static string S(long n) => n.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public void Render_ShowsEveryConsortCountInTheFigureAndTheTable()
    {
        var model = DocumentSamples.EthicsReport();
        var c = model.Consort;

        var text = new PdfText(EthicsReportTemplate.Render(model));

        Assert.True(text.Contains($"Assessed for eligibility (n = {S(c.Assessed)})"));
        Assert.True(text.Contains($"Excluded (n = {S(c.Excluded)})"));
        Assert.True(text.Contains($"Randomized (n = {S(c.Randomized)})"));
        Assert.True(text.Contains($"Allocated to relationship as mediator (n = {S(c.Allocated.Mediator)})"));
        Assert.True(text.Contains($"Allocated to relationship as moderator (n = {S(c.Allocated.Moderator)})"));
        foreach (var n in new[] { c.Withdrawn.Mediator, c.Withdrawn.Moderator, c.Completed.Mediator, c.Completed.Moderator })
        {
            Assert.True(text.Contains($"(n = {S(n)})"), $"Flow box with n = {n} is missing.");
        }

        foreach (var reason in c.ExcludedByReason)
        {
            Assert.True(text.Contains(reason.Reason));
            Assert.True(text.Contains($"{reason.Reason} (n = {S(reason.Count)})"));
        }

        foreach (var total in new[] { c.Allocated.Total, c.Withdrawn.Total, c.Completed.Total })
        {
            Assert.True(text.ContainsNumber(S(total)), $"Total {total} is missing.");
        }
    }

    [Fact]
    public void Render_ThreeArmTrial_ShowsTheComparatorInTheFlowAndEveryByArmTable()
    {
        var two = DocumentSamples.EthicsReport(minCellSize: 1);
        var model = two with
        {
            Trial = two.Trial with { HasComparator = true },
            Consort = two.Consort with { Allocated = new ArmCounts(144, 143, 141), Withdrawn = new ArmCounts(21, 18, 17), Completed = new ArmCounts(66, 62, 59) },
            Balance = [new StratumArmCounts("cognitive / Valencia", new ArmCounts(36, 35, 37))],
        };

        var text = new PdfText(EthicsReportTemplate.Render(model));
        var twoArms = new PdfText(EthicsReportTemplate.Render(two));

        Assert.True(text.Contains("Allocated to comparator (n = 141)"));
        Assert.True(text.Contains("Withdrawn (n = 17)"));
        Assert.True(text.Contains("Completed (n = 59)"));
        Assert.True(text.ContainsNumber(S(144 + 143 + 141)), "The allocated total counts the comparator.");
        Assert.True(text.ContainsNumber("108"), "The stratum's total counts the comparator.");
        Assert.False(twoArms.Contains("Comparator"));
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
        };
        numbers.AddRange(model.RecruitmentBySite.SelectMany(s => new[] { S(s.Count), S(s.TargetShare) }));
        numbers.AddRange(model.RecruitmentByMonth.SelectMany(m => new[] { m.Month, S(m.Count) }));
        numbers.AddRange(model.Balance.SelectMany(b => new[] { b.Counts.Mediator, b.Counts.Moderator, b.Counts.Total }.Select(n => S(n))));
        numbers.AddRange(model.Withdrawals.SelectMany(w => new[] { w.Counts.Mediator, w.Counts.Moderator, w.Counts.Total }.Select(n => S(n))));
        numbers.AddRange(model.Harms.SelectMany(e => new[]
        {
            e.WithEvent.Mediator, e.WithEvent.Moderator, e.WithEvent.Total, e.Events.Mediator, e.Events.Moderator, e.Events.Total, e.WithEventBefore, e.EventsBefore,
        }.Select(n => S(n))));
        numbers.Add(model.Audit.Head!.Hash);
        numbers.AddRange(model.SafetyByMonth.SelectMany(m => new[] { m.Month, S(m.AdverseEvents), S(m.SeriousAdverseEvents), S(m.ProtocolDeviations) }));
        numbers.AddRange(model.Protocols.SelectMany(p => new[] { p.Id, p.Sha256 }));

        Assert.All(numbers, n => Assert.True(text.ContainsNumber(n) || text.Contains(n), $"'{n}' is missing from the report."));
        Assert.True(text.Contains("Relationship as mediator"));
        Assert.True(text.Contains("Relationship as moderator"));
        Assert.True(text.Contains("valid"));
    }

    [Fact]
    public void Render_HidesSmallBreakdownCells_AndWhatWouldGiveThemAway_ButNotTheConsortTotals()
    {
        var model = DocumentSamples.EthicsReport(minCellSize: 5);

        var text = new PdfText(EthicsReportTemplate.Render(model));

        // Lost to follow-up 4 / 5 / 9: the 4 is small; its column total (withdrawn, mediator: 21) is printed, so the
        // smallest other positive count of that column (5, moved away) is hidden too, and so on until no line has one.
        Assert.True(text.Contains("Lost to follow-up <5"), text.All);
        Assert.True(text.Contains("Moved away * <5"), text.All);
        Assert.True(text.Contains($"Withdrawn {S(model.Consort.Withdrawn.Mediator)} {S(model.Consort.Withdrawn.Moderator)} {S(model.Consort.Withdrawn.Total)}"));
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

        Assert.Contains("ConsortCounts.Assessed", names);
        Assert.DoesNotContain(names, n => n.Contains("StudyId", StringComparison.Ordinal) || n.Contains("Participant", StringComparison.Ordinal));
    }
}
