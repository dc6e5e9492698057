using System.Text.Json;
using System.Text.Json.Serialization;

namespace TrialManager.Domain.Randomization;

/// <summary>
/// The persisted state of one state row, produced and parsed only by the engine. Its size does not grow
/// with the number allocated: blocks keep the current block, minimization the marginal counts.
/// </summary>
internal sealed class EngineState
{
    public const int CurrentVersion = 1;

    [JsonPropertyName("v")]
    public int Version { get; set; } = CurrentVersion;

    public string Method { get; set; } = "";

    /// <summary>Words of the random stream consumed so far.</summary>
    public long Position { get; set; }

    /// <summary>Allocations made under this state key (the last sequence number).</summary>
    public int Allocated { get; set; }

    public int BlockNumber { get; set; }

    /// <summary>The arms of the current block, in allocation order.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1819", Justification = "Serialized state.")]
    public int[]? Block { get; set; }

    /// <summary>Index in <see cref="Block"/> of the next allocation.</summary>
    public int Next { get; set; }

    /// <summary>Minimization: factor -> level -> count per arm.</summary>
    public Dictionary<string, Dictionary<string, int[]>>? Counts { get; set; }

    public static EngineState Create(RandomizationMethod method) => new() { Method = RandomStream.MethodName(method) };

    public static EngineState Parse(string json, CompiledDesign design)
    {
        EngineState? state;
        try
        {
            state = JsonSerializer.Deserialize(json, EngineStateJsonContext.Default.EngineState);
        }
        catch (JsonException ex)
        {
            throw new ArgumentException("The randomization state is not valid JSON.", nameof(json), ex);
        }

        if (state is null || state.Version != CurrentVersion)
        {
            throw new ArgumentException("The randomization state has an unknown version.", nameof(json));
        }

        if (state.Method != RandomStream.MethodName(design.Method))
        {
            throw new ArgumentException(
                $"The randomization state belongs to method '{state.Method}', not '{RandomStream.MethodName(design.Method)}'.",
                nameof(json));
        }

        if (state.Position < 0 || state.Allocated < 0)
        {
            throw new ArgumentException("The randomization state is corrupt.", nameof(json));
        }

        if (state.Block is not null
            && (state.Next < 0 || state.Next > state.Block.Length || state.Block.Any(a => a < 0 || a >= design.Arms)))
        {
            throw new ArgumentException("The randomization state holds an invalid block.", nameof(json));
        }

        if (state.Counts is not null
            && state.Counts.Values.Any(levels => levels.Values.Any(c => c is null || c.Length != design.Arms)))
        {
            throw new ArgumentException("The randomization state holds counts for another number of arms.", nameof(json));
        }

        return state;
    }

    public string ToJson() => JsonSerializer.Serialize(this, EngineStateJsonContext.Default.EngineState);
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault)]
[JsonSerializable(typeof(EngineState))]
internal sealed partial class EngineStateJsonContext : JsonSerializerContext;
