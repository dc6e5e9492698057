namespace TrialManager.Domain.Randomization;

/// <summary>One row of a generated permuted-block list.</summary>
public readonly record struct BlockListRow(int StratumIndex, int Sequence, int BlockNumber, int BlockSize, int Arm);

/// <summary>
/// Fast path for a whole allocation list in memory (e.g. a statistician's printed list): the same streams and
/// block rule as <see cref="Randomizer.Allocate"/>, without JSON or per-row objects, so the rows are exactly
/// the allocations the server would make, stratum by stratum.
/// </summary>
public static class PermutedBlockList
{
    private const int BufferBlocks = 1024;

    /// <param name="strata">Stratum labels (state keys), e.g. "cognitive/NYC"; rows refer to them by index.</param>
    /// <param name="perStratum">Rows generated for each stratum.</param>
    /// <param name="derivation">The trial's key derivation; version 1 when not given.</param>
    /// <returns>Rows grouped by stratum in the order given, each stratum in sequence order.</returns>
    public static BlockListRow[] Generate(RandomizationDesign design, ReadOnlyMemory<byte> seed, IReadOnlyList<string> strata, int perStratum, KeyDerivation? derivation = null)
    {
        ArgumentNullException.ThrowIfNull(design);
        ArgumentNullException.ThrowIfNull(strata);
        ArgumentOutOfRangeException.ThrowIfNegative(perStratum);
        if (design.Method != RandomizationMethod.PermutedBlocks)
        {
            throw new ArgumentException("method: a block list needs permutedBlocks.", nameof(design));
        }

        var randomizer = new Randomizer(design, seed, derivation ?? KeyDerivation.Version1);
        var plan = randomizer.Plan;
        var rows = new BlockListRow[checked(strata.Count * perStratum)];
        int index = 0;
        for (int s = 0; s < strata.Count; s++)
        {
            var state = EngineState.Create(RandomizationMethod.PermutedBlocks);
            using var stream = randomizer.OpenStream(strata[s], 0, BufferBlocks);
            for (int n = 0; n < perStratum; n++)
            {
                int arm = plan.NextBlockArm(state, stream);
                rows[index++] = new BlockListRow(s, state.Allocated, state.BlockNumber, state.Block!.Length, arm);
            }
        }

        return rows;
    }
}
