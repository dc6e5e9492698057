using System.Text;
using TrialManager.Infrastructure.Documents;

namespace TrialManager.Infrastructure.Tests.Documents;

public sealed class DocumentStoreTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tm-store-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task Save_IsContentAddressedAndLeavesNoTemporaryFile()
    {
        var store = new DocumentStore(_directory);

        var first = await store.SaveAsync(Encoding.ASCII.GetBytes("%PDF-1.7 one"), CancellationToken.None);
        var again = await store.SaveAsync(Encoding.ASCII.GetBytes("%PDF-1.7 one"), CancellationToken.None);

        Assert.Equal(first, again);
        Assert.Equal([first + ".pdf"], Directory.GetFiles(_directory).Select(Path.GetFileName));
    }

    [Fact]
    public async Task RemoveAbandonedWrites_DeletesOnlyOldTemporaryFiles()
    {
        var store = new DocumentStore(_directory);
        var kept = await store.SaveAsync(Encoding.ASCII.GetBytes("%PDF-1.7 kept"), CancellationToken.None);
        var now = DateTime.UtcNow;
        var crashed = Path.Combine(_directory, new string('a', 64) + ".pdf." + Guid.NewGuid().ToString("N") + ".tmp");
        var inProgress = Path.Combine(_directory, new string('b', 64) + ".pdf." + Guid.NewGuid().ToString("N") + ".tmp");
        var unrelated = Path.Combine(_directory, "notes.tmp");
        foreach (var file in new[] { crashed, inProgress, unrelated })
        {
            await File.WriteAllTextAsync(file, "partial");
        }

        File.SetLastWriteTimeUtc(crashed, now.AddHours(-2));
        File.SetLastWriteTimeUtc(unrelated, now.AddHours(-2));
        File.SetLastWriteTimeUtc(inProgress, now.AddMinutes(-1));

        var removed = store.RemoveAbandonedWrites(TimeSpan.FromHours(1), now);

        Assert.Equal(1, removed);
        Assert.False(File.Exists(crashed));
        Assert.True(File.Exists(inProgress)); // perhaps another server's write, still under way
        Assert.True(File.Exists(unrelated)); // not a document write: not ours to delete
        Assert.NotNull(store.Open(kept));
    }

    [Fact]
    public async Task Keep_StoresAStreamedWriteUnderItsSha256_AndAnAbandonedOneIsSwept()
    {
        var store = new DocumentStore(_directory);
        var written = store.TemporaryPath("zip");
        await File.WriteAllTextAsync(written, "PK frozen export");
        var abandoned = store.TemporaryPath("zip");
        await File.WriteAllTextAsync(abandoned, "PK half");
        File.SetLastWriteTimeUtc(abandoned, DateTime.UtcNow.AddHours(-2));

        var sha256 = await store.KeepAsync(written, "zip", CancellationToken.None);

        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.ASCII.GetBytes("PK frozen export"))), sha256);
        await using (var kept = store.Open(sha256, "zip"))
        {
            Assert.Equal("PK frozen export", await new StreamReader(kept!).ReadToEndAsync());
        }

        Assert.Null(store.Open(sha256)); // a zip is not a PDF
        Assert.Equal(1, store.RemoveAbandonedWrites(TimeSpan.FromHours(1), DateTime.UtcNow));
        Assert.False(File.Exists(abandoned));
    }

    [Fact]
    public void RemoveAbandonedWrites_WithoutTheFolder_RemovesNothing() =>
        Assert.Equal(0, new DocumentStore(Path.Combine(_directory, "missing")).RemoveAbandonedWrites(TimeSpan.FromHours(1), DateTime.UtcNow));
}
