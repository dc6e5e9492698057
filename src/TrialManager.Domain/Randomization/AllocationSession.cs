namespace TrialManager.Domain.Randomization;

/// <summary>
/// In-memory allocation for bulk work (simulation, benchmarks, generating a list): keeps each state row
/// and its open stream instead of round-tripping JSON. Produces exactly the sequence that repeated
/// <see cref="Randomizer.Allocate"/> calls produce. Not thread-safe.
/// </summary>
public sealed class AllocationSession : IDisposable
{
    private const int BufferBlocks = 256;
    private readonly Randomizer _randomizer;
    private readonly Dictionary<string, (EngineState State, RandomStream Stream)> _rows = new(StringComparer.Ordinal);

    public AllocationSession(Randomizer randomizer)
    {
        ArgumentNullException.ThrowIfNull(randomizer);
        _randomizer = randomizer;
    }

    public Allocation Allocate(IReadOnlyDictionary<string, string> levels)
    {
        string label = _randomizer.StratumLabel(levels);
        string key = _randomizer.Plan.Method == RandomizationMethod.PermutedBlocks ? label : Randomizer.TrialStateKey;
        if (!_rows.TryGetValue(key, out var row))
        {
            row = (EngineState.Create(_randomizer.Plan.Method), _randomizer.OpenStream(key, 0, BufferBlocks));
            _rows[key] = row;
        }

        return _randomizer.AllocateCore(row.State, row.Stream, label, levels);
    }

    /// <summary>The JSON state of a row, as <see cref="Randomizer.Allocate"/> would have returned it; null if the row is unused.</summary>
    public string? ExportState(string stateKey) => _rows.TryGetValue(stateKey, out var row) ? row.State.ToJson() : null;

    public void Dispose()
    {
        foreach (var row in _rows.Values)
        {
            row.Stream.Dispose();
        }

        _rows.Clear();
    }
}
