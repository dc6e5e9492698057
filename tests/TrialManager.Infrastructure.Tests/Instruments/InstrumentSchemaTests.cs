using System.Text.Json;
using System.Text.Json.Nodes;
using TrialManager.Domain.Instruments;

namespace TrialManager.Infrastructure.Tests.Instruments;

/// <summary>instrument.schema.json is what editors check the files with: it must name exactly the members the server reads.</summary>
public sealed class InstrumentSchemaTests
{
    private static readonly JsonNode Schema = JsonNode.Parse(File.ReadAllText(Path.Combine(ShippedInstruments.Directory, "instrument.schema.json")))!;

    public static TheoryData<string, Type> Objects() => new()
    {
        { "", typeof(InstrumentDefinition) },
        { "scales", typeof(ResponseScale) },
        { "scales.anchors", typeof(ScaleAnchor) },
        { "items", typeof(InstrumentItem) },
        { "items.appliesWhen", typeof(ItemCondition) },
        { "subscales", typeof(Subscale) },
        { "scoring", typeof(InstrumentScoring) },
        { "scoring.missing", typeof(MissingItemRule) },
        { "bands", typeof(ScoreBand) },
        { "alerts", typeof(AlertRule) },
    };

    [Theory]
    [MemberData(nameof(Objects))]
    public void SchemaObject_NamesExactlyTheMembersOfItsRecord_AndRequiresTheOnesWithoutADefault(string path, Type record)
    {
        var node = Schema;
        foreach (var part in path.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            node = node["properties"]![part]!;
            node = node["items"] ?? node;
        }

        var parameters = record.GetConstructors().Single(c => c.GetParameters().Length > 0 && c.GetParameters()[0].ParameterType != record).GetParameters();
        var members = parameters.Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name!)).Order(StringComparer.Ordinal);
        var required = parameters.Where(p => !p.HasDefaultValue).Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name!)).Order(StringComparer.Ordinal);

        Assert.Equal(members, node["properties"]!.AsObject().Select(p => p.Key).Where(k => k != "$schema").Order(StringComparer.Ordinal));
        Assert.Equal(required, node["required"]!.AsArray().Select(r => r!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.False(node["additionalProperties"]!.GetValue<bool>());
    }
}
