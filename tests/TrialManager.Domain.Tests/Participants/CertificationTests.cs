using CsCheck;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Trials;

namespace TrialManager.Domain.Tests.Participants;

public sealed class CertificationTests
{
    private static readonly CertificationRule Rule = new(0.8, 5);

    [Fact]
    public void FewerThanMinCases_IsNotCertified_EvenWithFullAgreement()
    {
        var status = RaterCertification.Evaluate([true, true, true, true], Rule);

        Assert.False(status.Certified);
        Assert.Equal(4, status.Cases);
        Assert.Equal(1.0, status.Agreement);
    }

    [Fact]
    public void AgreementAtTheThreshold_OverMinCases_Certifies()
    {
        Assert.True(RaterCertification.Evaluate([true, true, true, true, false], Rule).Certified);
        Assert.False(RaterCertification.Evaluate([true, true, true, false, false], Rule).Certified);
    }

    [Fact]
    public void NoPractice_HasNoAgreement()
    {
        var status = RaterCertification.Evaluate([], Rule);

        Assert.Null(status.Agreement);
        Assert.False(status.Certified);
    }

    [Fact]
    public void Property_CertifiedExactlyWhenEnoughCasesAndAgreement()
    {
        Gen.Bool.List[0, 20].Select(Gen.Double[0.01, 1.0], Gen.Int[1, 10]).Sample((agreed, min, cases) =>
        {
            var status = RaterCertification.Evaluate(agreed, new CertificationRule(min, cases));
            var share = agreed.Count == 0 ? 0 : agreed.Count(a => a) / (double)agreed.Count;
            Assert.Equal(agreed.Count >= cases && share >= min, status.Certified);
        });
    }

    [Fact]
    public void PracticeRating_AgreesWhenItsPrimaryIsTheExperts()
    {
        var reference = ReferenceCase.Create("t", "RC01", new FormulationScores(4, 1, 0, 0), Formulation.Cognitive, "case text", 1, Walk.Now);

        Assert.True(reference.Agrees(new FormulationScores(3, 2, 0, 0), 1));
        Assert.False(reference.Agrees(new FormulationScores(3, 3, 0, 0), 1)); // indeterminate
        Assert.False(reference.Agrees(new FormulationScores(0, 4, 0, 0), 1));
    }

    [Fact]
    public void ReferenceCase_WhosePrimaryContradictsItsScores_IsRefused()
    {
        Assert.Throws<Common.DomainValidationException>(() =>
            ReferenceCase.Create("t", "RC01", new FormulationScores(4, 1, 0, 0), Formulation.Interpersonal, "case", 1, Walk.Now));
    }
}
