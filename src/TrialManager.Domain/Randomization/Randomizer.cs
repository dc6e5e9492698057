using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;

namespace TrialManager.Domain.Randomization;

/// <summary>
/// The allocation rules of one trial: a design plus its seed and key derivation. Thread-safe; all allocation state travels
/// in and out of <see cref="Allocate"/> as the engine's own JSON. The only thing it keeps is a memo of
/// derived stream keys (a pure function of seed and state key) with a small pool of AES encryptors per
/// key, which saves an HMAC and a cipher set-up per allocation; neither affects any output.
/// </summary>
public sealed class Randomizer
{
    public const string TrialStateKey = "trial";
    private const int SingleAllocationBufferBlocks = 4;
    private const int ReplayBufferBlocks = 64;
    private const int MaxMemoizedKeys = 4096;

    private readonly byte[] _seed;
    private readonly KeyDerivation _derivation;
    private readonly ConcurrentDictionary<string, StreamKey> _streamKeys = new(StringComparer.Ordinal);

    /// <summary>Keys derived by version 1 (no trial id): the engine's own tests and trials created before version 2.</summary>
    public Randomizer(RandomizationDesign design, ReadOnlyMemory<byte> seed)
        : this(design, seed, KeyDerivation.Version1)
    {
    }

    public Randomizer(RandomizationDesign design, ReadOnlyMemory<byte> seed, KeyDerivation derivation)
    {
        ArgumentNullException.ThrowIfNull(derivation);
        if (seed.IsEmpty)
        {
            throw new ArgumentException("seed: must not be empty.", nameof(seed));
        }

        Plan = new CompiledDesign(design);
        _seed = seed.ToArray();
        _derivation = derivation;
    }

    public RandomizationDesign Design => Plan.Design;

    public KeyDerivation Derivation => _derivation;

    internal CompiledDesign Plan { get; }

    /// <summary>The persisted state row this participant's allocation reads and advances.</summary>
    public string StateKey(IReadOnlyDictionary<string, string> levels) =>
        Plan.Method == RandomizationMethod.PermutedBlocks ? Plan.StratumLabel(levels) : TrialStateKey;

    /// <summary>Levels of StratifyBy (blocks, simple) or Factors (minimization) joined with "/"; "all" when there are none.</summary>
    public string StratumLabel(IReadOnlyDictionary<string, string> levels) => Plan.StratumLabel(levels);

    /// <summary>Pure: allocates the next participant under the state row of <see cref="StateKey"/>.</summary>
    /// <param name="state">The row's state as last returned in <paramref name="newState"/>, or null when nothing was allocated under this key.</param>
    /// <exception cref="ArgumentException">A level the design needs is missing, empty or contains "/", or the state is not this method's.</exception>
    public Allocation Allocate(string? state, IReadOnlyDictionary<string, string> levels, out string newState)
    {
        var engineState = state is null ? EngineState.Create(Plan.Method) : EngineState.Parse(state, Plan);
        string label = Plan.StratumLabel(levels);
        string key = Plan.Method == RandomizationMethod.PermutedBlocks ? label : TrialStateKey;
        using var stream = OpenStream(key, engineState.Position, SingleAllocationBufferBlocks);
        var allocation = AllocateCore(engineState, stream, label, levels);
        newState = engineState.ToJson();
        return allocation;
    }

    /// <summary>
    /// Replays the sequence from design and seed and compares it with the recorded allocations: per stratum
    /// for blocks, trial-wide otherwise, each in Sequence order. A record's levels must equal the participant's
    /// (when given), and each state row's count of allocations the number of records under its key (when
    /// <paramref name="allocated"/> is given), so a stale level or a deleted last record shows. The first mismatch
    /// is the one earliest in the order the records were given (a count mismatch at its stratum's last record).
    /// </summary>
    public VerificationResult Verify(IEnumerable<RecordedAllocation> recorded, IReadOnlyDictionary<string, int>? allocated = null)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        var records = recorded.Select((r, i) => (Record: r, Index: i)).ToList();
        var groups = new Dictionary<string, List<(RecordedAllocation Record, int Index)>>(StringComparer.Ordinal);
        var misLevelled = new HashSet<int>();
        (int Index, VerificationMismatch Mismatch)? first = null;
        int matched = 0;

