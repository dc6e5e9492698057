using CsCheck;
using TrialManager.Domain.Common;
using TrialManager.Domain.Participants;

namespace TrialManager.Domain.Tests.Participants;

public class SiteStudyNumbersTests
{
    private static int Number(string studyId) => int.Parse(studyId[(studyId.LastIndexOf('-') + 1)..], System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void IssueStudyId_First_IsNumberOneOfTheSite()
    {
        var numbers = new SiteStudyNumbers("T1", "A", 0);
        Assert.Equal("T1-A-0001", numbers.IssueStudyId());
        Assert.Equal(1, numbers.LastIssued);
    }

    [Fact]
    public void IssueStudyId_IsGapFreeAndUnique_OverManyIssues_ResumedFromAnySavedLastNumber()
    {
        // Issued in runs, each run resumed from the last number saved by the one before (as the handler does per request).
        Gen.Select(Gen.Int[0, 20_000], Gen.Int[1, 50].Array[1, 40]).Sample((start, runs) =>
        {
            var ids = new List<string>();
            int saved = start;
            foreach (int run in runs)
            {
                var numbers = new SiteStudyNumbers("T1", "A", saved);
                for (int i = 0; i < run; i++)
                {
                    ids.Add(numbers.IssueStudyId());
                }

                saved = numbers.LastIssued;
            }

            Assert.Equal(Enumerable.Range(start + 1, ids.Count), ids.Select(Number));
            Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
            Assert.All(ids, id => Assert.StartsWith("T1-A-", id, StringComparison.Ordinal));
            Assert.Equal(start + ids.Count, saved);
        }, iter: 200);
    }

    [Fact]
    public void IssueStudyId_PastTheFourthDigit_KeepsCounting()
    {
        var numbers = new SiteStudyNumbers("T1", "A", 9999);
        Assert.Equal("T1-A-10000", numbers.IssueStudyId());
    }

    [Fact]
    public void IssueStudyId_WhenEveryNumberIsIssued_RefusesAndIssuesNothing()
    {
        var numbers = new SiteStudyNumbers("T1", "A", int.MaxValue);
        Assert.Throws<WorkflowConflictException>(() => numbers.IssueStudyId());
        Assert.Equal(int.MaxValue, numbers.LastIssued);
    }

    [Fact]
    public void New_WithANegativeLastNumber_IsRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new SiteStudyNumbers("T1", "A", -1));
}
