using System.Text;
using CsCheck;
using TrialManager.Domain.Randomization;

namespace TrialManager.Domain.Tests.Randomization;

/// <summary>Designs, seeds and participants for the randomization tests, all deterministic.</summary>
internal static class TestSupport
{
    public static readonly int[][] RatioSets = [[1, 1], [2, 1], [1, 2], [3, 2], [1, 1, 1]];

    public static readonly string[] Formulations = ["cognitive", "interpersonal", "behavioral"];

    public static readonly string[] Sites = ["NYC", "BOS", "CHI"];

    public static readonly string[] Severities = ["low", "high"];

    public static ReadOnlyMemory<byte> Seed(string text) => Encoding.UTF8.GetBytes(text);

    public static ReadOnlyMemory<byte> Seed(int n) => Seed($"test-seed-{n:D4}-0123456789abcdef0123456789abcdef");

    /// <summary>Ratios from the standard sets; block sizes: a non-empty subset of {1, 2, 3} times the ratio sum.</summary>
    public static readonly Gen<RandomizationDesign> BlockDesigns =
        from ratioIndex in Gen.Int[0, 4]
        let ratios = RatioSets[ratioIndex]
        from multiples in Gen.Int[1, 7]
        from stratified in Gen.Bool
        select new RandomizationDesign
        {
            Method = RandomizationMethod.PermutedBlocks,
            Ratios = ratios,
            BlockSizes = [.. new[] { 1, 2, 3 }.Where((_, i) => (multiples & (1 << i)) != 0).Select(m => m * ratios.Sum())],
            StratifyBy = stratified ? ["formulation", "site"] : [],
        };

    public static readonly Gen<string> Seeds = Gen.ULong.Select(u => u.ToString("x16", System.Globalization.CultureInfo.InvariantCulture));

    public static RandomizationDesign Blocks(int[] ratios, int[] blockSizes, params string[] stratifyBy) => new()
    {
        Method = RandomizationMethod.PermutedBlocks,
        Ratios = ratios,
        BlockSizes = blockSizes,
        StratifyBy = stratifyBy,
    };

    public static RandomizationDesign Minimization(int[] ratios, double probability, ImbalanceMeasure measure = ImbalanceMeasure.Range) => new()
    {
        Method = RandomizationMethod.Minimization,
        Ratios = ratios,
        Factors = ["formulation", "site", "severity"],
        Probability = probability,
        Imbalance = measure,
    };

    public static RandomizationDesign Simple(int[] ratios) => new()
    {
        Method = RandomizationMethod.Simple,
        Ratios = ratios,
    };

    /// <summary>A deterministic participant stream: levels drawn from a stream keyed by <paramref name="tag"/>.</summary>
    public static List<Dictionary<string, string>> Participants(int count, string tag = "participants")
    {
        using var stream = new RandomStream(RandomStream.DeriveKey(Encoding.UTF8.GetBytes("test-population"), tag));
        var list = new List<Dictionary<string, string>>(count);
        for (int i = 0; i < count; i++)
        {
            list.Add(new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["formulation"] = Formulations[stream.NextInt(Formulations.Length)],
                ["site"] = Sites[stream.NextInt(Sites.Length)],
                ["severity"] = Severities[stream.NextInt(Severities.Length)],
            });
        }

        return list;
    }

    /// <summary>Allocates every participant through the public, pure JSON-state API, as the server does.</summary>
    public static List<(Allocation Allocation, Dictionary<string, string> Levels)> AllocateAll(
        Randomizer randomizer, IEnumerable<Dictionary<string, string>> participants)
    {
        var states = new Dictionary<string, string>(StringComparer.Ordinal);
        var result = new List<(Allocation, Dictionary<string, string>)>();
        foreach (var levels in participants)
        {
            string key = randomizer.StateKey(levels);
            states.TryGetValue(key, out var state);
            var allocation = randomizer.Allocate(state, levels, out var newState);
            states[key] = newState;
            result.Add((allocation, levels));
        }

        return result;
    }

    public static RecordedAllocation ToRecord(Allocation a, IReadOnlyDictionary<string, string> levels) =>
        new(a.Arm, a.Stratum, a.Sequence, a.BlockNumber, a.BlockSize, levels);

    /// <summary>Upper 0.1% points of the chi-square distribution (df = 1..5), from standard tables.</summary>
    public static double ChiSquareCritical001(int df) => df switch
    {
        1 => 10.828,
        2 => 13.816,
        3 => 16.266,
        4 => 18.467,
        5 => 20.515,
        _ => throw new ArgumentOutOfRangeException(nameof(df)),
    };

    public static double ChiSquare(IReadOnlyList<long> observed, IReadOnlyList<double> expectedProportions)
    {
        double n = observed.Sum();
        double statistic = 0;
        for (int i = 0; i < observed.Count; i++)
        {
            double expected = n * expectedProportions[i];
            statistic += (observed[i] - expected) * (observed[i] - expected) / expected;
        }

        return statistic;
    }

    public static double[] Proportions(IReadOnlyList<int> ratios) => [.. ratios.Select(r => (double)r / ratios.Sum())];
}
