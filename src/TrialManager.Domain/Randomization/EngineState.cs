using System.Buffers;
using System.Text;
using System.Text.Json;

namespace TrialManager.Domain.Randomization;

/// <summary>
/// The persisted state of one state row, produced and parsed only by the engine. Its size does not grow
/// with the number allocated: blocks keep the current block, minimization the marginal counts.
/// </summary>
internal sealed class EngineState
{
    public const int CurrentVersion = 1;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    public int Version { get; set; } = CurrentVersion;

    public string Method { get; set; } = "";

    /// <summary>Words of the random stream consumed so far.</summary>
    public long Position { get; set; }

    /// <summary>Allocations made under this state key (the last sequence number).</summary>
    public int Allocated { get; set; }

    public int BlockNumber { get; set; }

    /// <summary>The arms of the current block, in allocation order.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1819", Justification = "Persisted state.")]
    public int[]? Block { get; set; }

    /// <summary>Index in <see cref="Block"/> of the next allocation.</summary>
    public int Next { get; set; }

    /// <summary>Minimization: factor -> level -> count per arm.</summary>
    public Dictionary<string, Dictionary<string, int[]>>? Counts { get; set; }

    public static EngineState Create(RandomizationMethod method) => new() { Method = RandomStream.MethodName(method) };

    public static EngineState Parse(string json, CompiledDesign design)
    {
        ArgumentNullException.ThrowIfNull(json);
        EngineState state;
        try
        {
            byte[] utf8 = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(json.Length));
            try
            {
                state = Read(utf8.AsSpan(0, Encoding.UTF8.GetBytes(json, utf8)));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(utf8);
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or OverflowException)
        {
            throw new ArgumentException("The randomization state is not valid JSON.", nameof(json), ex);
        }

        if (state.Version != CurrentVersion)
        {
            throw new ArgumentException("The randomization state has an unknown version.", nameof(json));
        }

        if (state.Method != RandomStream.MethodName(design.Method))
        {
            throw new ArgumentException(
                $"The randomization state belongs to method '{state.Method}', not '{RandomStream.MethodName(design.Method)}'.",
                nameof(json));
        }

        if (state.Position < 0 || state.Allocated < 0 || state.BlockNumber < 0)
        {
            throw new ArgumentException("The randomization state is corrupt.", nameof(json));
        }

        if (state.Block is not null
            && (state.Next < 0 || state.Next > state.Block.Length || state.BlockNumber < 1
                || Array.IndexOf(design.BlockSizes, state.Block.Length) < 0 || state.Block.Any(a => a < 0 || a >= design.Arms)))
        {
            throw new ArgumentException("The randomization state holds an invalid block.", nameof(json));
        }

        if (state.Counts is not null
            && state.Counts.Values.Any(levels => levels.Values.Any(c => c.Length != design.Arms)))
        {
            throw new ArgumentException("The randomization state holds counts for another number of arms.", nameof(json));
        }

        return state;
    }

