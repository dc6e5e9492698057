using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;

namespace TrialManager.Testing;

/// <summary>How to start the server: its settings are configuration keys, passed only as <c>--Key=Value</c> arguments.</summary>
public sealed record ServerStart
{
    /// <summary>Names the process in failure messages (tests that run several say which one).</summary>
    public string Name { get; init; } = "server";

    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>A verb before the settings (e.g. <c>migrate</c>): the server then runs it and exits.</summary>
    public string? Verb { get; init; }

    /// <summary>Debug or Release; by default the one the running assembly was built in.</summary>
    public string? Configuration { get; init; }

    /// <summary>A fixed port (e.g. to restart on the same address); a free loopback port by default.</summary>
    public int? Port { get; init; }

    /// <summary>The process's working directory (its content root); the dll's folder by default.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>
    /// How long disposing waits after SIGTERM for a graceful exit before SIGKILL; zero kills at once, as a crash
    /// test wants, and is the default.
    /// </summary>
    public TimeSpan StopGrace { get; init; } = TimeSpan.Zero;
}

/// <summary>
/// The real built server as its own process (`dotnet TrialManager.Server.dll`, Development so the demo keys work) on
/// a loopback port: for what an in-process host cannot show (a SIGKILL, a cold start, a database going away, the
/// `migrate` verb, real static assets for a browser). Everything it writes is kept, for failure messages and logs.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private const int TailLines = 300;
    private const int KeptErrorLines = 40;

    private readonly Process _process;
    private readonly TimeSpan _stopGrace;
    private readonly List<string> _lines = [];
    private readonly List<string> _failures = [];
    private bool _afterFailure;
    private int _errorLines;

    private ServerProcess(Process process, string name, int port, TimeSpan stopGrace)
    {
        _process = process;
        _stopGrace = stopGrace;
        Name = name;
        Port = port;
        BaseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        Http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 128, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = BaseAddress,
            Timeout = TimeSpan.FromSeconds(100),
        };
    }

    public string Name { get; }

    public int Port { get; }

    public Uri BaseAddress { get; }

    /// <summary>One client for all callers (no key on it; requests carry their own X-Api-Key).</summary>
    public HttpClient Http { get; }

    public Stopwatch SinceStart { get; } = new();

    public bool HasExited => _process.HasExited;

    public int Id => _process.Id;

    /// <summary>User plus system CPU time of the server so far: unlike wall time, hardly moved by other load.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.HasExited ? TimeSpan.Zero : _process.TotalProcessorTime;
        }
    }

    /// <summary>The server dll of a configuration; its own output folder first, then the copy beside the running assembly.</summary>
    public static string ServerDll(string? configuration = null)
    {
        var own = RepositoryPaths.ServerDll(configuration);
        if (File.Exists(own))
        {
            return own;
        }

        var beside = Path.Combine(AppContext.BaseDirectory, "TrialManager.Server.dll");
        return configuration is null && File.Exists(beside)
            ? beside
            : throw new FileNotFoundException($"The server is not built: {own}. Build src/TrialManager.Server (or the test project, which references it) first.");
    }

    /// <summary>Starts the server and returns at once; <see cref="WaitHealthyAsync"/> waits for it.</summary>
    public static ServerProcess Start(ServerStart start)
    {
        var dll = ServerDll(start.Configuration);
        var port = start.Port ?? FreePort.Pick();
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = start.WorkingDirectory ?? Path.GetDirectoryName(dll)!,
        };
        info.ArgumentList.Add(dll);
        if (start.Verb is not null)
        {
            info.ArgumentList.Add(start.Verb);
        }

        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        foreach (var (key, value) in start.Settings)
        {
            info.ArgumentList.Add($"--{key}={value}");
        }

        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        info.Environment["DOTNET_ENVIRONMENT"] = "Development";
        info.Environment["DOTNET_NOLOGO"] = "1";
        // One line header per entry ("fail: ..."), which ErrorLines counts.
        info.Environment["Logging__Console__FormatterName"] = "simple";

        var server = new ServerProcess(new Process { StartInfo = info }, start.Name, port, start.StopGrace);
        server._process.OutputDataReceived += (_, e) => server.Keep(e.Data);
        server._process.ErrorDataReceived += (_, e) => server.Keep(e.Data);
        server.SinceStart.Start();
        server._process.Start();
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        return server;
    }

    /// <summary>Starts the server and waits until /health answers 200 (90 s by default); stops it if it never does.</summary>
    public static async Task<ServerProcess> StartAsync(ServerStart start, TimeSpan? healthTimeout = null)
    {
        var server = Start(start);
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

    /// <summary>Runs the server with a verb (e.g. <c>migrate</c>) to completion; returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunVerbAsync(string verb, IReadOnlyDictionary<string, string> settings, TimeSpan timeout)
    {
        await using var server = Start(new ServerStart { Name = verb, Verb = verb, Settings = settings });
        using var cancel = new CancellationTokenSource(timeout);
        await server._process.WaitForExitAsync(cancel.Token);
        return (server._process.ExitCode, server.AllOutput);
    }

    /// <summary>A client of its own, with the key on every request (null: none).</summary>
    public HttpClient Client(string? apiKey)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }

        return client;
    }

    public HttpRequestMessage Request(HttpMethod method, string path, string apiKey, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = content };
        request.Headers.Add("X-Api-Key", apiKey);
        request.Headers.Accept.ParseAdd("application/json");
        return request;
    }

    /// <summary>
    /// Polls /health until 200; returns the time since the process was started. Fails with the server's output if
    /// it exits or the time (counted from this call) runs out.
    /// </summary>
    public async Task<TimeSpan> WaitHealthyAsync(TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        using var client = new HttpClient { BaseAddress = BaseAddress };
        var last = "no answer yet";
        while (watch.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with {_process.ExitCode} before it was healthy.\n{Output()}");
            }

            try
            {
                using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                using var response = await client.GetAsync(new Uri("/health", UriKind.Relative), cancel.Token);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return SinceStart.Elapsed;
                }

                last = $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancel.Token)}";
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
            {
                last = e.GetType().Name + ": " + e.Message; // not listening yet, or still starting
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"{Name} was not healthy within {timeout.TotalSeconds:0} s (last: {last}).\n{Output()}");
    }

    /// <summary>SIGKILL, the whole tree: no shutdown hooks, no flushing, as in a power cut or an OOM kill.</summary>
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

    /// <summary>Everything the server wrote so far.</summary>
    public string AllOutput
    {
        get
        {
            lock (_lines)
            {
                return string.Join('\n', _lines) + (_lines.Count > 0 ? "\n" : string.Empty);
            }
        }
    }

    /// <summary>The server's last output lines under a header (which process, its state), for failure messages.</summary>
    public string Output()
    {
        lock (_lines)
        {
            var text = new StringBuilder();
            var state = _process.HasExited ? $"exited {_process.ExitCode} at {_process.ExitTime:HH:mm:ss.fff}" : "running";
            var tail = _lines.Skip(Math.Max(0, _lines.Count - TailLines)).ToList();
            text.Append(CultureInfo.InvariantCulture, $"--- {Name} (pid {_process.Id}, port {Port}, {state}) output, last {tail.Count} lines; {_errorLines} fail/crit lines in all ---\n");
            foreach (var line in tail)
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

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_stopGrace > TimeSpan.Zero)
            {
                await StopAsync(_stopGrace);
            }
            else
            {
                await KillAsync();
            }
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
            // The first few error entries (header and message line) stay at hand, however much is logged after them.
            if ((failure || _afterFailure) && _failures.Count < KeptErrorLines)
            {
                _failures.Add(line);
            }

            _afterFailure = failure;
            _lines.Add(line);
        }
    }
}
