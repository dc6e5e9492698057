using System.Text.Json;
using System.Text.Json.Serialization;

namespace TrialManager.Infrastructure.Documents;

/// <summary>
/// A report's figures as stored beside a freeze's zip: JSON whose bytes are its SHA-256 (the document store's name for
/// it), so a report made from the freeze later renders exactly the figures taken at freeze time. Doubles round-trip
/// exactly; an undefined statistic (NaN) is written as a literal rather than refused.
/// </summary>
public static class ReportModelJson
{
    public const string Extension = "json";

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
        RespectNullableAnnotations = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    };

    public static byte[] Serialize<TModel>(TModel model) => JsonSerializer.SerializeToUtf8Bytes(model, Options);

    public static TModel Deserialize<TModel>(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize<TModel>(json, Options) ?? throw new JsonException($"The stored {typeof(TModel).Name} is empty.");
}
