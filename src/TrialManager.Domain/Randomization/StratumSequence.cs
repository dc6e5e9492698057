using TrialManager.Domain.Common;

namespace TrialManager.Domain.Randomization;

/// <summary>
/// The allocation slots of one stratum (one randomizer state key): taken one at a time, in order, each once. The
/// caller takes and saves a slot under the write gate, so two participants of a stratum take consecutive slots.
/// </summary>
public sealed class StratumSequence
{
    public StratumSequence(int taken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(taken);
        Taken = taken;
    }

    /// <summary>How many slots have been taken; the last slot taken, 0 before the first.</summary>
    public int Taken { get; private set; }

    /// <summary>Takes the next slot and returns its number (from 1); refuses rather than wrap once the slots run out.</summary>
    public int TakeNextSlot()
    {
        if (Taken == int.MaxValue)
        {
            throw new WorkflowConflictException("This stratum has used every allocation slot it has.");
        }

        return ++Taken;
    }
}
