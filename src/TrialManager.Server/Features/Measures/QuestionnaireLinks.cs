using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace TrialManager.Server.Features.Measures;

/// <summary>TrialManager:QuestionnaireLinks:LifetimeHours: how long a participant's link stays open (default 7 days).</summary>
public sealed record QuestionnaireLinkSettings(TimeSpan Lifetime)
{
    public const double DefaultLifetimeHours = 7 * 24;

    public static QuestionnaireLinkSettings From(IConfiguration configuration)
    {
        var hours = configuration.GetValue<double?>("TrialManager:QuestionnaireLinks:LifetimeHours") ?? DefaultLifetimeHours;
        // A link is a bearer credential to one questionnaire: open for days, never for months.
        return hours is > 0 and <= 90 * 24
            ? new QuestionnaireLinkSettings(TimeSpan.FromHours(hours))
            : throw new InvalidOperationException($"TrialManager:QuestionnaireLinks:LifetimeHours is {hours}; it must be above 0 and at most 2160 (90 days).");
    }
}

/// <summary>A link's token: 256 random bits, URL-safe; the database keeps only its SHA-256.</summary>
public static class QuestionnaireTokens
{
    /// <summary>The longest token the page looks up (ours are 43 characters); anything longer is unknown without hashing it.</summary>
    public const int MaxLength = 64;

    public static string NewToken() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>The path a participant opens.</summary>
    public static string PathOf(string token) => "/q/" + token;
}
