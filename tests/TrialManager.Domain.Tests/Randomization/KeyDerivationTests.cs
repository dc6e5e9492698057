using System.Security.Cryptography;
using System.Text;
using TrialManager.Domain.Randomization;

namespace TrialManager.Domain.Tests.Randomization;

/// <summary>Which trial a sequence belongs to enters its keys (version 2); version 1 trials keep their old sequences.</summary>
public class KeyDerivationTests
{
    public static TheoryData<string> Methods => ["blocks", "minimization", "simple"];

    private static RandomizationDesign DesignFor(string name) => name switch
    {
        "blocks" => TestSupport.Blocks([1, 1], [2, 4, 6], "formulation", "site"),
        "minimization" => TestSupport.Minimization([1, 1], 0.8),
        _ => TestSupport.Simple([2, 1]),
    };

    private static List<int> Arms(Randomizer randomizer) =>
        [.. TestSupport.AllocateAll(randomizer, TestSupport.Participants(120, "derivation")).Select(x => x.Allocation.Arm)];

    [Theory]
    [MemberData(nameof(Methods))]
    public void SameSeed_InTwoTrials_GivesDifferentSequences(string method)
    {
        var design = DesignFor(method);
        var seed = TestSupport.Seed(1);

        var first = Arms(new Randomizer(design, seed, KeyDerivation.Version2("trial-one")));
        var second = Arms(new Randomizer(design, seed, KeyDerivation.Version2("trial-two")));
        var firstAgain = Arms(new Randomizer(design, seed, KeyDerivation.Version2("trial-one")));

        Assert.NotEqual(first, second);
        Assert.Equal(first, firstAgain);
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void Version1_IsTheDerivationTrialsWereCreatedWith_BeforeTheTrialEnteredIt(string method)
    {
        var design = DesignFor(method);
        var seed = TestSupport.Seed(2);

        Assert.Equal(Arms(new Randomizer(design, seed)), Arms(new Randomizer(design, seed, KeyDerivation.Version1)));
        Assert.Equal(Arms(new Randomizer(design, seed, KeyDerivation.For(1, "any-trial"))), Arms(new Randomizer(design, seed, KeyDerivation.Version1)));
        Assert.NotEqual(Arms(new Randomizer(design, seed, KeyDerivation.Version1)), Arms(new Randomizer(design, seed, KeyDerivation.Version2("any-trial"))));
    }

    [Fact]
    public void Version2_KeysTheStreamWithTheTrialId_AsDescribed()
    {
        byte[] seed = Encoding.UTF8.GetBytes("0f1e2d3c4b5a69788796a5b4c3d2e1f0");
        byte[] expected = HMACSHA256.HashData(seed, Encoding.UTF8.GetBytes("trialmanager/v2/fbr-dep-01/permutedBlocks/cognitive/NYC"));

        Assert.Equal(expected, RandomStream.DeriveKey(seed, "permutedBlocks/cognitive/NYC", KeyDerivation.Version2("fbr-dep-01")));
        Assert.Contains("trialmanager/v2/\" + trialId", Randomizer.Describe(RandomizationMethod.Simple, KeyDerivation.Version2("x-1")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void UnknownVersion_IsRefused(int version) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => KeyDerivation.For(version, "trial-one"));

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    public void Version2_NeedsATrialIdThatCannotShiftTheMessage(string trialId) =>
        Assert.Throws<ArgumentException>(() => KeyDerivation.Version2(trialId));
}
