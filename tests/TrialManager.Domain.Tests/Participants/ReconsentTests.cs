using TrialManager.Domain.Common;
using TrialManager.Domain.Participants;

namespace TrialManager.Domain.Tests.Participants;

public sealed class ReconsentTests
{
    [Theory]
    [InlineData(ParticipantStatus.Consented)]
    [InlineData(ParticipantStatus.Formulated)]
    [InlineData(ParticipantStatus.Randomized)]
    [InlineData(ParticipantStatus.FollowUp)]
    public void Reconsent_UnderTheCurrentNewerVersion_KeepsTheStatusAndTheFirstConsentDate(ParticipantStatus status)
    {
        var (p, _) = Walk.To(status);
        var first = p.ConsentedOn;

        p.Reconsent("2.0", new DateOnly(2026, 12, 6), "2.0");

        Assert.Equal(status, p.Status);
        Assert.Equal("2.0", p.ConsentVersion);
        Assert.Equal(first, p.ConsentedOn);
        Assert.Equal(new DateOnly(2026, 12, 6), p.ReconsentedOn);
    }

    [Theory]
    [InlineData("2.0", null)]
    [InlineData("1.0", "2.0")]
    [InlineData("1.5", "2.0")]
    [InlineData("1.0", "1.0")]
    public void Reconsent_OtherThanToTheCurrentNewerVersion_IsAConflict(string version, string? current)
    {
        var (p, _) = Walk.To(ParticipantStatus.Randomized);

        Assert.Throws<WorkflowConflictException>(() => p.Reconsent(version, new DateOnly(2026, 12, 6), current));
        Assert.Equal("1.0", p.ConsentVersion);
    }

    [Theory]
    [InlineData(ParticipantStatus.Withdrawn)]
    [InlineData(ParticipantStatus.Eligible)]
    [InlineData(ParticipantStatus.Completed)]
    public void Reconsent_OutsideTheTrial_IsAConflict(ParticipantStatus status)
    {
        var (p, _) = Walk.To(status);

        Assert.Throws<WorkflowConflictException>(() => p.Reconsent("2.0", new DateOnly(2026, 12, 6), "2.0"));
    }

    [Fact]
    public void Reconsent_BeforeTheFirstConsent_IsRefused()
    {
        var (p, _) = Walk.To(ParticipantStatus.Randomized);

        Assert.Equal("consentedOn", Assert.Throws<DomainValidationException>(() => p.Reconsent("2.0", new DateOnly(2026, 11, 1), "2.0")).Field);
    }
}
