using TrialManager.Domain.Common;
using TrialManager.Domain.Trials;

namespace TrialManager.Domain.Instruments;

/// <summary>
/// Which fidelity form rates a session. Each formulation x arm cell has its own protocol and checklist, and a
/// formulation's form is built from both arms' checklists for it; a participant's sessions are delivered under the cell
/// of their primary formulation, so only that formulation's form describes what the therapist was to do. Any other
/// would rate the wrong checklist and its tags would give a false differentiation.
/// </summary>
public static class FidelityForms
{
    public static string CodeFor(Formulation formulation) => "fidelity-" + formulation.Wire();

    /// <summary>
    /// Refuses a form a rater answers that is not the form of <paramref name="primary"/> (a 400 keyed <c>instrument</c>
    /// naming the form that applies). Callers check this only once a session to rate exists (after randomization), so
    /// trying the forms never tells a rater a formulation decided before then.
    /// </summary>
    public static void EnsureApplies(InstrumentDefinition form, Formulation? primary)
    {
        if (form.Respondent != InstrumentRespondent.Rater)
        {
            return;
        }

        if (primary is not { } formulation)
        {
            throw new DomainValidationException("instrument", "is a fidelity form, and this participant has no primary formulation whose sessions it could rate");
        }

        if (form.Code != CodeFor(formulation))
        {
            throw new DomainValidationException("instrument",
                $"is not the fidelity form of this participant's formulation: their sessions are rated with {CodeFor(formulation)}; nothing was recorded");
        }
    }
}
