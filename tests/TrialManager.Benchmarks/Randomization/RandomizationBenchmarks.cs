using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using TrialManager.Domain.Randomization;

namespace TrialManager.Benchmarks.Randomization;

/// <summary>Shared designs and populations; participants come from a keyed stream so every run sees the same ones.</summary>
internal static class RandomizationBenchmarkData
{
    public static readonly ReadOnlyMemory<byte> Seed = Encoding.UTF8.GetBytes("9c1b6f0e4a7d2c58e3b1f9a06d4c2e7b8a5f1c3d9e2b7a4f6c8d0e1b3a5c7d9f");

    public static readonly string[] EightStrata =
        ["cognitive/NYC", "cognitive/BOS", "cognitive/CHI", "cognitive/LAX", "interpersonal/NYC", "interpersonal/BOS", "interpersonal/CHI", "interpersonal/LAX"];

    public static readonly RandomizationDesign Blocks246 = new()
    {
        Method = RandomizationMethod.PermutedBlocks,
        Ratios = [1, 1],
        BlockSizes = [2, 4, 6],
        StratifyBy = ["formulation", "site"],
    };

    /// <summary>2 arms; factors with 2, 4 and 2 levels; p = 0.9.</summary>
    public static readonly RandomizationDesign Minimization = new()
    {
        Method = RandomizationMethod.Minimization,
        Ratios = [1, 1],
        Factors = ["formulation", "site", "severity"],
        Probability = 0.9,
    };

    public static readonly string[] Formulations = ["cognitive", "interpersonal"];

    public static readonly string[] Sites = ["NYC", "BOS", "CHI", "LAX"];

    public static readonly string[] Severities = ["low", "high"];

    public static Dictionary<string, string>[] Participants(int count)
    {
        using var stream = new RandomStream(RandomStream.DeriveKey("benchmark-population"u8, "participants"));
        var result = new Dictionary<string, string>[count];
        for (int i = 0; i < count; i++)
        {
            result[i] = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["formulation"] = Formulations[stream.NextInt(2)],
                ["site"] = Sites[stream.NextInt(4)],
                ["severity"] = Severities[stream.NextInt(2)],
            };
        }

        return result;
    }
}

/// <summary>(1) A stratified permuted-block list in memory: 2 arms 1:1, block sizes 2/4/6, 8 strata; one core.</summary>
[ShortRunJob]
[MemoryDiagnoser]
public class RandomizationBlockListBenchmarks
{
    [Params(100_000, 1_000_000)]
    public int Rows { get; set; }

    [Benchmark]
    public int GenerateStratifiedList()
    {
        var rows = PermutedBlockList.Generate(
            RandomizationBenchmarkData.Blocks246,
            RandomizationBenchmarkData.Seed,
            RandomizationBenchmarkData.EightStrata,
            Rows / RandomizationBenchmarkData.EightStrata.Length);
        return rows.Length;
    }
}

/// <summary>(2) Minimization, 100,000 sequential allocations in memory, and through the server's JSON-state path.</summary>
[ShortRunJob]
[MemoryDiagnoser]
public class RandomizationMinimizationBenchmarks
{
    private Dictionary<string, string>[] _participants = [];
    private Randomizer _randomizer = null!;

    [GlobalSetup]
    public void Setup()
    {
        _participants = RandomizationBenchmarkData.Participants(100_000);
        _randomizer = new Randomizer(RandomizationBenchmarkData.Minimization, RandomizationBenchmarkData.Seed);
    }

    [Benchmark(Description = "100k sequential, in-memory session")]
    public int Sequential100kInMemory()
    {
        using var session = new AllocationSession(_randomizer);
        int arm0 = 0;
        foreach (var levels in _participants)
        {
            arm0 += session.Allocate(levels).Arm == 0 ? 1 : 0;
        }

        return arm0;
    }

    [Benchmark(Description = "100k sequential, pure Allocate with JSON state")]
    public int Sequential100kJsonState()
    {
        string? state = null;
        int arm0 = 0;
        foreach (var levels in _participants)
        {
            arm0 += _randomizer.Allocate(state, levels, out state).Arm == 0 ? 1 : 0;
        }

        return arm0;
    }
}

/// <summary>
/// (2b) The cost of one allocation (server path) must not grow with the number already allocated. More
/// iterations than ShortRun: the two means are compared with each other, so their noise matters.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 5, iterationCount: 20)]
[MemoryDiagnoser]
public class RandomizationMinimizationSingleAllocationBenchmarks
{
    private Randomizer _randomizer = null!;
    private string _state = "";
    private Dictionary<string, string> _next = [];

    [Params(100, 50_000)]
    public int AlreadyAllocated { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _randomizer = new Randomizer(RandomizationBenchmarkData.Minimization, RandomizationBenchmarkData.Seed);
        var participants = RandomizationBenchmarkData.Participants(AlreadyAllocated + 1);
        string? state = null;
        for (int i = 0; i < AlreadyAllocated; i++)
        {
            _randomizer.Allocate(state, participants[i], out state);
        }

        _state = state!;
        _next = participants[^1];
    }

    [Benchmark]
    public int OneAllocation() => _randomizer.Allocate(_state, _next, out _).Arm;
}

/// <summary>(3) Design simulation, 10,000 trials x 200 participants, all cores.</summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
[MemoryDiagnoser]
public class RandomizationDesignSimulationBenchmarks
{
    private static readonly StratumShare[] Mix =
    [
        .. from f in RandomizationBenchmarkData.Formulations
           from s in RandomizationBenchmarkData.Sites
           from v in RandomizationBenchmarkData.Severities
           select new StratumShare(new Dictionary<string, string> { ["formulation"] = f, ["site"] = s, ["severity"] = v }, 1.0),
    ];

    private static readonly DesignSimulationInput Input = new()
    {
        StratumMix = Mix,
        Trials = 10_000,
        ParticipantsPerTrial = 200,
        Seed = "design-simulation-benchmark",
    };

    [Benchmark(Description = "10,000 x 200, minimization p=0.9")]
    public double Minimization() => DesignSimulator.Run(RandomizationBenchmarkData.Minimization, Input).Predictability.CorrectRate;

    [Benchmark(Description = "10,000 x 200, permuted blocks 2/4/6, 8 strata")]
    public double PermutedBlocks() => DesignSimulator.Run(RandomizationBenchmarkData.Blocks246, Input).Predictability.CorrectRate;
}
