namespace TrialManager.Domain.Randomization;

/// <summary>A validated design in array form, plus the allocation rules that advance an <see cref="EngineState"/>.</summary>
internal sealed class CompiledDesign
{
    public CompiledDesign(RandomizationDesign design)
    {
        ArgumentNullException.ThrowIfNull(design);
        design.Validate();
        Design = design;
        Method = design.Method;
        Ratios = [.. design.Ratios];
        Arms = Ratios.Length;
        RatioSum = Ratios.Sum();
        long lcm = 1;
        foreach (int r in Ratios)
        {
            lcm = lcm / Gcd(lcm, r) * r;
            if (lcm > 1_000_000)
            {
                throw new ArgumentException("ratios: their least common multiple must not exceed 1,000,000.", nameof(design));
            }
        }

        Lcm = lcm;
        Weights = [.. Ratios.Select(r => lcm / r)];
        BlockSizes = [.. design.BlockSizes];
        LabelFactors = design.Method == RandomizationMethod.Minimization ? [.. design.Factors] : [.. design.StratifyBy];
        Factors = [.. design.Factors];
        Probability = design.Probability;
        Imbalance = design.Imbalance;
    }

    public RandomizationDesign Design { get; }

    public RandomizationMethod Method { get; }

    public int[] Ratios { get; }

    public int Arms { get; }

    public int RatioSum { get; }

    /// <summary>Least common multiple of the ratios; count_i * Weights[i] = L * count_i / ratio_i exactly.</summary>
    public long Lcm { get; }

    public long[] Weights { get; }

    public int[] BlockSizes { get; }

    /// <summary>Factors whose levels form the stratum label (StratifyBy, or Factors for minimization).</summary>
    public string[] LabelFactors { get; }

    public string[] Factors { get; }

    public double Probability { get; }

    public ImbalanceMeasure Imbalance { get; }

    public string StratumLabel(IReadOnlyDictionary<string, string> levels)
    {
        ArgumentNullException.ThrowIfNull(levels);
        if (LabelFactors.Length == 0)
        {
            return "all";
        }

        var parts = new string[LabelFactors.Length];
        for (int i = 0; i < LabelFactors.Length; i++)
        {
            parts[i] = Level(levels, LabelFactors[i]);
        }

        return string.Join('/', parts);
    }

    public static string Level(IReadOnlyDictionary<string, string> levels, string factor)
    {
        if (!levels.TryGetValue(factor, out var level) || string.IsNullOrEmpty(level))
        {
            throw new ArgumentException($"levels: no level given for factor '{factor}'.", nameof(levels));
        }

        if (level.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException($"levels: the level of '{factor}' must not contain '/'.", nameof(levels));
        }

        return level;
    }

    /// <summary>permutedBlocks: the next arm of the stratum, starting a new block when the current one is used up.</summary>
    public int NextBlockArm(EngineState state, RandomStream stream)
    {
        if (state.Block is null || state.Next >= state.Block.Length)
        {
            int size = BlockSizes[stream.NextInt(BlockSizes.Length)];
            var block = state.Block is { } old && old.Length == size ? old : new int[size];
            int multiple = size / RatioSum;
            int index = 0;
            for (int arm = 0; arm < Arms; arm++)
            {
                int copies = Ratios[arm] * multiple;
                for (int c = 0; c < copies; c++)
                {
                    block[index++] = arm;
                }
            }

            for (int i = size - 1; i > 0; i--)
            {
                int j = stream.NextInt(i + 1);
                (block[i], block[j]) = (block[j], block[i]);
            }

            state.Block = block;
            state.BlockNumber++;
            state.Next = 0;
        }

        int chosen = state.Block[state.Next];
        state.Next++;
        state.Allocated++;
        return chosen;
    }

    /// <summary>simple: an independent draw weighted by the ratios.</summary>
    public int NextSimpleArm(EngineState state, RandomStream stream)
    {
        int arm = stream.NextWeighted(Ratios);
        state.Allocated++;
        return arm;
    }

