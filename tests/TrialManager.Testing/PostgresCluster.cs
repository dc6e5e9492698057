using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace TrialManager.Testing;

/// <summary>Whether PostgreSQL can be run here, and if not, why.</summary>
public sealed record PostgresAvailability(bool IsAvailable, string? BinDirectory, string? Reason);

/// <summary>
/// A throwaway PostgreSQL cluster built from the machine's binaries (/usr/lib/postgresql/&lt;highest&gt;/bin):
/// initdb in a temp directory, started on a free loopback port with durability switched off, stopped and
/// deleted on dispose. As root, the binaries are installed with apt-get when missing and initdb/pg_ctl run
/// as the <c>postgres</c> user (initdb refuses root).
/// </summary>
public sealed class PostgresCluster : IAsyncDisposable
{
    private const string PostgresRoot = "/usr/lib/postgresql";
    private const int StartAttempts = 5;

    private readonly string binDirectory;
    private bool disposed;

    private readonly bool durable;

    private PostgresCluster(string binDirectory, string directory, int port, bool durable)
    {
        this.binDirectory = binDirectory;
        this.durable = durable;
        DirectoryPath = directory;
        Port = port;
    }

    /// <summary>Binaries present (the highest version), or the reason they are not. Does not install.</summary>
    public static PostgresAvailability Availability
    {
        get
        {
            var bin = FindBinDirectory();
            return bin is not null
                ? new PostgresAvailability(true, bin, null)
                : new PostgresAvailability(false, null, $"No PostgreSQL binaries in {PostgresRoot}/*/bin (apt-get install postgresql).");
        }
    }

    /// <summary>The temp directory holding the data directory, the socket and server.log.</summary>
    public string DirectoryPath { get; }

    public int Port { get; }

    public string LogPath => Path.Combine(DirectoryPath, "server.log");

    private static bool IsRoot => Environment.UserName == "root";

