using System.Diagnostics;
using System.Globalization;

namespace TrialManager.Integration.Tests.Harness;

/// <summary>
/// R, the outside reference for the agreement statistics and the runner of the export's analysis.R: <c>Rscript</c> with
/// the R packages a test needs, from Debian's packages (r-base-core and r-cran-*: psych for the agreement statistics;
/// lme4, jsonlite and digest for analysis.R). As root the packages are installed when missing, once per test run
/// (<see cref="SystemPackages"/>); otherwise the tests that need R fail with the command to run (R is part of what
/// the tests need, like PostgreSQL).
/// </summary>
public static class RStatistics
{
    /// <summary>What the export's analysis.R loads (docs/api.md, "Analysis export").</summary>
    public static readonly string[] AnalysisPackages = ["lme4", "jsonlite", "digest"];

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<Task<string?>>> Installs = new();

    /// <summary>Runs an R script (text) with the given arguments and returns its standard output.</summary>
    public static async Task<string> RunAsync(string script, params string[] arguments)
    {
        var file = Path.Combine(Path.GetTempPath(), $"tm-r-{Guid.NewGuid():N}.R");
        await File.WriteAllTextAsync(file, script);
        try
        {
            var (code, output, error) = await RunFileAsync(file, ["psych"], arguments);
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

    /// <summary>Runs an R script file with <c>Rscript --vanilla</c> once the R packages are there; its exit code, output and error output.</summary>
    public static async Task<(int Code, string Output, string Error)> RunFileAsync(string file, IReadOnlyList<string> packages, IReadOnlyList<string> arguments)
    {
        await EnsureInstalledAsync(packages);
        return await ExecAsync("Rscript", ["--vanilla", file, .. arguments], TimeSpan.FromMinutes(3));
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

    private static async Task EnsureInstalledAsync(IReadOnlyList<string> packages)
    {
        var debs = packages.Select(p => "r-cran-" + p.ToLowerInvariant()).Prepend("r-base-core").ToList();
        var problem = await Installs.GetOrAdd(string.Join(' ', debs), _ => new Lazy<Task<string?>>(() => SystemPackages.EnsureAsync(() => HasPackagesAsync(packages), debs))).Value;
        if (problem is not null)
        {
            throw new InvalidOperationException(problem);
        }
    }

    private static async Task<bool> HasPackagesAsync(IReadOnlyList<string> packages)
    {
        try
        {
            var (code, _, _) = await ExecAsync("Rscript", ["--vanilla", "-e", string.Concat(packages.Select(p => $"library({p});"))], TimeSpan.FromMinutes(1));
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
