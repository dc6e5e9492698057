using System.Security.Cryptography;
using System.Text;

namespace TrialManager.Domain.Randomization;

/// <summary>A kind of participant in the simulated population and its relative frequency.</summary>
public sealed record StratumShare(IReadOnlyDictionary<string, string> Levels, double Weight);

public sealed record DesignSimulationInput
{
    /// <summary>The population: each participant is drawn from this list with probability weight / total weight.</summary>
    public required IReadOnlyList<StratumShare> StratumMix { get; init; }

    public int Trials { get; init; } = 10_000;

    public int ParticipantsPerTrial { get; init; } = 200;

    /// <summary>Simulation seed; every simulated trial derives its own randomization seed and streams from it.</summary>
    public required string Seed { get; init; }

    /// <summary>Null uses every core. Results do not depend on it.</summary>
    public int? MaxDegreeOfParallelism { get; init; }
}

/// <summary>Distribution across simulated trials of the final imbalance: max - min over arms of count / ratio.</summary>
public sealed record ImbalanceSummary(double Mean, double P50, double P95, double P99, double Max);

public sealed record StratumImbalance(string Stratum, ImbalanceSummary FinalImbalance);

public sealed record FactorLevelImbalance(string Factor, string Level, ImbalanceSummary FinalImbalance);

/// <summary>
/// Correct guesses of a guesser who knows every past allocation and guesses the arm furthest behind
/// (lowest count / ratio) in the participant's stratum, at random among ties (Blackwell-Hodges convergence strategy).
/// </summary>
public sealed record PredictabilitySummary(string Strategy, long Guesses, long Correct, double CorrectRate, double ExpectedByChance);

public sealed record DesignSimulationReport(
    RandomizationMethod Method,
    int Arms,
    int Trials,
    int ParticipantsPerTrial,
    ImbalanceSummary Overall,
    IReadOnlyList<StratumImbalance> Strata,
    IReadOnlyList<FactorLevelImbalance> FactorLevels,
    PredictabilitySummary Predictability);

/// <summary>Monte Carlo design report for statisticians: balance and predictability of a design before the trial starts.</summary>
public static class DesignSimulator
{
    private const int StreamBufferBlocks = 32;

    public static DesignSimulationReport Run(RandomizationDesign design, DesignSimulationInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var plan = new CompiledDesign(design);
        var setup = Setup.Build(plan, input);
        int arms = plan.Arms;
        var finals = new double[setup.GroupCount][];
        for (int g = 0; g < finals.Length; g++)
        {
            finals[g] = new double[input.Trials];
        }

        var correct = new int[input.Trials];
        byte[] seed = Encoding.UTF8.GetBytes(input.Seed);
        var options = new ParallelOptions { MaxDegreeOfParallelism = input.MaxDegreeOfParallelism ?? -1 };
        Parallel.For(0, input.Trials, options, trial =>
        {
            correct[trial] = RunTrial(plan, setup, seed, trial, input.ParticipantsPerTrial, finals);
        });

        var strata = setup.StratumLabels
            .Select((label, i) => new StratumImbalance(label, Summarize(finals[setup.FirstStratumGroup + i])))
            .ToList();
        var levels = setup.FactorLevels
            .Select((fl, i) => new FactorLevelImbalance(fl.Factor, fl.Level, Summarize(finals[setup.FirstLevelGroup + i])))
            .ToList();
        long guesses = (long)input.Trials * input.ParticipantsPerTrial;
        long hits = correct.Sum(c => (long)c);
        var predictability = new PredictabilitySummary(
            "convergence (guess the arm behind in the participant's stratum; random among ties)",
            guesses,
            hits,
            guesses == 0 ? 0 : (double)hits / guesses,
            1.0 / arms);

        return new DesignSimulationReport(
            plan.Method, arms, input.Trials, input.ParticipantsPerTrial, Summarize(finals[0]), strata, levels, predictability);
    }