    /// <summary>
    /// Compact JSON, camelCase, zero and absent fields left out, e.g.
    /// {"v":1,"method":"permutedBlocks","position":6,"allocated":3,"blockNumber":1,"block":[1,0,0,1],"next":3}.
    /// Written and read by hand: this runs on every allocation.
    /// </summary>
    public string ToJson()
    {
        // Utf8JsonWriter asks its buffer for 4 KiB at a time: reuse one buffer and writer per thread.
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(4096);
        buffer.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(buffer);
        writer.Reset(buffer);
        writer.WriteStartObject();
        writer.WriteNumber("v"u8, Version);
        writer.WriteString("method"u8, Method);
        WriteIfNotZero(writer, "position"u8, Position);
        WriteIfNotZero(writer, "allocated"u8, Allocated);
        WriteIfNotZero(writer, "blockNumber"u8, BlockNumber);
        if (Block is not null)
        {
            WriteArray(writer, "block"u8, Block);
        }

        WriteIfNotZero(writer, "next"u8, Next);
        if (Counts is not null)
        {
            writer.WriteStartObject("counts"u8);
            foreach (var (factor, levels) in Counts)
            {
                writer.WriteStartObject(factor);
                foreach (var (level, counts) in levels)
                {
                    WriteArray(writer, level, counts);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.Flush();

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteIfNotZero(Utf8JsonWriter writer, ReadOnlySpan<byte> name, long value)
    {
        if (value != 0)
        {
            writer.WriteNumber(name, value);
        }
    }

    private static void WriteArray(Utf8JsonWriter writer, ReadOnlySpan<byte> name, int[] values)
    {
        writer.WriteStartArray(name);
        foreach (int v in values)
        {
            writer.WriteNumberValue(v);
        }

        writer.WriteEndArray();
    }

    private static void WriteArray(Utf8JsonWriter writer, string name, int[] values)
    {
        writer.WriteStartArray(name);
        foreach (int v in values)
        {
            writer.WriteNumberValue(v);
        }

        writer.WriteEndArray();
    }

    private static EngineState Read(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        var state = new EngineState { Version = 0 };
        Expect(ref reader, JsonTokenType.StartObject);
        while (Advance(ref reader) == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("v"u8))
            {
                state.Version = ReadInt(ref reader);
            }
            else if (reader.ValueTextEquals("method"u8))
            {
                Expect(ref reader, JsonTokenType.String);
                state.Method = reader.GetString()!;
            }
            else if (reader.ValueTextEquals("position"u8))
            {
                Expect(ref reader, JsonTokenType.Number);
                state.Position = reader.GetInt64();
            }
            else if (reader.ValueTextEquals("allocated"u8))
            {
                state.Allocated = ReadInt(ref reader);
            }
            else if (reader.ValueTextEquals("blockNumber"u8))
            {
                state.BlockNumber = ReadInt(ref reader);
            }
            else if (reader.ValueTextEquals("block"u8))
            {
                state.Block = ReadArray(ref reader);
            }
            else if (reader.ValueTextEquals("next"u8))
            {
                state.Next = ReadInt(ref reader);
            }
            else if (reader.ValueTextEquals("counts"u8))
            {
                state.Counts = new Dictionary<string, Dictionary<string, int[]>>(StringComparer.Ordinal);
                Expect(ref reader, JsonTokenType.StartObject);
                while (Advance(ref reader) == JsonTokenType.PropertyName)
                {
                    string factor = reader.GetString()!;
                    var levels = new Dictionary<string, int[]>(StringComparer.Ordinal);
                    Expect(ref reader, JsonTokenType.StartObject);
                    while (Advance(ref reader) == JsonTokenType.PropertyName)
                    {
                        string level = reader.GetString()!;
                        levels[level] = ReadArray(ref reader);
                    }

                    state.Counts[factor] = levels;
                }
            }
            else
            {
                throw new JsonException($"Unknown property '{reader.GetString()}'.");
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
        {
            throw new JsonException("Trailing content after the state object.");
        }

        return state;
    }

    private static JsonTokenType Advance(ref Utf8JsonReader reader) =>
        reader.Read() ? reader.TokenType : throw new JsonException("Unexpected end of the state.");

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
    {
        if (Advance(ref reader) != type)
        {
            throw new JsonException($"Expected {type}, found {reader.TokenType}.");
        }
    }

    private static int ReadInt(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.Number);
        return reader.GetInt32();
    }

    private static int[] ReadArray(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.StartArray);
        Span<int> small = stackalloc int[16];
        List<int>? large = null;
        int count = 0;
        while (Advance(ref reader) == JsonTokenType.Number)
        {
            int value = reader.GetInt32();
            if (count < small.Length)
            {
                small[count] = value;
            }
            else
            {
                large ??= [.. small];
                large.Add(value);
            }

            count++;
        }

        if (reader.TokenType != JsonTokenType.EndArray)
        {
            throw new JsonException("Expected a number.");
        }

        return large is null ? small[..count].ToArray() : [.. large];
    }
}
