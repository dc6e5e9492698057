using TrialManager.Server.Hosting;

namespace TrialManager.Integration.Tests.Hosting;

/// <summary>--seed-demo's sizes: the default, large, a number; anything else is refused, never guessed.</summary>
public sealed class DemoSeederArgumentTests
{
    [Theory]
    [InlineData("--seed-demo", 48)]
    [InlineData("--seed-demo=large", 10_000)]
    [InlineData("--seed-demo=800", 800)]
    [InlineData("--seed-demo=1", 1)]
    [InlineData("--seed-demo=large:300", 300)]
    public void ParticipantsFrom_ReadsTheSize(string argument, int participants) =>
        Assert.Equal(participants, DemoSeeder.ParticipantsFrom(argument));

    [Theory]
    [InlineData("--seed-demo", false)]
    [InlineData("--seed-demo=800", false)]
    [InlineData("--seed-demo=large", true)]
    [InlineData("--seed-demo=large:300", true)]
    public void IsBulk_OnlyForLarge(string argument, bool bulk) => Assert.Equal(bulk, DemoSeeder.IsBulk(argument));

    [Theory]
    [InlineData("--seed-demo=")]
    [InlineData("--seed-demo=0")]
    [InlineData("--seed-demo=-5")]
    [InlineData("--seed-demo=100001")]
    [InlineData("--seed-demo=Large")]
    [InlineData("--seed-demo=12x")]
    [InlineData("--seed-demo= 12")]
    [InlineData("--seed-demo=large:")]
    [InlineData("--seed-demo=large:0")]
    [InlineData("--seed-demo=largest")]
    public void ParticipantsFrom_RefusesAnythingElse(string argument) =>
        Assert.Null(DemoSeeder.ParticipantsFrom(argument));
}