    private static int RunTrial(CompiledDesign plan, Setup setup, byte[] seed, int trial, int participants, double[][] finals)
    {
        int arms = plan.Arms;
        string trialText = trial.ToString(System.Globalization.CultureInfo.InvariantCulture);
        byte[] trialSeed = Encoding.UTF8.GetBytes(Convert.ToHexStringLower(
            RandomStream.DeriveKey(seed, "simulation/trial/" + trialText)));
        using var population = new RandomStream(RandomStream.DeriveKey(seed, "simulation/participants/" + trialText), 0, StreamBufferBlocks);
        using var guesser = new RandomStream(RandomStream.DeriveKey(seed, "simulation/guesser/" + trialText), 0, StreamBufferBlocks);
        var states = new EngineState?[setup.StateKeys.Length];
        var streams = new RandomStream?[setup.StateKeys.Length];
        var counts = new int[setup.GroupCount * arms];
        Span<Int128> scores = stackalloc Int128[arms];
        int hits = 0;
        try
        {
            for (int p = 0; p < participants; p++)
            {
                var entry = setup.Entries[Pick(setup.CumulativeWeights, population.NextDouble() * setup.TotalWeight)];
                int stratumOffset = entry.StratumGroup * arms;
                int guess = Behind(plan, counts.AsSpan(stratumOffset, arms), guesser);

                int k = entry.StateKeyIndex;
                var state = states[k] ??= EngineState.Create(plan.Method);
                var stream = streams[k] ??= RandomStream.ForState(trialSeed, plan.Method, setup.StateKeys[k], 0, StreamBufferBlocks);
                int arm = plan.Method switch
                {
                    RandomizationMethod.PermutedBlocks => plan.NextBlockArm(state, stream),
                    RandomizationMethod.Minimization => plan.NextMinimizationArm(state, stream, entry.FactorLevels, scores, out _, out _),
                    _ => plan.NextSimpleArm(state, stream),
                };

                if (arm == guess)
                {
                    hits++;
                }

                counts[arm]++;
                counts[stratumOffset + arm]++;
                foreach (int g in entry.LevelGroups)
                {
                    counts[(g * arms) + arm]++;
                }
            }
        }
        finally
        {
            foreach (var stream in streams)
            {
                stream?.Dispose();
            }
        }

        for (int g = 0; g < setup.GroupCount; g++)
        {
            finals[g][trial] = Imbalance(plan, counts.AsSpan(g * arms, arms));
        }

        return hits;
    }

    private static int Pick(double[] cumulative, double u)
    {
        for (int i = 0; i < cumulative.Length - 1; i++)
        {
            if (u < cumulative[i])
            {
                return i;
            }
        }

        return cumulative.Length - 1;
    }

    private static int Behind(CompiledDesign plan, ReadOnlySpan<int> counts, RandomStream guesser)
    {
        long best = long.MaxValue;
        int tied = 0;
        for (int a = 0; a < counts.Length; a++)
        {
            long w = counts[a] * plan.Weights[a];
            if (w < best)
            {
                best = w;
                tied = 1;
            }
            else if (w == best)
            {
                tied++;
            }
        }

        int pick = tied > 1 ? guesser.NextInt(tied) : 0;
        for (int a = 0; a < counts.Length; a++)
        {
            if (counts[a] * plan.Weights[a] == best && pick-- == 0)
            {
                return a;
            }
        }

        return 0;
    }

    private static double Imbalance(CompiledDesign plan, ReadOnlySpan<int> counts)
    {
        long min = long.MaxValue;
        long max = long.MinValue;
        for (int a = 0; a < counts.Length; a++)
        {
            long w = counts[a] * plan.Weights[a];
            min = Math.Min(min, w);
            max = Math.Max(max, w);
        }

        return (double)(max - min) / plan.Lcm;
    }

    private static ImbalanceSummary Summarize(double[] values)
    {
        if (values.Length == 0)
        {
            return new ImbalanceSummary(0, 0, 0, 0, 0);
        }

        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        return new ImbalanceSummary(sorted.Average(), Rank(sorted, 0.50), Rank(sorted, 0.95), Rank(sorted, 0.99), sorted[^1]);
    }

