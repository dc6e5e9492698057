using TrialManager.Domain.Trials;

namespace TrialManager.Domain.Therapy;

/// <summary>
/// How therapists relate to arms, which decides the analysis: nested (each therapist delivers one arm, so therapist
/// effects sit within arms), crossed (every therapist delivers every arm) or partially crossed.
/// </summary>
public enum TherapistDesign
{
    None,
    Nested,
    Crossed,
    PartiallyCrossed,
}

public static class TherapistDesigns
{
    /// <summary>The design of a set of therapists, from the arms each delivers (registered) or has treated (observed).</summary>
    public static TherapistDesign Classify(IReadOnlyCollection<IReadOnlyCollection<ArmCode>> armsPerTherapist, int trialArms)
    {
        var active = armsPerTherapist.Where(a => a.Count > 0).ToList();
        if (active.Count == 0)
        {
            return TherapistDesign.None;
        }

        if (active.All(a => a.Count == 1))
        {
            return TherapistDesign.Nested;
        }

        return active.All(a => a.Count == trialArms) ? TherapistDesign.Crossed : TherapistDesign.PartiallyCrossed;
    }
}
