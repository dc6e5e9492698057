using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using TrialManager.Infrastructure.Persistence;

namespace TrialManager.Infrastructure.Auditing;

/// <summary>
/// The HMAC key of the audit chain, held outside the database: whoever can write to the database but cannot read
/// this key cannot rewrite an event without verification noticing (docs/security.md).
/// </summary>
public sealed class AuditKey
{
    public const string Setting = "TrialManager:Audit:HmacKey";
    public const string FileName = "audit-hmac.key";
    public const int MinimumBytes = 32;

    private AuditKey(byte[] bytes, string source)
    {
        Bytes = bytes;
        Source = source;
    }

    public byte[] Bytes { get; }

    /// <summary>Where the key came from, for the start-up log (never the key).</summary>
    public string Source { get; }

    /// <summary>True when the key was generated into the data directory by this call.</summary>
    public bool Generated { get; private init; }

    /// <summary>
    /// The configured key (base64 of at least 32 bytes). Without one, the embedded default (SQLite) and Development
    /// keep a generated key in the data directory, readable by the server's user only; a server database outside
    /// Development refuses to start, since every server must hold the same key and none may invent its own.
    /// </summary>
    public static AuditKey Load(IConfiguration configuration, DataPaths paths, DatabaseProvider provider, bool development)
    {
        if (configuration[Setting] is { Length: > 0 } configured)
        {
            return new AuditKey(Decode(configured, Setting), "configuration");
        }

        if (provider != DatabaseProvider.Sqlite && !development)
        {
            throw new InvalidOperationException(
                $"{Setting} is not configured. Every server of a {provider} installation needs the same audit key, kept outside the " +
                "database (a secret store or environment variable): base64 of 32 random bytes, e.g. `openssl rand -base64 32`.");
        }

        var path = Path.Combine(paths.DataDirectory, FileName);
        var generated = !File.Exists(path) && TryCreate(path);
        return new AuditKey(Decode(File.ReadAllText(path), path), path) { Generated = generated };
    }

    private static byte[] Decode(string text, string source)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(text.Trim());
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"The audit key in {source} is not base64.");
        }

        return bytes.Length >= MinimumBytes
            ? bytes
            : throw new InvalidOperationException($"The audit key in {source} has {bytes.Length} bytes; at least {MinimumBytes} are needed.");
    }

    /// <summary>
    /// Writes a new key to a temporary file created with mode 0600 and moves it into place, so a reader never sees a
    /// half-written key and two servers starting at once on one data directory end up with the same one.
    /// </summary>
    private static bool TryCreate(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var file = new StreamWriter(path: temporary, options))
        {
            file.Write(Convert.ToBase64String(RandomNumberGenerator.GetBytes(MinimumBytes)));
        }

        try
        {
            File.Move(temporary, path, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temporary);
            return false;
        }
    }
}
