using CsCheck;
using TrialManager.Domain.Common;
using TrialManager.Domain.Randomization;

namespace TrialManager.Domain.Tests.Randomization;

public class StratumSequenceTests
{
    [Fact]
    public void TakeNextSlot_TakesConsecutiveUniqueSlots_OverManyTakes_ResumedFromAnySavedCount()
    {
        Gen.Select(Gen.Int[0, 1_000_000], Gen.Int[1, 50].Array[1, 40]).Sample((start, runs) =>
        {
            var slots = new List<int>();
            int saved = start;
            foreach (int run in runs)
            {
                var sequence = new StratumSequence(saved);
                for (int i = 0; i < run; i++)
                {
                    slots.Add(sequence.TakeNextSlot());
                }

                saved = sequence.Taken;
            }

            Assert.Equal(Enumerable.Range(start + 1, slots.Count), slots);
            Assert.Equal(start + slots.Count, saved);
        }, iter: 200);
    }

    [Fact]
    public void TakeNextSlot_OfANewStratum_IsSlotOne() => Assert.Equal(1, new StratumSequence(0).TakeNextSlot());

    [Fact]
    public void TakeNextSlot_WhenEverySlotIsTaken_RefusesAndTakesNothing()
    {
        var sequence = new StratumSequence(int.MaxValue);
        Assert.Throws<WorkflowConflictException>(() => sequence.TakeNextSlot());
        Assert.Equal(int.MaxValue, sequence.Taken);
    }

    [Fact]
    public void New_WithANegativeCount_IsRefused() => Assert.Throws<ArgumentOutOfRangeException>(() => new StratumSequence(-1));
}