    /// <summary>Nearest-rank percentile.</summary>
    private static double Rank(double[] sorted, double p) => sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private sealed record Entry(int StratumGroup, int StateKeyIndex, int[] LevelGroups, string[] FactorLevels);

    private sealed class Setup
    {
        public required Entry[] Entries { get; init; }

        public required double[] CumulativeWeights { get; init; }

        public required double TotalWeight { get; init; }

        public required string[] StateKeys { get; init; }

        public required List<string> StratumLabels { get; init; }

        public required List<(string Factor, string Level)> FactorLevels { get; init; }

        public int FirstStratumGroup => 1;

        public int FirstLevelGroup => 1 + StratumLabels.Count;

        public int GroupCount => 1 + StratumLabels.Count + FactorLevels.Count;

        public static Setup Build(CompiledDesign plan, DesignSimulationInput input)
        {
            if (input.StratumMix is null || input.StratumMix.Count == 0)
            {
                throw new ArgumentException("stratumMix: at least one stratum is needed.", nameof(input));
            }

            if (input.StratumMix.Any(s => s is null || s.Levels is null || !(s.Weight > 0) || double.IsInfinity(s.Weight)))
            {
                throw new ArgumentException("stratumMix: every entry needs levels and a positive finite weight.", nameof(input));
            }

            ArgumentOutOfRangeException.ThrowIfLessThan(input.Trials, 1, nameof(input.Trials));
            ArgumentOutOfRangeException.ThrowIfNegative(input.ParticipantsPerTrial, nameof(input.ParticipantsPerTrial));
            ArgumentNullException.ThrowIfNull(input.Seed, nameof(input.Seed));
            if (input.Seed.Length == 0)
            {
                throw new ArgumentException("seed: must not be empty.", nameof(input));
            }

            var labels = new List<string>();
            var stateKeys = new List<string>();
            var factorLevels = input.StratumMix
                .SelectMany(s => s.Levels)
                .Select(kv => (Factor: kv.Key, Level: kv.Value))
                .Distinct()
                .OrderBy(x => x.Factor, StringComparer.Ordinal)
                .ThenBy(x => x.Level, StringComparer.Ordinal)
                .ToList();

            var entries = new Entry[input.StratumMix.Count];
            var cumulative = new double[entries.Length];
            double total = 0;
            for (int i = 0; i < entries.Length; i++)
            {
                var levels = input.StratumMix[i].Levels;
                string label = plan.StratumLabel(levels);
                string key = plan.Method == RandomizationMethod.PermutedBlocks ? label : Randomizer.TrialStateKey;
                int labelIndex = IndexOf(labels, label);
                int keyIndex = IndexOf(stateKeys, key);
                string[] minimizationLevels = [.. plan.Factors.Select(f => CompiledDesign.Level(levels, f))];
                entries[i] = new Entry(1 + labelIndex, keyIndex, [], minimizationLevels);
                total += input.StratumMix[i].Weight;
                cumulative[i] = total;
            }

            // Level groups come after every stratum group, so they are numbered once all labels are known.
            int shift = labels.Count;
            for (int i = 0; i < entries.Length; i++)
            {
                var levels = input.StratumMix[i].Levels;
                entries[i] = entries[i] with
                {
                    LevelGroups = [.. levels.Select(kv => 1 + shift + factorLevels.IndexOf((kv.Key, kv.Value)))],
                };
            }

            return new Setup
            {
                Entries = entries,
                CumulativeWeights = cumulative,
                TotalWeight = total,
                StateKeys = [.. stateKeys],
                StratumLabels = labels,
                FactorLevels = factorLevels,
            };
        }

        private static int IndexOf(List<string> list, string value)
        {
            int index = list.IndexOf(value);
            if (index < 0)
            {
                list.Add(value);
                index = list.Count - 1;
            }

            return index;
        }
    }
}
