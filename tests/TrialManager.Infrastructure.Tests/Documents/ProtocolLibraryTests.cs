using System.Diagnostics;
using System.Text;
using TrialManager.Infrastructure.Documents.Protocols;

namespace TrialManager.Infrastructure.Tests.Documents;

public sealed class ProtocolLibraryTests
{
    public static TheoryData<string, string> Cells()
    {
        var data = new TheoryData<string, string>();
        foreach (var formulation in new[] { "cognitive", "interpersonal", "behavioral", "environmental" })
        {
            data.Add(formulation, "mediator");
            data.Add(formulation, "moderator");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public void Load_EveryCell_HasItsFileWithTheHashOfItsBytes(string formulation, string arm)
    {
        var text = DocumentSamples.Library.Get(formulation, arm);
        var path = Path.Combine(DocumentSamples.ProtocolsDirectory, $"{formulation}-{arm}.md");

        Assert.Equal($"{formulation}-{arm}", text.Id);
        Assert.Equal("2.0", text.Version);
        Assert.Equal(Sha256sum(path), text.Sha256);
        Assert.Matches("^[0-9a-f]{64}$", text.Sha256);
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public void Load_EveryCell_HasTheAgreedSectionsAndAReasonableLength(string formulation, string arm)
    {
        var text = DocumentSamples.Library.Get(formulation, arm);
        var words = File.ReadAllText(Path.Combine(DocumentSamples.ProtocolsDirectory, text.FileName))
            .Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries).Length;

        Assert.InRange(words, 800, 1200);
        Assert.Contains(text.Sections, s => s.Heading.StartsWith("What the therapist does", StringComparison.Ordinal));
        Assert.Contains(text.Sections, s => s.Heading == "Techniques that carry the change");
        Assert.Contains(text.Sections, s => s.Heading == "When the alliance ruptures");
        foreach (var heading in ProtocolText.RequiredHeadings)
        {
            Assert.Contains(text.Sections, s => s.Heading == heading);
        }

        Assert.True(text.FidelityChecklist.Count >= 8);
        Assert.Contains(text.FidelityChecklist, i => i.Tag == ChecklistTag.Shared && i.Text.StartsWith("Alliance", StringComparison.Ordinal));
        Assert.Contains(text.FidelityChecklist, i => i.Tag == ChecklistTag.Prescribed && i.Text.StartsWith("Ruptures", StringComparison.Ordinal));
        Assert.Equal(formulation == "environmental" && arm == "mediator", text.Exploratory);
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public void Load_EveryChecklist_ProscribesExactlyTheOtherArmsSignatureMoves(string formulation, string arm)
    {
        var text = DocumentSamples.Library.Get(formulation, arm);
        var other = DocumentSamples.Library.Get(formulation, arm == "mediator" ? "moderator" : "mediator");

        // Differentiation: what one arm prescribes the other proscribes, and both share the same common items.
        Assert.Equal(Items(other, ChecklistTag.Prescribed), Items(text, ChecklistTag.Proscribed));
        Assert.Equal(Items(other, ChecklistTag.Shared), Items(text, ChecklistTag.Shared));
        Assert.Empty(Items(text, ChecklistTag.Prescribed).Intersect(Items(text, ChecklistTag.Shared)));

        static IEnumerable<string> Items(ProtocolText t, ChecklistTag tag) => t.FidelityChecklist.Where(i => i.Tag == tag).Select(i => i.Text);
    }

    [Fact]
    public void Load_TheComparatorText_ServesEveryFormulation()
    {
        Assert.True(DocumentSamples.Library.HasComparator);
        var texts = ProtocolLibrary.Formulations.Select(f => DocumentSamples.Library.Get(f, ProtocolLibrary.ComparatorArm)).Distinct().ToList();

        var comparator = Assert.Single(texts);
        Assert.Equal("comparator", comparator.Id);
        Assert.Equal(ProtocolLibrary.AnyFormulation, comparator.Formulation);
        Assert.Contains(comparator.FidelityChecklist, i => i.Tag == ChecklistTag.Proscribed);
    }

    [Fact]
    public void Load_AllNineTexts_AreDistinct()
    {
        Assert.Equal(9, DocumentSamples.Library.All.Count);
        Assert.Equal(9, DocumentSamples.Library.All.Select(t => t.Sha256).Distinct().Count());
    }

    [Fact]
    public void Parse_ReadsFrontMatterParagraphsAndBullets()
    {
        var text = ProtocolLibrary.Parse("cognitive-mediator.md", Encoding.UTF8.GetBytes(
            "---\nid: cognitive-mediator\nversion: 2.1\ntitle: T\nformulation: cognitive\narm: mediator\n---\n\n"
            + "## Intro\nFirst line\ncontinues here.\n\n- one\n- two\n  wrapped\n\n" + RequiredSections + "## Fidelity checklist\n- [prescribed] A\n- [proscribed] B\n"));

        Assert.Equal("2.1", text.Version);
        var intro = text.Sections[0];
        Assert.Equal(new ProtocolParagraph("First line continues here."), intro.Blocks[0]);
        Assert.Equal(["one", "two wrapped"], ((ProtocolBulletList)intro.Blocks[1]).Items);
        Assert.Equal([new FidelityItem(ChecklistTag.Prescribed, "A"), new FidelityItem(ChecklistTag.Proscribed, "B")], text.FidelityChecklist);
        Assert.False(text.Exploratory);
    }

    private const string RequiredSections = "## Sessions and supervision\nx\n## Safety and risk management\nx\n## When the formulation proves wrong\nx\n";
    private const string Front = "---\nid: cognitive-mediator\nversion: 1.0\ntitle: T\nformulation: cognitive\narm: mediator\n";
    private const string Checklist = "## Fidelity checklist\n- [prescribed] a\n- [proscribed] b\n";

    [Theory]
    [InlineData("## A\ntext\n", "starts with front matter")]
    [InlineData("---\nid: x-mediator\nversion: 1.0\ntitle: T\nformulation: cognitive\narm: mediator\n---\n" + RequiredSections + Checklist, "must match the file name")]
    [InlineData("---\nid: cognitive-mediator\ntitle: T\nformulation: cognitive\narm: mediator\n---\n" + RequiredSections + Checklist, "needs 'version'")]
    [InlineData("---\nid: cognitive-mediator\nversion: 1.0\ntitle: T\nformulation: psychodynamic\narm: mediator\n---\n" + RequiredSections + Checklist, "formulation 'psychodynamic'")]
    [InlineData("---\nid: cognitive-mediator\nversion: 1.0\ntitle: T\nformulation: cognitive\narm: comparator\n---\n" + RequiredSections + Checklist, "formulation is 'any'")]
    [InlineData(Front + "exploratory: maybe\n---\n" + RequiredSections + Checklist, "exploratory is 'true' or 'false'")]
    [InlineData(Front + "---\n## Other\ntext\n" + RequiredSections, "Fidelity checklist")]
    [InlineData(Front + "---\n## Sessions and supervision\nx\n" + Checklist, "Safety and risk management")]
    [InlineData(Front + "---\n" + RequiredSections + "## Fidelity checklist\n- [prescribed] a\n- b\n- [proscribed] c\n", "checklist item 'b'")]
    [InlineData(Front + "---\n" + RequiredSections + "## Fidelity checklist\n- [prescribed] a\n- [shared] b\n", "one [prescribed] and one [proscribed]")]
    public void Parse_InvalidFile_ThrowsNamingFileAndProblem(string content, string problem)
    {
        var error = Assert.Throws<ProtocolLibraryException>(() => ProtocolLibrary.Parse("cognitive-mediator.md", Encoding.UTF8.GetBytes(content)));

        Assert.Contains("cognitive-mediator.md", error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_FolderMissingACell_Throws()
    {
        var folder = Directory.CreateTempSubdirectory("protocols-").FullName;
        try
        {
            foreach (var file in Directory.GetFiles(DocumentSamples.ProtocolsDirectory, "*.md").Where(f => !f.EndsWith("behavioral-moderator.md", StringComparison.Ordinal)))
            {
                File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
            }

            var error = Assert.Throws<ProtocolLibraryException>(() => ProtocolLibrary.Load(folder));
            Assert.Contains("behavioral x moderator", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Load_ALaterVersion_IsKeptBesideTheBase_AndServedOnlyWhenATrialNamesIt()
    {
        var folder = CopyOfTheTexts();
        try
        {
            var baseText = File.ReadAllText(Path.Combine(folder, "cognitive-mediator.md"));
            var baseVersion = ProtocolLibrary.Load(folder).Get("cognitive", "mediator").Version;
            File.WriteAllText(Path.Combine(folder, "cognitive-mediator@9.1.md"),
                baseText.Replace($"version: {baseVersion}", "version: 9.1", StringComparison.Ordinal) + "\nA sentence the amendment added.\n");

            var library = ProtocolLibrary.Load(folder);

            Assert.Equal(baseVersion, library.Get("cognitive", "mediator").Version);
            Assert.Equal(baseVersion, library.Get("cognitive", "mediator", new Dictionary<string, string>()).Version);
            var amended = library.Get("cognitive", "mediator", new Dictionary<string, string> { ["cognitive-mediator"] = "9.1" });
            Assert.Equal(("cognitive-mediator", "9.1", "cognitive-mediator@9.1.md"), (amended.Id, amended.Version, amended.FileName));
            Assert.NotEqual(library.Get("cognitive", "mediator").Sha256, amended.Sha256);
            Assert.True(library.Exists("cognitive-mediator", "9.1"));
            Assert.False(library.Exists("cognitive-mediator", "9.2"));
            Assert.Equal(baseVersion, library.Base("cognitive-mediator"));
            Assert.Null(library.Base("no-such-text"));

            // The version in the file name and the front matter must agree.
            File.Move(Path.Combine(folder, "cognitive-mediator@9.1.md"), Path.Combine(folder, "cognitive-mediator@9.2.md"));
            Assert.Contains("cognitive-mediator@9.2.md", Assert.Throws<ProtocolLibraryException>(() => ProtocolLibrary.Load(folder)).Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string CopyOfTheTexts()
    {
        var folder = Directory.CreateTempSubdirectory("protocols-").FullName;
        foreach (var file in Directory.GetFiles(DocumentSamples.ProtocolsDirectory, "*.md"))
        {
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        }

        return folder;
    }

    [Fact]
    public void Load_MissingFolder_Throws() =>
        Assert.Throws<ProtocolLibraryException>(() => ProtocolLibrary.Load(Path.Combine(Path.GetTempPath(), "no-such-protocols-folder")));

    /// <summary>The hash as coreutils computes it, independently of .NET.</summary>
    private static string Sha256sum(string path)
    {
        using var process = Process.Start(new ProcessStartInfo("sha256sum", [path]) { RedirectStandardOutput = true })!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        return output.Split(' ')[0];
    }
}
