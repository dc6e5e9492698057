using Stateless;
using TrialManager.Domain.Common;
using TrialManager.Domain.Randomization;

namespace TrialManager.Domain.Trials;

/// <summary>
/// A trial and its lifecycle: draft -> recruiting &lt;-> paused -> closed. The state machine is the one place that
/// says which move is legal; screening and randomization ask <see cref="EnsureRecruiting"/>.
/// </summary>
public sealed class Trial
{
    private enum Trigger { Open, Pause, Resume, Close }

    private TrialDefinition? _definition;

    private Trial()
    {
        Id = string.Empty;
        Seed = string.Empty;
        BaseDefinition = null!;
    }

    public Trial(TrialDefinition definition, string seed, DateTimeOffset createdAt)
    {
        Id = definition.Id;
        BaseDefinition = definition;
        Seed = seed;
        SeedDerivation = KeyDerivation.Current;
        Status = TrialStatus.Draft;
        CreatedAt = createdAt;
    }

    public string Id { get; private set; }

    /// <summary>The definition as the trial was created (version 1.0): never changed, so it stays auditable.</summary>
    public TrialDefinition BaseDefinition { get; private set; }

    /// <summary>The amendments in the order they were recorded, each with a greater version.</summary>
    public IReadOnlyList<TrialAmendment> Amendments { get; private set; } = [];

    /// <summary>The definition in force: the base with every amendment applied (the design itself never changes).</summary>
    public TrialDefinition Definition => _definition ??= DefinitionVersions.Apply(BaseDefinition, Amendments);

    /// <summary>The version of the definition in force, named by every report and export.</summary>
    public string DefinitionVersion => DefinitionVersions.Current(Amendments);

    /// <summary>The consent version participants must have signed; null until an amendment introduces one.</summary>
    public string? ConsentVersion => DefinitionVersions.ConsentVersion(Amendments);

    /// <summary>Protocol text id to the version an amendment put in force; texts not named use their base version.</summary>
    public IReadOnlyDictionary<string, string> ProtocolVersions => DefinitionVersions.ProtocolVersions(Amendments);

    /// <summary>The randomization seed. Shown to statisticians only.</summary>
    public string Seed { get; private set; }

    /// <summary>The version of <see cref="KeyDerivation"/> the trial's sequences are keyed by; fixed at creation.</summary>
    public int SeedDerivation { get; private set; }

    public TrialStatus Status { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }

    public KeyDerivation Derivation() => KeyDerivation.For(SeedDerivation, Id);

    /// <summary>Moves the trial to <paramref name="target"/>; returns false when it is already there.</summary>
    public bool ChangeStatus(TrialStatus target)
    {
        if (target == Status)
        {
            return false;
        }

        var machine = CreateMachine();
        var trigger = (Status, target) switch
        {
            (TrialStatus.Draft, TrialStatus.Recruiting) => Trigger.Open,
            (TrialStatus.Paused, TrialStatus.Recruiting) => Trigger.Resume,
            (_, TrialStatus.Paused) => Trigger.Pause,
            (_, TrialStatus.Closed) => Trigger.Close,
            _ => (Trigger?)null,
        };
        if (trigger is not { } t || !machine.CanFire(t))
        {
            throw new WorkflowConflictException(
                $"The trial is {Status.Wire()}; it cannot move to {target.Wire()}.");
        }

        machine.Fire(t);
        return true;
    }

    /// <summary>
    /// Records an amendment after <see cref="DefinitionVersions.Check"/>; <paramref name="fixedMembersNamed"/> are the
    /// design members the request named, which make it a conflict; <paramref name="randomized"/> the participants
    /// allocated so far, below which the target cannot go.
    /// </summary>
    public void Amend(TrialAmendment amendment, IReadOnlyCollection<string> fixedMembersNamed, IProtocolTextVersions protocols, int randomized)
    {
        DefinitionVersions.Check(Status, Definition, Amendments, amendment, fixedMembersNamed, protocols, randomized);
        Amendments = [.. Amendments, amendment];
        _definition = null;
    }

    public void EnsureRecruiting(string action)
    {
        if (Status != TrialStatus.Recruiting)
        {
            throw new WorkflowConflictException($"The trial is {Status.Wire()}; {action} is only possible while it is recruiting.");
        }
    }

    /// <summary>The lifecycle graph in DOT, for docs/trial-lifecycle.dot.</summary>
    public static string LifecycleGraph() =>
        Stateless.Graph.UmlDotGraph.Format(new Trial().CreateMachine().GetInfo());

    private StateMachine<TrialStatus, Trigger> CreateMachine()
    {
        var machine = new StateMachine<TrialStatus, Trigger>(() => Status, s => Status = s);
        machine.Configure(TrialStatus.Draft).Permit(Trigger.Open, TrialStatus.Recruiting);
        machine.Configure(TrialStatus.Recruiting)
            .Permit(Trigger.Pause, TrialStatus.Paused)
            .Permit(Trigger.Close, TrialStatus.Closed);
        machine.Configure(TrialStatus.Paused)
            .Permit(Trigger.Resume, TrialStatus.Recruiting)
            .Permit(Trigger.Close, TrialStatus.Closed);
        return machine;
    }
}
