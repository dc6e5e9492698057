using TrialManager.Domain.Trials;

namespace TrialManager.Domain.Tests.Trials;

public sealed class SafetyContactsTests
{
    [Theory]
    [InlineData("pi@example.org")]
    [InlineData("safety.officer+trial@hospital.example.ac.uk")]
    public void PlainAddresses_AreAccepted(string address) => Assert.True(SafetyContacts.IsAddress(address));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("pi")]
    [InlineData("pi@")]
    [InlineData("@example.org")]
    [InlineData("pi@localhost")]
    [InlineData("Principal Investigator <pi@example.org>")]
    [InlineData("pi@example.org, other@example.org")]
    [InlineData("pi @example.org")]
    [InlineData("pi@example.org\r\nBcc: x@example.org")]
    public void AnythingButOnePlainAddress_IsRefused(string? text) => Assert.False(SafetyContacts.IsAddress(text));
}
