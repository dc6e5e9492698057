using System.Globalization;
using TrialManager.Domain.Common;

namespace TrialManager.Domain.Participants;

/// <summary>
/// The study numbers of one site of one trial. Each number issued is the one after the last, so a site's numbers
/// are gap-free and never repeat; the caller issues and saves under the write gate, so no two requests read the
/// same last number. A study id reads {trial}-{site}-{nnnn}.
/// </summary>
public sealed class SiteStudyNumbers
{
    public SiteStudyNumbers(string trialId, string site, int lastIssued)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(lastIssued);
        TrialId = trialId;
        Site = site;
        LastIssued = lastIssued;
    }

    public string TrialId { get; }
    public string Site { get; }

    /// <summary>The last number issued; 0 before the first.</summary>
    public int LastIssued { get; private set; }

    /// <summary>Issues the next number and returns the study id it makes; refuses rather than wrap once the numbers run out.</summary>
    public string IssueStudyId()
    {
        if (LastIssued == int.MaxValue)
        {
            throw new WorkflowConflictException($"Site {Site} of trial {TrialId} has issued every study number it has.");
        }

        LastIssued++;
        return string.Create(CultureInfo.InvariantCulture, $"{TrialId}-{Site}-{LastIssued:D4}");
    }
}
