using TrialManager.Domain.Participants;
using TrialManager.Domain.Statistics;
using TrialManager.Domain.Trials;

namespace TrialManager.Domain.Tests.Statistics;

public class FormulationAgreementTests
{
    private static readonly DateTimeOffset November = new(2026, 11, 10, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset December = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);

    private static readonly FormulationScores Cognitive = new(4, 1, 0, 0);
    private static readonly FormulationScores Interpersonal = new(1, 4, 0, 0);

    [Fact]
    public void Compute_LeavesOutConsensusAndUnblindedRatings()
    {
        var randomizedAt = November.AddDays(1);
        var withExtras = new RatedCase(
        [
            Rating(1, "R01", Cognitive, November),
            Rating(2, "R02", Interpersonal, November),
            Rating(3, "R09", Cognitive, November, consensus: true),
            Rating(4, "R03", Interpersonal, randomizedAt.AddMinutes(1)), // after allocation: unblinded
        ], randomizedAt);
        var plain = new RatedCase([Rating(1, "R01", Cognitive, November), Rating(2, "R02", Interpersonal, November)], randomizedAt);
        RatedCase[] other = [new([Rating(1, "R04", Cognitive, November), Rating(2, "R05", Cognitive, November)], null)];

        var report = FormulationAgreement.Compute([withExtras, .. other]);
        var expected = FormulationAgreement.Compute([plain, .. other]);

        Assert.Equal(expected.Fleiss, report.Fleiss);
        Assert.Equal(expected.Krippendorff, report.Krippendorff);
        Assert.Equal(expected.Cohen, report.Cohen);
        Assert.Equal(expected.Icc[Formulation.Cognitive], report.Icc[Formulation.Cognitive]);
        Assert.Equal(2, report.Fleiss.Subjects);
        Assert.Equal(4, report.Fleiss.Ratings);
        Assert.DoesNotContain(report.Raters, r => r.Rater is "R03" or "R09");
    }

    [Fact]
    public void Compute_CountsOnlyEachRatersFirstIndependentRating()
    {
        var twice = new RatedCase([Rating(1, "R01", Cognitive, November), Rating(2, "R01", Interpersonal, November), Rating(3, "R02", Cognitive, November)], null);

        Assert.Equal(["R01", "R02"], FormulationAgreement.Independent(twice).Select(r => r.Rater));
    }

    [Fact]
    public void Raters_ReportAgreementWithTheConsensusOnCasesThatHaveOne()
    {
        var settled = new RatedCase(
            [Rating(1, "R01", Cognitive, November), Rating(2, "R02", Interpersonal, November), Rating(3, "R09", Interpersonal, November, consensus: true)],
            null);
        var unsettled = new RatedCase([Rating(1, "R01", Cognitive, November), Rating(2, "R03", Cognitive, November)], null);

        var raters = FormulationAgreement.Compute([settled, unsettled]).Raters.ToDictionary(r => r.Rater);

        Assert.Equal(new RaterAgreement("R01", 2, 1, 0.0), raters["R01"]);
        Assert.Equal(new RaterAgreement("R02", 1, 1, 1.0), raters["R02"]);
        Assert.Equal(new RaterAgreement("R03", 1, 0, null), raters["R03"]);
    }

    [Fact]
    public void ByMonth_GroupsPairsByTheMonthOfTheSecondRating()
    {
        RatedCase[] cases =
        [
            new([Rating(1, "R01", Cognitive, November), Rating(2, "R02", Cognitive, November)], null),
            new([Rating(1, "R01", Cognitive, November), Rating(2, "R02", Interpersonal, December)], null),
            new([Rating(1, "R01", Interpersonal, December), Rating(2, "R02", Interpersonal, December)], null),
        ];

        var months = FormulationAgreement.Compute(cases).ByMonth;

        Assert.Equal(["2026-11", "2026-12"], months.Select(m => m.Month));
        Assert.Equal((1, 1.0), (months[0].N, months[0].Agreement!.Value));
        Assert.Equal((2, 0.5), (months[1].N, months[1].Agreement!.Value));
    }

    private static FormulationRating Rating(int number, string rater, FormulationScores scores, DateTimeOffset at, bool consensus = false) =>
        new(number, rater, scores, consensus, null, scores.Primary(1), at);
}
