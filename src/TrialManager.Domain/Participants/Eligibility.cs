using TrialManager.Domain.Trials;

namespace TrialManager.Domain.Participants;

/// <summary>What the coordinator recorded at screening. No names, no birth dates.</summary>
public sealed record ScreeningAnswers(string Site, int AgeYears, int Severity, IReadOnlyList<string> Exclusions, int? Motivation, int? Expectancy);

public static class Eligibility
{
    /// <summary>Every criterion the answers fail, in a stable order; empty means eligible.</summary>
    public static IReadOnlyList<string> FailedCriteria(EligibilityCriteria criteria, ScreeningAnswers answers)
    {
        var reasons = new List<string>();
        if (answers.AgeYears < criteria.MinAge)
        {
            reasons.Add($"age {answers.AgeYears} is below the minimum age {criteria.MinAge}");
        }
        else if (answers.AgeYears > criteria.MaxAge)
        {
            reasons.Add($"age {answers.AgeYears} is above the maximum age {criteria.MaxAge}");
        }

        if (answers.Severity < criteria.MinSeverity)
        {
            reasons.Add($"severity {answers.Severity} is below the minimum severity {criteria.MinSeverity}");
        }
        else if (answers.Severity > criteria.MaxSeverity)
        {
            reasons.Add($"severity {answers.Severity} is above the maximum severity {criteria.MaxSeverity}");
        }

        foreach (var exclusion in criteria.Exclusions.Where(e => answers.Exclusions.Contains(e, StringComparer.Ordinal)))
        {
            reasons.Add($"exclusion criterion present: {exclusion}");
        }

        return reasons;
    }

    /// <summary>
    /// The criterion a reason of <see cref="FailedCriteria"/> names, without the participant's value (the age or score),
    /// so reasons can be counted in a report: "age below the minimum", "exclusion criterion: psychosis".
    /// </summary>
    public static string Criterion(string reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        const string exclusion = "exclusion criterion present: ";
        if (reason.StartsWith(exclusion, StringComparison.Ordinal))
        {
            return "exclusion criterion: " + reason[exclusion.Length..];
        }

        foreach (var variable in new[] { "age", "severity" })
        {
            if (reason.StartsWith(variable + " ", StringComparison.Ordinal))
            {
                return reason.Contains(" is below ", StringComparison.Ordinal) ? $"{variable} below the minimum"
                    : reason.Contains(" is above ", StringComparison.Ordinal) ? $"{variable} above the maximum"
                    : "other";
            }
        }

        return "other";
    }
}
