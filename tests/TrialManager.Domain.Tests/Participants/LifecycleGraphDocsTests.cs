using TrialManager.Domain.Participants;
using TrialManager.Domain.Trials;

namespace TrialManager.Domain.Tests.Participants;

/// <summary>
/// docs/*-lifecycle.dot are generated from the state machines; these tests fail when a machine changes and the
/// doc does not. Regenerate with: UPDATE_DOCS=1 dotnet test tests/TrialManager.Domain.Tests --filter LifecycleGraphDocs
/// </summary>
public sealed class LifecycleGraphDocsTests
{
    [Fact]
    public void ParticipantLifecycleDoc_MatchesTheMachine() => AssertDoc("participant-lifecycle.dot", Participant.LifecycleGraph());

    [Fact]
    public void TrialLifecycleDoc_MatchesTheMachine() => AssertDoc("trial-lifecycle.dot", Trial.LifecycleGraph());

    [Fact]
    public void ParticipantGraph_ShowsEveryStatusAndTheFormulationOutcomes()
    {
        var graph = Participant.LifecycleGraph();

        foreach (var status in Enum.GetValues<ParticipantStatus>())
        {
            Assert.Contains($"\"{status}\" [label=\"{status}\"]", graph, StringComparison.Ordinal);
        }

        Assert.Contains("-> \"Formulated\" [style=\"solid\", label=\"DecideFormulation [", graph, StringComparison.Ordinal);
        Assert.Contains("-> \"FormulationPending\" [style=\"solid\", label=\"DecideFormulation [indeterminate]\"]", graph, StringComparison.Ordinal);
        Assert.Contains("-> \"Excluded\" [style=\"solid\", label=\"DecideFormulation [outside", graph, StringComparison.Ordinal);
    }

    private static void AssertDoc(string name, string generated)
    {
        generated = generated.ReplaceLineEndings("\n");
        var path = RepositoryPaths.Source(Path.Combine("docs", name));
        if (Environment.GetEnvironmentVariable("UPDATE_DOCS") == "1")
        {
            File.WriteAllText(path, generated);
            return;
        }

        var current = File.Exists(path) ? File.ReadAllText(path).ReplaceLineEndings("\n") : "(missing)";
        Assert.True(current == generated,
            $"docs/{name} is out of date with the state machine. Regenerate it with: " +
            "UPDATE_DOCS=1 dotnet test tests/TrialManager.Domain.Tests --filter LifecycleGraphDocs, then review and commit the diff.");
    }
}