        foreach (var item in records)
        {
            if (LevelMismatch(item.Record) is { } levels)
            {
                // Still replayed: the records after it in its stratum are checked as usual.
                Consider(ref first, item.Index, levels);
                misLevelled.Add(item.Index);
            }

            string key;
            try
            {
                // The label needs every factor the replay reads, so a bad record is reported, not thrown.
                string label = Plan.StratumLabel(item.Record.Levels);
                key = Plan.Method == RandomizationMethod.PermutedBlocks ? label : TrialStateKey;
            }
            catch (ArgumentException ex)
            {
                Consider(ref first, item.Index, new VerificationMismatch(
                    item.Record.Stratum, item.Record.Sequence, "levels", string.Join(", ", Plan.LabelFactors), ex.Message));
                continue;
            }

            if (!groups.TryGetValue(key, out var list))
            {
                list = [];
                groups[key] = list;
            }

            list.Add(item);
        }

        foreach (var (key, list) in groups)
        {
            var ordered = list.OrderBy(x => x.Record.Sequence).ThenBy(x => x.Index).ToList();
            var state = EngineState.Create(Plan.Method);
            using var stream = OpenStream(key, 0, ReplayBufferBlocks);
            foreach (var (record, index) in ordered)
            {
                var expected = AllocateCore(state, stream, Plan.StratumLabel(record.Levels), record.Levels);
                var mismatch = Compare(expected, record);
                if (mismatch is not null)
                {
                    Consider(ref first, index, mismatch);
                    break;
                }

                matched += misLevelled.Contains(index) ? 0 : 1;
            }
        }

        if (allocated is not null)
        {
            foreach (var key in groups.Keys.Union(allocated.Keys, StringComparer.Ordinal))
            {
                int count = groups.TryGetValue(key, out var list) ? list.Count : 0;
                int expected = allocated.GetValueOrDefault(key);
                if (count != expected)
                {
                    Consider(ref first, list is null ? records.Count : list.Max(x => x.Index), new VerificationMismatch(
                        key, Math.Min(count, expected) + 1, "allocated",
                        expected.ToString(CultureInfo.InvariantCulture), count.ToString(CultureInfo.InvariantCulture)));
                }
            }
        }

