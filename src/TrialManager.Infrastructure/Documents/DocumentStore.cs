using System.Security.Cryptography;

namespace TrialManager.Infrastructure.Documents;

/// <summary>
/// Generated PDFs, frozen exports (zip) and a freeze's report figures (json), content-addressed by SHA-256 under one folder (the data directory by default; a shared volume
/// when several servers run). Writing the same bytes twice is harmless, which keeps document jobs idempotent.
/// </summary>
public sealed class DocumentStore(string directory)
{
    public string Directory { get; } = directory;

    public async Task<string> SaveAsync(byte[] content, CancellationToken cancellationToken, string extension = "pdf")
    {
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(content));
        var path = PathFor(sha256, extension);
        if (!File.Exists(path))
        {
            System.IO.Directory.CreateDirectory(Directory);
            var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
            await File.WriteAllBytesAsync(temporary, content, cancellationToken);
            File.Move(temporary, path, overwrite: true);
        }

        return sha256;
    }

    /// <summary>A new temporary file in the store's folder, for a document written as a stream and then kept by <see cref="KeepAsync"/>.</summary>
    public string TemporaryPath(string extension)
    {
        System.IO.Directory.CreateDirectory(Directory);
        return Path.Combine(Directory, $"write.{extension}.{Guid.NewGuid():N}.tmp");
    }

    /// <summary>Keeps a finished temporary file under its SHA-256 (a rename within the folder, so a reader never sees half a file).</summary>
    public async Task<string> KeepAsync(string temporaryPath, string extension, CancellationToken cancellationToken)
    {
        string sha256;
        await using (var file = File.OpenRead(temporaryPath))
        {
            sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(file, cancellationToken));
        }

        File.Move(temporaryPath, PathFor(sha256, extension), overwrite: true);
        return sha256;
    }

    /// <summary>
    /// Deletes the temporary files of writes that never finished (the process was killed between writing and renaming).
    /// Only old ones: the folder may be shared by several servers, and a young one can be another server's write in
    /// progress. The document they belonged to is still owed, so its job writes it again.
    /// </summary>
    public int RemoveAbandonedWrites(TimeSpan olderThan, DateTime utcNow)
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return 0;
        }

        var removed = 0;
        foreach (var file in new DirectoryInfo(Directory).EnumerateFiles("*.tmp").Where(f => f.Name.Contains(".pdf.", StringComparison.Ordinal) || f.Name.Contains(".json.", StringComparison.Ordinal) || f.Name.StartsWith("write.", StringComparison.Ordinal)))
        {
            if (utcNow - file.LastWriteTimeUtc < olderThan)
            {
                continue;
            }

            try
            {
                file.Delete();
                removed++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone already (another server swept it), held open or not ours to delete: the next start tries again.
            }
        }

        return removed;
    }

    public Stream? Open(string sha256, string extension = "pdf")
    {
        var path = PathFor(sha256, extension);
        return File.Exists(path) ? File.OpenRead(path) : null;
    }

    private string PathFor(string sha256, string extension = "pdf")
    {
        if (sha256.Length != 64 || !sha256.All(char.IsAsciiHexDigitLower))
        {
            throw new ArgumentException("Not a SHA-256 hex digest.", nameof(sha256));
        }

        return Path.Combine(Directory, sha256 + "." + extension);
    }
}
