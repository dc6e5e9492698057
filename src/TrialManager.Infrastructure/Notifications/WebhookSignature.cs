using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace TrialManager.Infrastructure.Notifications;

/// <summary>
/// How a webhook request is signed (docs/api.md, "Notifications"): HMAC-SHA256 with the shared secret's UTF-8 bytes
/// over "{timestamp}.{raw body}", sent as <c>X-TrialManager-Signature: sha256=&lt;lower-case hex&gt;</c> beside
/// <c>X-TrialManager-Timestamp: &lt;Unix seconds&gt;</c>. The timestamp is inside the MAC, so a receiver that refuses
/// old timestamps (say, over five minutes) cannot be sent a captured request again later.
/// </summary>
public static class WebhookSignature
{
    public const string SignatureHeader = "X-TrialManager-Signature";
    public const string TimestampHeader = "X-TrialManager-Timestamp";

    /// <summary>The notification's id: the same on every retry, so a receiver can drop a repeat.</summary>
    public const string DeliveryHeader = "X-TrialManager-Delivery";

    public static string Sign(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + ".");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    }
}
