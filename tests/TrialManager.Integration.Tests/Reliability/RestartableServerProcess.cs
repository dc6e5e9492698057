using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace TrialManager.Integration.Tests.Reliability;

/// <summary>
/// The real server as a separate process (`dotnet TrialManager.Server.dll`), so it can be killed with SIGKILL,
/// restarted on the same data, or run twice against one database. Output is kept (the last lines) so that a
/// failing test can say what the server said.
/// </summary>
public sealed class RestartableServerProcess : IAsyncDisposable
{
    private const int KeptLines = 300;

    private readonly Queue<string> _lines = new();
    private readonly List<string> _failures = [];
    private bool _afterFailure;
    private readonly Process _process;
    private int _errorLines;

    private RestartableServerProcess(Process process, int port, string name)
    {
        _process = process;
        Port = port;
        Name = name;
        BaseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        Http = CreateClient(BaseAddress);
    }

    public string Name { get; }

    public int Port { get; }

    public Uri BaseAddress { get; }

    /// <summary>One client for all callers (no key on it; requests carry their own X-Api-Key).</summary>
    public HttpClient Http { get; }

    public bool HasExited => _process.HasExited;

    public int Id => _process.Id;

    /// <summary>CPU time the server has used (user + system): on a shared machine a fairer cost figure than wall time.</summary>
    public TimeSpan ProcessorTime
    {
        get
        {
            _process.Refresh();
            return _process.HasExited ? TimeSpan.Zero : _process.TotalProcessorTime;
        }
    }

    /// <summary>The server dll built beside this test assembly's configuration (the ProjectReference builds it).</summary>
    public static string ServerDll { get; } = LocateServerDll();

    /// <summary>
    /// Starts the server with the given settings (as --Key=Value arguments) in the Development environment (demo
    /// keys) and waits until /health answers 200.
    /// </summary>
    public static async Task<RestartableServerProcess> StartAsync(string name, IReadOnlyDictionary<string, string> settings, TimeSpan? healthTimeout = null)
    {
        var port = FreePort();
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(ServerDll)!,
        };
        info.ArgumentList.Add(ServerDll);
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        var all = new Dictionary<string, string>
        {
            // Per-request framework logs would drown what matters (our warnings and errors) in the kept tail.
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Warning",
            ["TrialManager:Jobs:ShutdownTimeoutSeconds"] = "2",
        };
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        foreach (var (key, value) in all)
        {
            info.ArgumentList.Add($"--{key}={value}");
        }

        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["Logging__Console__FormatterName"] = "simple";

        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start dotnet.");
        var server = new RestartableServerProcess(process, port, name);
        process.OutputDataReceived += (_, e) => server.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => server.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitHealthyAsync(healthTimeout ?? TimeSpan.FromSeconds(90));
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>Polls /health until 200; fails with the server's output if it exits or the time runs out.</summary>
    public async Task WaitHealthyAsync(TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        string last = "no answer yet";
        while (watch.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with {_process.ExitCode} before it was healthy.\n{Output()}");
            }

            try
            {
                using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                using var response = await Http.GetAsync(new Uri("/health", UriKind.Relative), cancel.Token);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }

                last = $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancel.Token)}";
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
            {
                last = e.GetType().Name + ": " + e.Message;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"{Name} was not healthy within {timeout.TotalSeconds:0} s (last: {last}).\n{Output()}");
    }

    /// <summary>SIGKILL, the whole tree: no shutdown hooks, no flushing, as in a power cut of the process.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    /// <summary>A graceful stop (SIGTERM), then SIGKILL if it does not exit in time.</summary>
    public async Task StopAsync(TimeSpan? grace = null)
    {
        if (_process.HasExited)
        {
            return;
        }

        using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await term.WaitForExitAsync();
        }

        using var wait = new CancellationTokenSource(grace ?? TimeSpan.FromSeconds(15));
        try
        {
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            await KillAsync();
        }
    }

    /// <summary>The server's last output lines, for failure messages.</summary>
    public string Output()
    {
        lock (_lines)
        {
            var text = new StringBuilder();
            var state = _process.HasExited ? $"exited {_process.ExitCode} at {_process.ExitTime:HH:mm:ss.fff}" : "running";
            text.Append(CultureInfo.InvariantCulture, $"--- {Name} (pid {_process.Id}, port {Port}, {state}) output, last {_lines.Count} lines; {_errorLines} fail/crit lines in all ---\n");
            foreach (var line in _lines)
            {
                text.Append(line).Append('\n');
            }

            return text.ToString();
        }
    }

    /// <summary>How many lines the server logged at error or critical level.</summary>
    public int ErrorLines => Volatile.Read(ref _errorLines);

    /// <summary>The first error entries the server logged (header and message line each).</summary>
    public string FirstErrors()
    {
        lock (_lines)
        {
            return string.Join('\n', _failures);
        }
    }

    public HttpRequestMessage Request(HttpMethod method, string path, string apiKey, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = content };
        request.Headers.Add("X-Api-Key", apiKey);
        request.Headers.Accept.ParseAdd("application/json");
        return request;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync(TimeSpan.FromSeconds(10));
        }
        finally
        {
            Http.Dispose();
            _process.Dispose();
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        var failure = line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal);
        if (failure)
        {
            Interlocked.Increment(ref _errorLines);
        }

        lock (_lines)
        {
            // The first few error entries (header and message line) stay, however much is logged after them.
            if ((failure || _afterFailure) && _failures.Count < 40)
            {
                _failures.Add(line);
            }

            _afterFailure = failure;
            _lines.Enqueue(line);
            while (_lines.Count > KeptLines)
            {
                _lines.Dequeue();
            }
        }
    }

    private static HttpClient CreateClient(Uri baseAddress) =>
        new(new SocketsHttpHandler { MaxConnectionsPerServer = 128, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(100),
        };

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }

    // tests/TrialManager.Integration.Tests/bin/<Configuration>/<tfm>/ -> src/TrialManager.Server/bin/<Configuration>/<tfm>/:
    // the server's own output folder has its own deps.json and protocols; the copy beside the tests is the fallback.
    private static string LocateServerDll()
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var tfm = here.Name;
        var configuration = here.Parent?.Name;
        for (var dir = here; dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TrialManager.sln")) && configuration is not null)
            {
                var own = Path.Combine(dir.FullName, "src", "TrialManager.Server", "bin", configuration, tfm, "TrialManager.Server.dll");
                if (File.Exists(own))
                {
                    return own;
                }

                break;
            }
        }

        var beside = Path.Combine(AppContext.BaseDirectory, "TrialManager.Server.dll");
        return File.Exists(beside)
            ? beside
            : throw new FileNotFoundException($"TrialManager.Server.dll not found for configuration {configuration} ({tfm}); build the solution first.");
    }
}
