using TrialManager.Server.Common;
using System.Security.Cryptography;
using System.Text;

namespace TrialManager.Server.Security;

/// <summary>A configured key: its name (logged and audited; never the key), role, SHA-256 hash and optional sites.</summary>
public sealed record ApiKey(string Name, string Role, string Sha256, IReadOnlyList<string> Sites)
{
    public bool LimitedToSites => Sites.Count > 0;

    /// <summary>
    /// What a page session remembers of its key: derived from the hash, so replacing the key under the same name
    /// ends the session, without the cookie carrying the hash itself. Derived once: every page request looks a
    /// session up among the keys by it.
    /// </summary>
    public string SessionId { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("trialmanager.page-session:" + Sha256)));
}

/// <summary>The configured keys. Keys are only ever held as SHA-256 hashes and compared in constant time.</summary>
public sealed class ApiKeyStore
{
    /// <summary>Development-only keys, one per role, published in the README and docs/api.md.</summary>
    public static readonly IReadOnlyList<(string Key, string Role)> DemoKeys =
        [("dev-coordinator", Roles.Coordinator), ("dev-statistician", Roles.Statistician), ("dev-ethics", Roles.Ethics), ("dev-admin", Roles.Admin),
         ("dev-therapist", Roles.Therapist), ("dev-assessor", Roles.Assessor), ("dev-rater", Roles.Rater), ("dev-rater-2", Roles.Rater),
         ("dev-dsmb", Roles.Dsmb)];

    private readonly (ApiKey Key, byte[] Hash)[] _keys;

    public ApiKeyStore(IEnumerable<ApiKey> keys)
    {
        _keys = [.. keys.Select(k => (k, Convert.FromHexString(k.Sha256)))];
    }

    public IReadOnlyList<ApiKey> Keys => [.. _keys.Select(k => k.Key)];

    public static string HashOf(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public ApiKey? Find(string presented)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        ApiKey? match = null;
        // Compare against every key, in constant time each, so timing says nothing about which or how close.
        foreach (var (key, expected) in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, expected))
            {
                match = key;
            }
        }

        return match;
    }

    /// <summary>Reads Authentication:ApiKeys; in Development adds the demo keys; elsewhere refuses any demo key.</summary>
    public static ApiKeyStore FromConfiguration(IConfiguration configuration, bool isDevelopment)
    {
        var keys = new List<ApiKey>();
        foreach (var section in configuration.GetSection("Authentication:ApiKeys").GetChildren())
        {
            var name = section["Name"] ?? section.Key;
            var role = section["Role"] ?? throw new InvalidOperationException($"API key '{name}' has no Role.");
            var sha = (section["Sha256"] ?? throw new InvalidOperationException($"API key '{name}' has no Sha256.")).ToLowerInvariant();
            if (!Roles.All.Contains(role))
            {
                throw new InvalidOperationException($"API key '{name}' has unknown role '{role}'.");
            }

            if (sha.Length != 64 || !sha.All(char.IsAsciiHexDigit))
            {
                throw new InvalidOperationException($"API key '{name}': Sha256 must be 64 hex digits (the SHA-256 of the key).");
            }

            var sites = section.GetSection("Sites").GetChildren().Select(s => s.Value!).Where(s => s is not null).ToArray();
            keys.Add(new ApiKey(name, role, sha, sites));
        }

        var demoHashes = DemoKeys.ToDictionary(d => HashOf(d.Key), d => d);
        if (isDevelopment)
        {
            keys.AddRange(DemoKeys.Where(d => keys.All(k => k.Sha256 != HashOf(d.Key)))
                .Select(d => new ApiKey(d.Key, d.Role, HashOf(d.Key), [])));
        }
        else if (keys.FirstOrDefault(k => demoHashes.ContainsKey(k.Sha256)) is { } demo)
        {
            throw new InvalidOperationException(
                $"API key '{demo.Name}' is a published demo key; demo keys are only allowed in the Development environment.");
        }

        return new ApiKeyStore(keys);
    }
}
