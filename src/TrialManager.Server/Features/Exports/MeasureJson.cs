using System.Globalization;
using System.Text;
using System.Text.Json;

namespace TrialManager.Server.Features.Exports;

/// <summary>
/// Reads a measure's stored JSON (its answers or its scores: an object of numbers) into the values of the names a table
/// writes, in their order, without a dictionary per row: the export reads millions of them. A name given twice in the
/// text keeps its last value, as deserializing into a dictionary did.
/// </summary>
internal sealed class MeasureJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    private readonly Dictionary<string[], byte[][]> encodedNames = new(ReferenceEqualityComparer.Instance);
    private byte[] utf8 = new byte[4096];

    /// <summary>The values of the last <see cref="Read"/>, one per name (null when absent or null); longer arrays are reused.</summary>
    public double?[] Values { get; private set; } = new double?[32];

    public void Read(string json, string[] names)
    {
        if (!encodedNames.TryGetValue(names, out var encoded))
        {
            encoded = [.. names.Select(Encoding.UTF8.GetBytes)];
            encodedNames[names] = encoded;
        }

        if (Values.Length < names.Length)
        {
            Values = new double?[names.Length];
        }

        Array.Clear(Values);
        if (utf8.Length < Encoding.UTF8.GetMaxByteCount(json.Length))
        {
            utf8 = new byte[Encoding.UTF8.GetMaxByteCount(json.Length)];
        }

        var reader = new Utf8JsonReader(utf8.AsSpan(0, Encoding.UTF8.GetBytes(json, utf8)));
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var index = encoded.Length - 1;
            while (index >= 0 && !reader.ValueTextEquals(encoded[index]))
            {
                index--;
            }

            reader.Read();
            if (index < 0 || reader.TokenType == JsonTokenType.Null)
            {
                if (index >= 0)
                {
                    Values[index] = null;
                }

                reader.Skip();
                continue;
            }

            Values[index] = reader.TokenType == JsonTokenType.String
                ? double.Parse(reader.GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture)
                : reader.GetDouble();
        }
    }

    /// <summary>Answers as a dictionary: only for the rare instrument the catalogue no longer has.</summary>
    public static Dictionary<string, int> Answers(string json) => JsonSerializer.Deserialize<Dictionary<string, int>>(json, Options) ?? [];
}
