using TrialManager.Domain.Trials;

namespace TrialManager.Domain.Participants;

/// <summary>One rater's 0-4 scores on the four maintaining factors.</summary>
public sealed record FormulationScores(int Cognitive, int Interpersonal, int Behavioral, int Environmental)
{
    public const int Min = 0;
    public const int Max = 4;

    /// <summary>What each point of the 0-4 scale means, wherever a score is entered or printed (our own words).</summary>
    public static readonly IReadOnlyList<string> Anchors = ["absent", "minor", "moderate", "major", "central"];

    /// <summary>A score with its anchor, e.g. "3 (major)".</summary>
    public static string Anchored(int score) => score is >= Min and <= Max ? $"{score} ({Anchors[score]})" : score.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public int this[Formulation factor] => factor switch
    {
        Formulation.Cognitive => Cognitive,
        Formulation.Interpersonal => Interpersonal,
        Formulation.Behavioral => Behavioral,
        Formulation.Environmental => Environmental,
        _ => throw new ArgumentOutOfRangeException(nameof(factor)),
    };

    /// <summary>
    /// The primary formulation: the top factor when it leads the next by at least <paramref name="minMargin"/>;
    /// null (indeterminate) otherwise, which needs a consensus rating.
    /// </summary>
    public Formulation? Primary(int minMargin)
    {
        var ranked = Enum.GetValues<Formulation>().OrderByDescending(f => this[f]).ToArray();
        return this[ranked[0]] - this[ranked[1]] >= minMargin ? ranked[0] : null;
    }
}

public sealed class FormulationRating
{
    private FormulationRating()
    {
        Rater = string.Empty;
        Scores = null!;
    }

    internal FormulationRating(int number, string rater, FormulationScores scores, bool consensus, string? rationale, Formulation? primary, DateTimeOffset ratedAt, string? enteredBy = null)
    {
        Number = number;
        Rater = rater;
        Scores = scores;
        Consensus = consensus;
        Rationale = rationale;
        Primary = primary;
        RatedAt = ratedAt;
        EnteredBy = enteredBy;
    }

    /// <summary>1 for the first rating of this participant, 2 for the next, and so on.</summary>
    public int Number { get; private set; }
    public string Rater { get; private set; }
    public FormulationScores Scores { get; private set; }
    public bool Consensus { get; private set; }
    public string? Rationale { get; private set; }

    /// <summary>This rating's own primary formulation under the trial's rule (null when indeterminate).</summary>
    public Formulation? Primary { get; private set; }

    public DateTimeOffset RatedAt { get; private set; }

    /// <summary>A correction of the scores (kept with the old values by the caller); the rating's primary follows them.</summary>
    internal void Correct(FormulationScores scores, string? rationale, Formulation? primary)
    {
        Scores = scores;
        Rationale = rationale;
        Primary = primary;
    }

    /// <summary>Who entered a paper rating on the rater's behalf (a coordinator's key); null when the rater rated as itself.</summary>
    public string? EnteredBy { get; private set; }
}
