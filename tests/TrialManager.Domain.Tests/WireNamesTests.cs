using System.Text.Json;
using System.Text.Json.Serialization;
using TrialManager.Domain.Common;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Randomization;

namespace TrialManager.Domain.Tests;

public class WireNamesTests
{
    private static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) } };

    public static TheoryData<Type> DomainEnums =>
        [.. typeof(WireNames).Assembly.GetTypes().Where(t => t.IsEnum && t.IsPublic)];

    [Theory]
    [MemberData(nameof(DomainEnums))]
    public void Wire_OfEveryValue_IsWhatTheJsonConverterWrites(Type type)
    {
        var wire = typeof(WireNames).GetMethod(nameof(WireNames.Wire))!.MakeGenericMethod(type);
        foreach (var value in Enum.GetValues(type))
        {
            Assert.Equal(JsonSerializer.Serialize(value, type, Json), $"\"{wire.Invoke(null, [value])}\"");
        }
    }

    [Fact]
    public void Wire_OfAWordedValue_IsLowerCamelCase()
    {
        Assert.Equal("screenFailed", ParticipantStatus.ScreenFailed.Wire());
        Assert.Equal("lostToFollowUp", WithdrawalCategory.LostToFollowUp.Wire());
        Assert.Equal("permutedBlocks", RandomizationMethod.PermutedBlocks.Wire());
    }

    [Fact]
    public void Wire_OfAnUndefinedValue_IsRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ((ParticipantStatus)99).Wire());
}
