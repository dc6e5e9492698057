using TrialManager.Domain.Participants;
using TrialManager.Domain.Trials;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Raters;

/// <summary>
/// A case as a blind rater sees it: the study id, the screening answers and the baseline measures, and this rater's own
/// ratings. Never the status, another rater's scores, the decided formulation, the arm or anything of the allocation.
/// </summary>
/// <param name="Task"><c>rating</c> (an independent rating is wanted from this rater) or <c>consensus</c> (this rater's
/// rating and another's disagree: a consensus rating settles it); null in a rating's answer.</param>
public sealed record RaterCaseView(
    string ParticipantId,
    string TrialId,
    string Site,
    int AgeYears,
    int Severity,
    IReadOnlyList<string> Exclusions,
    int? Motivation,
    int? Expectancy,
    string? Task,
    IReadOnlyList<OwnRatingView> YourRatings)
{
    public static RaterCaseView From(Participant p, string rater, string? task) => new(
        p.Id, p.TrialId, p.Site, p.AgeYears, p.Severity, p.Exclusions, p.Motivation, p.Expectancy, task,
        [.. p.Ratings.Where(r => r.Rater == rater).Select(r => new OwnRatingView(r.Scores, r.Consensus, r.Primary, r.RatedAt))]);
}

/// <param name="Primary">This rating's own primary formulation under the trial's rule (from these scores alone).</param>
public sealed record OwnRatingView(FormulationScores Scores, bool Consensus, Formulation? Primary, DateTimeOffset RatedAt);
