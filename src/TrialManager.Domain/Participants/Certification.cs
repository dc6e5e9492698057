using TrialManager.Domain.Common;
using TrialManager.Domain.Trials;

namespace TrialManager.Domain.Participants;

/// <summary>A case with the experts' agreed formulation: raters practise on it to be certified for a trial.</summary>
public sealed class ReferenceCase
{
    private ReferenceCase()
    {
        TrialId = Code = Material = string.Empty;
        Scores = null!;
    }

    private ReferenceCase(string trialId, string code, FormulationScores scores, Formulation primary, string material, DateTimeOffset createdAt)
    {
        TrialId = trialId;
        Code = code;
        Scores = scores;
        Primary = primary;
        Material = material;
        CreatedAt = createdAt;
    }

    public string TrialId { get; private set; }
    public string Code { get; private set; }

    /// <summary>The experts' scores: never shown to a rater.</summary>
    public FormulationScores Scores { get; private set; }

    /// <summary>The experts' primary formulation: never shown to a rater.</summary>
    public Formulation Primary { get; private set; }

    /// <summary>The case as a rater reads it.</summary>
    public string Material { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>A reference case whose stated primary formulation is the one its scores give under the trial's rule.</summary>
    public static ReferenceCase Create(string trialId, string code, FormulationScores scores, Formulation primary, string material, int minMargin, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(scores);
        if (scores.Primary(minMargin) != primary)
        {
            throw new DomainValidationException("primary",
                $"The scores give {scores.Primary(minMargin)?.Wire() ?? "no primary formulation"} under the trial's rule (minMargin {minMargin}), not {primary.Wire()}.");
        }

        return new ReferenceCase(trialId, code, scores, primary, material, now);
    }

    /// <summary>Whether a practice rating's primary formulation is the experts'.</summary>
    public bool Agrees(FormulationScores scores, int minMargin)
    {
        ArgumentNullException.ThrowIfNull(scores);
        return scores.Primary(minMargin) == Primary;
    }
}

/// <summary>One rater's practice rating of one reference case; the first is the one that counts (no retries).</summary>
public sealed class PracticeRating
{
    private PracticeRating()
    {
        TrialId = CaseCode = Rater = string.Empty;
        Scores = null!;
    }

    public PracticeRating(string trialId, string caseCode, string rater, FormulationScores scores, bool agreed, DateTimeOffset ratedAt)
    {
        TrialId = trialId;
        CaseCode = caseCode;
        Rater = rater;
        Scores = scores;
        Agreed = agreed;
        RatedAt = ratedAt;
    }

    public string TrialId { get; private set; }
    public string CaseCode { get; private set; }
    public string Rater { get; private set; }
    public FormulationScores Scores { get; private set; }
    public bool Agreed { get; private set; }
    public DateTimeOffset RatedAt { get; private set; }
}

/// <param name="Cases">Reference cases practised.</param>
/// <param name="Agreed">Of those, how many agreed with the experts' primary formulation.</param>
/// <param name="Agreement">Agreed / Cases; null before any practice.</param>
public sealed record RaterCertificationStatus(int Cases, int Agreed, double? Agreement, bool Certified);

public static class RaterCertification
{
    /// <summary>Certified when at least <c>MinCases</c> were practised and the share agreed reaches <c>MinAgreement</c>.</summary>
    public static RaterCertificationStatus Evaluate(IReadOnlyCollection<bool> practice, CertificationRule rule)
    {
        ArgumentNullException.ThrowIfNull(practice);
        ArgumentNullException.ThrowIfNull(rule);
        var agreed = practice.Count(a => a);
        double? agreement = practice.Count == 0 ? null : agreed / (double)practice.Count;
        return new RaterCertificationStatus(practice.Count, agreed, agreement, practice.Count >= rule.MinCases && agreement >= rule.MinAgreement);
    }
}