        return first is null
            ? new VerificationResult(true, matched, null)
            : new VerificationResult(false, matched, first.Value.Mismatch);
    }

    /// <summary>Exact description of the algorithm, enough to re-implement the sequence from the seed.</summary>
    public static string Describe(RandomizationMethod method) => Describe(method, KeyDerivation.Version1);

    /// <summary>As <see cref="Describe(RandomizationMethod)"/>, with the stream keys of the given derivation.</summary>
    public static string Describe(RandomizationMethod method, KeyDerivation derivation) => RandomizationDescription.For(method, derivation);

    internal RandomStream OpenStream(string stateKey, long position, int bufferBlocks)
    {
        if (!_streamKeys.TryGetValue(stateKey, out var key))
        {
            key = new StreamKey(RandomStream.DeriveKey(_seed, RandomStream.MethodName(Plan.Method) + "/" + stateKey, _derivation));
            if (_streamKeys.Count >= MaxMemoizedKeys)
            {
                return new RandomStream(key.Key, position, bufferBlocks);
            }

            key = _streamKeys.GetOrAdd(stateKey, key);
        }

        return new RandomStream(key.Rent(), key.ReturnEncryptor, position, bufferBlocks);
    }

    internal Allocation AllocateCore(EngineState state, RandomStream stream, string label, IReadOnlyDictionary<string, string> levels)
    {
        Allocation allocation;
        switch (Plan.Method)
        {
            case RandomizationMethod.PermutedBlocks:
                {
                    int arm = Plan.NextBlockArm(state, stream);
                    allocation = new Allocation(arm, label, state.Allocated, state.BlockNumber, state.Block!.Length, null, null, null);
                    break;
                }

            case RandomizationMethod.Minimization:
                {
                    var factorLevels = new string[Plan.Factors.Length];
                    for (int f = 0; f < factorLevels.Length; f++)
                    {
                        factorLevels[f] = CompiledDesign.Level(levels, Plan.Factors[f]);
                    }

                    Span<Int128> scores = stackalloc Int128[Plan.Arms];
                    int arm = Plan.NextMinimizationArm(state, stream, factorLevels, scores, out int preferred, out bool took);
                    var reported = new double[Plan.Arms];
                    for (int a = 0; a < reported.Length; a++)
                    {
                        reported[a] = Plan.ScoreToDouble(scores[a]);
                    }

                    allocation = new Allocation(arm, label, state.Allocated, null, null, reported, preferred, took);
                    break;
                }

            default:
                {
                    int arm = Plan.NextSimpleArm(state, stream);
                    allocation = new Allocation(arm, label, state.Allocated, null, null, null, null, null);
                    break;
                }
        }

        state.Position = stream.Position;
        return allocation;
    }

    private static VerificationMismatch? Compare(Allocation expected, RecordedAllocation recorded)
    {
        static string Show(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "none";

        string? field =
            expected.Stratum != recorded.Stratum ? "stratum"
            : expected.Sequence != recorded.Sequence ? "sequence"
            : expected.Arm != recorded.Arm ? "arm"
            : expected.BlockNumber != recorded.BlockNumber ? "blockNumber"
            : expected.BlockSize != recorded.BlockSize ? "blockSize"
            : null;

        return field switch
        {
            null => null,
            "stratum" => new(expected.Stratum, recorded.Sequence, field, expected.Stratum, recorded.Stratum),
            "sequence" => new(expected.Stratum, recorded.Sequence, field, Show(expected.Sequence), Show(recorded.Sequence)),
            "arm" => new(expected.Stratum, recorded.Sequence, field, Show(expected.Arm), Show(recorded.Arm)),
            "blockNumber" => new(expected.Stratum, recorded.Sequence, field, Show(expected.BlockNumber), Show(recorded.BlockNumber)),
            _ => new(expected.Stratum, recorded.Sequence, field, Show(expected.BlockSize), Show(recorded.BlockSize)),
        };
    }

    private static VerificationMismatch? LevelMismatch(RecordedAllocation record)
    {
        if (record.ParticipantLevels is not { } participant)
        {
            return null;
        }

        foreach (var (factor, level) in record.Levels.Concat(record.LevelCopies).OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            if (!participant.TryGetValue(factor, out var expected) || expected != level)
            {
                return new(record.Stratum, record.Sequence, factor, expected ?? "none", level);
            }
        }

        var unrecorded = participant.Keys.Where(f => !record.Levels.ContainsKey(f)).Order(StringComparer.Ordinal).FirstOrDefault();
        return unrecorded is null ? null : new(record.Stratum, record.Sequence, unrecorded, participant[unrecorded], "none");
    }

    private static void Consider(ref (int Index, VerificationMismatch Mismatch)? first, int index, VerificationMismatch mismatch)
    {
        if (first is null || index < first.Value.Index)
        {
            first = (index, mismatch);
        }
    }

    /// <summary>A derived stream key and idle AES-256-ECB encryptors for it (each used by one stream at a time).</summary>
    private sealed class StreamKey
    {
        private const int MaxIdle = 8;
        private readonly ConcurrentBag<ICryptoTransform> _idle = [];

        public StreamKey(byte[] key)
        {
            Key = key;
            ReturnEncryptor = Return;
        }

        public byte[] Key { get; }

        public Action<ICryptoTransform> ReturnEncryptor { get; }

        public ICryptoTransform Rent()
        {
            if (_idle.TryTake(out var encryptor))
            {
                return encryptor;
            }

            using var aes = Aes.Create();
            aes.Key = Key;
            aes.Mode = CipherMode.ECB;
            aes.Padding = PaddingMode.None;
            return aes.CreateEncryptor();
        }

        private void Return(ICryptoTransform encryptor)
        {
            if (_idle.Count < MaxIdle)
            {
                _idle.Add(encryptor);
            }
            else
            {
                encryptor.Dispose();
            }
        }
    }
}