    /// <summary>
    /// minimization (Pocock-Simon). <paramref name="levels"/> holds the participant's level per factor, in
    /// <see cref="Factors"/> order. <paramref name="scores"/> receives the exact integer score per arm
    /// (see <see cref="ScoreToDouble"/>).
    /// </summary>
    public int NextMinimizationArm(
        EngineState state, RandomStream stream, ReadOnlySpan<string> levels, Span<Int128> scores, out int preferred, out bool tookPreferred)
    {
        state.Counts ??= new Dictionary<string, Dictionary<string, int[]>>(StringComparer.Ordinal);
        Span<long> weighted = stackalloc long[Arms];
        scores.Clear();
        for (int f = 0; f < Factors.Length; f++)
        {
            int[]? counts = null;
            if (state.Counts.TryGetValue(Factors[f], out var byLevel))
            {
                byLevel.TryGetValue(levels[f], out counts);
            }

            for (int i = 0; i < Arms; i++)
            {
                weighted[i] = (counts is null ? 0 : counts[i]) * Weights[i];
            }

            for (int candidate = 0; candidate < Arms; candidate++)
            {
                weighted[candidate] += Weights[candidate];
                scores[candidate] += Score(weighted);
                weighted[candidate] -= Weights[candidate];
            }
        }

        Int128 best = scores[0];
        int tied = 1;
        for (int a = 1; a < Arms; a++)
        {
            if (scores[a] < best)
            {
                best = scores[a];
                tied = 1;
            }
            else if (scores[a] == best)
            {
                tied++;
            }
        }

        int pick = tied > 1 ? stream.NextInt(tied) : 0;
        preferred = -1;
        for (int a = 0; a < Arms; a++)
        {
            if (scores[a] == best && pick-- == 0)
            {
                preferred = a;
                break;
            }
        }

        tookPreferred = Probability >= 1.0 || stream.NextDouble() < Probability;
        int arm = preferred;
        if (!tookPreferred)
        {
            Span<int> others = stackalloc int[Arms];
            Ratios.CopyTo(others);
            others[preferred] = 0;
            arm = stream.NextWeighted(others);
        }

        for (int f = 0; f < Factors.Length; f++)
        {
            if (!state.Counts.TryGetValue(Factors[f], out var byLevel))
            {
                byLevel = new Dictionary<string, int[]>(StringComparer.Ordinal);
                state.Counts[Factors[f]] = byLevel;
            }

            if (!byLevel.TryGetValue(levels[f], out var counts))
            {
                counts = new int[Arms];
                byLevel[levels[f]] = counts;
            }

            counts[arm]++;
        }

        state.Allocated++;
        return arm;
    }

    /// <summary>Integer score to the reported value: range in units of count/ratio; population variance of count/ratio.</summary>
    public double ScoreToDouble(Int128 score) => Imbalance == ImbalanceMeasure.Range
        ? (double)score / Lcm
        : (double)score / ((double)Arms * Arms * Lcm * Lcm);

    /// <summary>Range: max - min of the weighted counts. Variance: k * sum(w^2) - (sum w)^2 = k^2 * population variance.</summary>
    private Int128 Score(ReadOnlySpan<long> weighted)
    {
        if (Imbalance == ImbalanceMeasure.Range)
        {
            long min = weighted[0];
            long max = weighted[0];
            for (int i = 1; i < weighted.Length; i++)
            {
                min = Math.Min(min, weighted[i]);
                max = Math.Max(max, weighted[i]);
            }

            return max - min;
        }

        Int128 sum = 0;
        Int128 sumSquares = 0;
        foreach (long w in weighted)
        {
            sum += w;
            sumSquares += (Int128)w * w;
        }

        return (weighted.Length * sumSquares) - (sum * sum);
    }

    private static long Gcd(long a, long b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }
}
