using TrialManager.Domain.Common;
using TrialManager.Domain.Instruments;
using TrialManager.Domain.Trials;

namespace TrialManager.Domain.Tests.Instruments;

public sealed class FidelityFormsTests
{
    private static readonly ResponseScale Rating = new("r", 0, 6, [new(0, "None"), new(6, "Much")]);

    private static InstrumentDefinition Form(string code, InstrumentRespondent respondent = InstrumentRespondent.Rater) => new(
        code, "1.0", "Form", respondent, "Ours.", [Rating],
        [new("1", "Shared", "r", Tag: FidelityTag.Shared, Dimension: FidelityDimension.Adherence)],
        new InstrumentScoring(ScoringMethod.None, false, 0, new MissingItemRule(MissingItemPolicy.Refuse)));

    [Fact]
    public void ARatersForm_AppliesOnlyToTheParticipantsPrimaryFormulation_EveryPairChecked()
    {
        foreach (var form in Enum.GetValues<Formulation>())
        {
            foreach (var primary in Enum.GetValues<Formulation>().Cast<Formulation?>().Append(null))
            {
                var definition = Form("fidelity-" + form.Wire());
                if (form == primary)
                {
                    FidelityForms.EnsureApplies(definition, primary);
                    continue;
                }

                var refused = Assert.Throws<DomainValidationException>(() => FidelityForms.EnsureApplies(definition, primary));
                Assert.Equal("instrument", refused.Field);
                if (primary is { } p)
                {
                    Assert.Contains(FidelityForms.CodeFor(p), refused.Message, StringComparison.Ordinal);
                }
            }
        }
    }

    [Fact]
    public void AnInstrumentNoRaterAnswers_IsNeverRefusedHere()
    {
        FidelityForms.EnsureApplies(Form("phq9", InstrumentRespondent.Participant), null);
        FidelityForms.EnsureApplies(Form("ruptureLog", InstrumentRespondent.Therapist), Formulation.Cognitive);
        Assert.Equal("fidelity-environmental", FidelityForms.CodeFor(Formulation.Environmental));
    }
}
