using System.Diagnostics;
using System.Globalization;

namespace TrialManager.Integration.Tests.Harness;

/// <summary>
/// R, the outside reference for the agreement statistics: <c>Rscript</c> with the psych package, from Debian's
/// packages (r-base-core, r-cran-psych). As root the packages are installed when missing, once per test run
/// (<see cref="SystemPackages"/>); otherwise the tests that need R fail with the command to run (R is part of what
/// the tests need, like PostgreSQL).
/// </summary>
public static class RStatistics
{
    private static readonly SemaphoreSlim InstallGate = new(1, 1);
    private static string? _installProblem;
    private static bool _checked;

    /// <summary>Runs an R script (text) with the given arguments and returns its standard output.</summary>
    public static async Task<string> RunAsync(string script, params string[] arguments)
    {
        await EnsureInstalledAsync();
        var file = Path.Combine(Path.GetTempPath(), $"tm-r-{Guid.NewGuid():N}.R");
        await File.WriteAllTextAsync(file, script);
        try
        {
            var (code, output, error) = await ExecAsync("Rscript", ["--vanilla", file, .. arguments], TimeSpan.FromMinutes(2));
            if (code != 0)
            {
                throw new InvalidOperationException($"Rscript exited {code}:\n{error}\n{output}");
            }

            return output;
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>Reads lines "name value" (what the scripts print with %.17g) into a dictionary.</summary>
    public static IReadOnlyDictionary<string, double> ParseValues(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(' ', 2))
            .Where(parts => parts.Length == 2)
            .ToDictionary(
                parts => parts[0],
                parts => parts[1] switch
                {
                    "NA" or "NaN" => double.NaN,
                    var v => double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture),
                });

    private static async Task EnsureInstalledAsync()
    {
        await InstallGate.WaitAsync();
        try
        {
            if (!_checked)
            {
                _checked = true;
                _installProblem = await InstallProblemAsync();
            }
        }
        finally
        {
            InstallGate.Release();
        }

        if (_installProblem is not null)
        {
            throw new InvalidOperationException(_installProblem);
        }
    }

    private static Task<string?> InstallProblemAsync() =>
        SystemPackages.EnsureAsync(HasPsychAsync, ["r-base-core", "r-cran-psych"]);

    private static async Task<bool> HasPsychAsync()
    {
        try
        {
            var (code, _, _) = await ExecAsync("Rscript", ["--vanilla", "-e", "library(psych)"], TimeSpan.FromMinutes(1));
            return code == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // no Rscript on the PATH
        }
    }

    private static async Task<(int Code, string Output, string Error)> ExecAsync(string file, string[] arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using var process = Process.Start(start)!;
        using var cancel = new CancellationTokenSource(timeout);
        var output = process.StandardOutput.ReadToEndAsync(cancel.Token);
        var error = process.StandardError.ReadToEndAsync(cancel.Token);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} did not finish within {timeout}.");
        }

        return (process.ExitCode, await output, await error);
    }
}
