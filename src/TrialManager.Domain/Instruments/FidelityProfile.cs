namespace TrialManager.Domain.Instruments;

/// <summary>
/// What a fidelity rating says once the arm is known: the mean adherence and competence of the items of each tag,
/// and differentiation (mean adherence to the session's own arm's prescribed items minus the other arm's). The rater
/// never sees this; it is computed afterwards from the tags, so the form itself names no arm.
/// </summary>
public sealed record FidelityProfile(
    IReadOnlyDictionary<FidelityTag, double?> Adherence,
    IReadOnlyDictionary<FidelityTag, double?> Competence)
{
    public static FidelityProfile Of(InstrumentDefinition form, IReadOnlyDictionary<string, int> answers)
    {
        double? Mean(FidelityTag tag, FidelityDimension dimension)
        {
            var values = form.Items.Where(i => i.Tag == tag && i.Dimension == dimension && answers.ContainsKey(i.Id))
                .Select(i => (double)answers[i.Id]).ToList();
            return values.Count == 0 ? null : values.Average();
        }

        var tags = Enum.GetValues<FidelityTag>();
        return new FidelityProfile(
            tags.ToDictionary(t => t, t => Mean(t, FidelityDimension.Adherence)),
            tags.ToDictionary(t => t, t => Mean(t, FidelityDimension.Competence)));
    }

    /// <summary>Own arm's prescribed adherence minus the other arm's; null for an arm without a checklist (a comparator) or no answers.</summary>
    public double? Differentiation(string arm)
    {
        var (own, other) = arm switch
        {
            "mediator" => (FidelityTag.PrescribedMediator, FidelityTag.PrescribedModerator),
            "moderator" => (FidelityTag.PrescribedModerator, FidelityTag.PrescribedMediator),
            _ => ((FidelityTag?)null, (FidelityTag?)null),
        };
        return own is { } o && other is { } x && Adherence[o] is { } a && Adherence[x] is { } b ? a - b : null;
    }
}