    private string DataPath => Path.Combine(DirectoryPath, "data");

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port.ToString(CultureInfo.InvariantCulture)};Username=postgres;Database={database};Pooling=true;Maximum Pool Size=50";

    /// <summary>Starts a new cluster; throws with the reason (and the server log's tail) when it cannot.</summary>
    /// <param name="durable">Flush every commit (fsync on), as production does; benchmarks want it, tests do not need it.</param>
    public static async Task<PostgresCluster> StartAsync(CancellationToken cancellationToken = default, bool durable = false)
    {
        var problem = await SystemPackages.EnsureAsync(() => Task.FromResult(FindBinDirectory() is not null), ["postgresql"], withRecommends: true);
        if (problem is not null || FindBinDirectory() is not { } bin)
        {
            throw new InvalidOperationException(Availability.Reason + " " + problem);
        }

        var directory = Directory.CreateTempSubdirectory("trialmanager-pg-").FullName;
        try
        {
            if (IsRoot)
            {
                await RunCheckedAsync("chown", ["postgres:postgres", directory], cancellationToken);
            }

            await InitDbAsync(bin, directory, cancellationToken);
            return await StartOnFreePortAsync(bin, directory, durable, cancellationToken);
        }
        catch
        {
            TryDeleteDirectory(directory);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        try
        {
            await RunAsync(Path.Combine(binDirectory, "pg_ctl"), ["-D", DataPath, "-m", "fast", "-w", "stop"], asPostgres: IsRoot, CancellationToken.None);
        }
        finally
        {
            TryDeleteDirectory(DirectoryPath);
        }
    }

    private static string? FindBinDirectory()
    {
        if (!Directory.Exists(PostgresRoot))
        {
            return null;
        }

        return Directory.EnumerateDirectories(PostgresRoot)
            .Select(path => (Path: path, Version: ParseVersion(Path.GetFileName(path))))
            .Where(candidate => candidate.Version is not null
                && File.Exists(Path.Combine(candidate.Path, "bin", "initdb"))
                && File.Exists(Path.Combine(candidate.Path, "bin", "pg_ctl")))
            .OrderByDescending(candidate => candidate.Version)
            .Select(candidate => Path.Combine(candidate.Path, "bin"))
            .FirstOrDefault();
    }

    // Folder names are "15", "16", or older style "9.6".
    private static Version? ParseVersion(string name) =>
        Version.TryParse(name.Contains('.', StringComparison.Ordinal) ? name : name + ".0", out var version) ? version : null;

    private static async Task InitDbAsync(string bin, string directory, CancellationToken cancellationToken)
    {
        var data = Path.Combine(directory, "data");
        var initdb = Path.Combine(bin, "initdb");
        string[] common = ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8"];

        var utf8 = await RunAsync(initdb, [.. common, "--locale=C.UTF-8"], IsRoot, cancellationToken);
        if (utf8.ExitCode == 0)
        {
            return;
        }

        // Older clusters or minimal images may lack C.UTF-8; plain C sorts by bytes, which is fine for tests.
        TryDeleteDirectory(data);
        var plain = await RunAsync(initdb, [.. common, "--locale=C"], IsRoot, cancellationToken);
        if (plain.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"initdb failed with --locale=C.UTF-8:\n{utf8.Output}\nand with --locale=C:\n{plain.Output}");
        }
    }

    private static async Task<PostgresCluster> StartOnFreePortAsync(string bin, string directory, bool durable, CancellationToken cancellationToken)
    {
        var log = Path.Combine(directory, "server.log");
        var failures = new StringBuilder();
        for (var attempt = 1; attempt <= StartAttempts; attempt++)
        {
            var port = FreePort.Pick();
            var start = await PgCtlStartAsync(bin, directory, port, durable, cancellationToken);
            if (start.ExitCode == 0)
            {
                return new PostgresCluster(bin, directory, port, durable);
            }

            var tail = Tail(log, 30);
            failures.Append(CultureInfo.InvariantCulture, $"Attempt {attempt} on port {port}: pg_ctl exited {start.ExitCode}.\n{start.Output}\n");

            // Someone took the port between our probe and the server's bind: try another. Anything else is real.
            if (!tail.Contains("could not bind", StringComparison.OrdinalIgnoreCase)
                && !tail.Contains("already in use", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"PostgreSQL did not start.\n{failures}\nserver.log (tail):\n{tail}");
            }
        }

        throw new InvalidOperationException($"PostgreSQL did not start: no free port after {StartAttempts} attempts.\n{failures}\nserver.log (tail):\n{Tail(log, 30)}");
    }

    /// <summary>Stops the server (fast shutdown) but keeps the cluster, so it can be started again on the same port.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        var stop = await RunAsync(Path.Combine(binDirectory, "pg_ctl"), ["-D", DataPath, "-m", "fast", "-w", "stop"], IsRoot, cancellationToken);
        if (stop.ExitCode != 0)
        {
            throw new InvalidOperationException($"pg_ctl stop exited {stop.ExitCode}:\n{stop.Output}");
        }
    }

    /// <summary>Starts a stopped cluster again on its port.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        var start = await PgCtlStartAsync(binDirectory, DirectoryPath, Port, durable, cancellationToken);
        if (start.ExitCode != 0)
        {
            throw new InvalidOperationException($"pg_ctl start exited {start.ExitCode}:\n{start.Output}\nserver.log (tail):\n{Tail(LogPath, 30)}");
        }
    }

    private static Task<(int ExitCode, string Output)> PgCtlStartAsync(string bin, string directory, int port, bool durable, CancellationToken cancellationToken)
    {
        var options = string.Join(' ',
            $"-p {port.ToString(CultureInfo.InvariantCulture)}",
            $"-k \"{directory}\"",
            "-c listen_addresses=127.0.0.1",
            durable ? "-c fsync=on -c synchronous_commit=on" : "-c fsync=off -c synchronous_commit=off -c full_page_writes=off",
            "-c max_connections=200");
        return RunAsync(
            Path.Combine(bin, "pg_ctl"),
            ["-D", Path.Combine(directory, "data"), "-l", Path.Combine(directory, "server.log"), "-o", options, "-w", "-t", "60", "start"],
            IsRoot,
            cancellationToken);
    }

    private static string Tail(string path, int lines)
    {
        try
        {
            return File.Exists(path) ? string.Join('\n', File.ReadLines(path).TakeLast(lines)) : "(no server.log)";
        }
        catch (IOException exception)
        {
            return $"(server.log unreadable: {exception.Message})";
        }
    }

    private static void TryDeleteDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException)
        {
            // A leftover temp directory is not worth failing a test run over.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static async Task RunCheckedAsync(string fileName, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var result = await RunAsync(fileName, arguments, asPostgres: false, cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} exited {result.ExitCode}:\n{result.Output}");
        }
    }

    // As root, runuser switches to the postgres user without a shell, so no quoting is involved.
    private static async Task<(int ExitCode, string Output)> RunAsync(
        string fileName, IReadOnlyList<string> arguments, bool asPostgres, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(asPostgres ? "runuser" : fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asPostgres)
        {
            foreach (var argument in (string[])["-u", "postgres", "--", fileName])
            {
                info.ArgumentList.Add(argument);
            }
        }

        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        info.Environment["LC_ALL"] = "C.UTF-8";

        using var process = Process.Start(info)
            ?? throw new InvalidOperationException($"Could not start {info.FileName}.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, (await stdout) + (await stderr));
    }
}
