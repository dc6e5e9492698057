using System.Text.Json.Nodes;
using TrialManager.Domain.Instruments;
using TrialManager.Infrastructure.Instruments;

namespace TrialManager.Infrastructure.Tests.Instruments;

public sealed class InstrumentCatalogueTests : IDisposable
{
    private static readonly string[] Shipped =
    [
        "alliance12", "fidelity-behavioral", "fidelity-cognitive", "fidelity-environmental", "fidelity-interpersonal", "gad7", "phq9",
        "ruptureLog", "techniqueDose",
    ];

    private readonly string folder = Directory.CreateTempSubdirectory("instruments-").FullName;

    [Fact]
    public void ShippedFolder_LoadsEveryInstrument_ValidAndOrderedByCode()
    {
        var catalogue = ShippedInstruments.Catalogue;

        Assert.Equal(Shipped, catalogue.All.Select(i => i.Definition.Code));
        Assert.All(catalogue.All, i => Assert.Empty(InstrumentValidator.Problems(i.Definition)));
        Assert.All(catalogue.All, i => Assert.Null(i.Wording));
    }

    [Fact]
    public void FidelityForms_TagEveryElement_AndNameNoArmInTheirLabels()
    {
        foreach (var form in ShippedInstruments.Catalogue.All.Where(i => i.Definition.Code.StartsWith("fidelity-", StringComparison.Ordinal)))
        {
            var items = form.Definition.Items;
            Assert.All(items, i => Assert.NotNull(i.Tag));
            Assert.All(Enum.GetValues<FidelityTag>(), t => Assert.Contains(items, i => i.Tag == t));
            Assert.All(items, i => Assert.DoesNotMatch(@"(?i)mediator|moderator|\barms?\b", i.Label));
            Assert.DoesNotMatch("(?i)mediator|moderator", form.Definition.Title);
        }
    }

    [Fact]
    public void ADefinitionThatBreaksARule_FailsTheLoad_NamingTheFileAndTheProblem()
    {
        var phq9 = JsonNode.Parse(File.ReadAllText(Path.Combine(ShippedInstruments.Directory, "phq9.json")))!;
        phq9["bands"]![1]!["min"] = 6;
        File.WriteAllText(Path.Combine(folder, "phq9.json"), phq9.ToJsonString());

        var error = Assert.Throws<InstrumentCatalogueException>(() => InstrumentCatalogue.Load(folder));

        Assert.Contains("phq9.json is not a valid instrument definition", error.Message, StringComparison.Ordinal);
        Assert.Contains("bands must be contiguous: 'mild' starts at 6", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"code\": \"x\"}", "x.json: ")]
    [InlineData("{ not json", "x.json: ")]
    [InlineData("{\"code\": \"x\", \"versoin\": \"1.0\"}", "versoin")]
    public void AMalformedOrIncompleteFile_FailsTheLoad_NamingTheFile(string json, string expected)
    {
        File.WriteAllText(Path.Combine(folder, "x.json"), json);

        Assert.Contains(expected, Assert.Throws<InstrumentCatalogueException>(() => InstrumentCatalogue.Load(folder)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFileNamedOtherThanItsCode_IsRefused_AndAnOlderVersionIsKeptBesideTheNewest()
    {
        var gad7 = JsonNode.Parse(File.ReadAllText(Path.Combine(ShippedInstruments.Directory, "gad7.json")))!;
        File.WriteAllText(Path.Combine(folder, "anxiety.json"), gad7.ToJsonString());
        Assert.Contains("must be named gad7.json or gad7@1.0.json", Assert.Throws<InstrumentCatalogueException>(() => InstrumentCatalogue.Load(folder)).Message, StringComparison.Ordinal);

        File.Delete(Path.Combine(folder, "anxiety.json"));
        File.WriteAllText(Path.Combine(folder, "gad7@1.0.json"), gad7.ToJsonString());
        gad7["version"] = "1.1";
        File.WriteAllText(Path.Combine(folder, "gad7.json"), gad7.ToJsonString());
        var catalogue = InstrumentCatalogue.Load(folder);

        Assert.Equal("1.1", catalogue.Find("gad7")!.Definition.Version);
        Assert.NotNull(catalogue.Find("gad7", "1.0"));
        Assert.Null(catalogue.Find("gad8"));
    }

    [Fact]
    public void LicensedWording_FromItsOwnFolder_ReplacesOurLabels_AndMustWordEveryItem()
    {
        var wording = Directory.CreateDirectory(Path.Combine(folder, "wording")).FullName;
        var items = new JsonObject();
        foreach (var id in Enumerable.Range(1, 7))
        {
            items[id.ToString(System.Globalization.CultureInfo.InvariantCulture)] = $"Licensed wording {id}";
        }

        var file = new JsonObject { ["instrument"] = "gad7", ["version"] = "1.0", ["source"] = "Licence 42", ["items"] = items };
        File.WriteAllText(Path.Combine(wording, "gad7.json"), file.ToJsonString());

        var gad7 = InstrumentCatalogue.Load(ShippedInstruments.Directory, wording).Find("gad7")!;
        Assert.Equal("Licensed wording 3", gad7.LabelOf(gad7.Definition.Items[2]));
        Assert.Equal("Licence 42", gad7.Wording!.Source);

        items.Remove("7");
        File.WriteAllText(Path.Combine(wording, "gad7.json"), file.ToJsonString());
        Assert.Contains("missing: 7", Assert.Throws<InstrumentCatalogueException>(() => InstrumentCatalogue.Load(ShippedInstruments.Directory, wording)).Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
