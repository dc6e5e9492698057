using System.Collections.Concurrent;
using System.Diagnostics;

namespace TrialManager.Testing;

/// <summary>
/// Debian packages the tests need beside .NET (PostgreSQL, poppler, Chromium, R), installed with apt-get when they
/// are missing and the tests run as root; otherwise the caller fails with the command to run. Each set of packages is
/// tried once per process, and installs wait for dpkg's lock, since other test assemblies may install at the same time.
/// </summary>
public static class SystemPackages
{
    private static readonly ConcurrentDictionary<string, Lazy<Task<string?>>> Attempts = new();
    private static readonly SemaphoreSlim AptGate = new(1, 1);

    public static bool CanInstall => OperatingSystem.IsLinux() && Environment.UserName == "root";

    /// <summary>The command a person runs to install the packages by hand.</summary>
    public static string Command(IReadOnlyList<string> packages, bool withRecommends = false) =>
        $"apt-get install -y {(withRecommends ? string.Empty : "--no-install-recommends ")}{string.Join(' ', packages)}";

    /// <summary>
    /// Installs the packages unless <paramref name="present"/> says they are there already. Returns null when they are
    /// present afterwards, else why not (not root, or apt-get's output). With recommends for what runs beside them
    /// (a browser's fonts), without for what is only called (R).
    /// </summary>
    public static async Task<string?> EnsureAsync(Func<Task<bool>> present, IReadOnlyList<string> packages, bool withRecommends = false)
    {
        if (await present())
        {
            return null;
        }

        if (!CanInstall)
        {
            return $"{string.Join(", ", packages)} missing and the tests do not run as root, so they cannot install it: {Command(packages, withRecommends)}";
        }

        var problem = await Attempts.GetOrAdd(string.Join(' ', packages), _ => new Lazy<Task<string?>>(() => InstallAsync(packages, withRecommends))).Value;
        return problem ?? (await present() ? null : $"apt-get installed {string.Join(", ", packages)}, but they are still not usable.");
    }

    /// <summary>The same for synchronous callers.</summary>
    public static string? Ensure(Func<bool> present, IReadOnlyList<string> packages, bool withRecommends = false) =>
        EnsureAsync(() => Task.FromResult(present()), packages, withRecommends).GetAwaiter().GetResult();

    /// <summary>The first file of that name on the PATH, if any.</summary>
    public static string? OnPath(string file) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, file))
            .FirstOrDefault(File.Exists);

    private static async Task<string?> InstallAsync(IReadOnlyList<string> packages, bool withRecommends)
    {
        await AptGate.WaitAsync();
        try
        {
            string[] install = ["-o", "DPkg::Lock::Timeout=600", "install", "-y", .. withRecommends ? Array.Empty<string>() : ["--no-install-recommends"], .. packages];
            var (code, output) = await AptGetAsync(install, TimeSpan.FromMinutes(15));
            if (code != 0)
            {
                // Stale package lists (a fresh container has none): update, then try once more.
                await AptGetAsync(["-o", "DPkg::Lock::Timeout=600", "update"], TimeSpan.FromMinutes(5));
                (code, output) = await AptGetAsync(install, TimeSpan.FromMinutes(15));
            }

            return code == 0 ? null : $"Installing {string.Join(", ", packages)} failed (apt-get exited {code}):\n{output}";
        }
        finally
        {
            AptGate.Release();
        }
    }

    private static async Task<(int Code, string Output)> AptGetAsync(string[] arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo("apt-get") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start apt-get.");
        using var cancel = new CancellationTokenSource(timeout);
        var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var error = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"apt-get {string.Join(' ', arguments)} did not finish within {timeout}.");
        }

        return (process.ExitCode, await output + await error);
    }
}
