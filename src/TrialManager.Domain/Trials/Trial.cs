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

    private Trial()
    {
        Id = string.Empty;
        Seed = string.Empty;
        Definition = null!;
    }

    public Trial(TrialDefinition definition, string seed, DateTimeOffset createdAt)
    {
        Id = definition.Id;
        Definition = definition;
        Seed = seed;
        SeedDerivation = KeyDerivation.Current;
        Status = TrialStatus.Draft;
        CreatedAt = createdAt;
    }

    public string Id { get; private set; }
    public TrialDefinition Definition { get; private set; }

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
