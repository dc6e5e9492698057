using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace TrialManager.Integration.Tests.Infrastructure;

/// <summary>The repository this test assembly was built from, and the server binaries built beside it.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>Debug or Release: the configuration this test assembly (and so the server it references) was built in.</summary>
    public static string Configuration { get; } =
        new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent?.Name ?? "Debug";

    public static string ServerDll(string? configuration = null) =>
        Path.Combine(Root, "src", "TrialManager.Server", "bin", configuration ?? Configuration, "net10.0", "TrialManager.Server.dll");

    public static string Source(string relative) => Path.Combine(Root, relative);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TrialManager.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No TrialManager.sln above {AppContext.BaseDirectory}.");
    }
}

/// <summary>
/// The real built server as its own process (`dotnet TrialManager.Server.dll`), for what an in-process host cannot
/// show: a SIGKILL, a cold start, the `migrate` verb. Output is kept for the failure message.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();

    private ServerProcess(Process process, int port)
    {
        this.process = process;
        Port = port;
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
    }

    public int Port { get; }

    public Uri BaseAddress { get; }

    public Stopwatch SinceStart { get; } = new();

    public bool HasExited => process.HasExited;

    /// <summary>User plus system CPU time of the server so far: unlike wall time, hardly moved by other load.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            process.Refresh();
            return process.TotalProcessorTime;
        }
    }

    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>Starts the server (Development, so the demo keys work) with the given extra arguments.</summary>
    public static ServerProcess Start(IEnumerable<string> arguments, string? configuration = null, int? port = null)
    {
        var dll = RepoPaths.ServerDll(configuration);
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"The server is not built: {dll}. Build src/TrialManager.Server first.");
        }

        var chosenPort = port ?? FreePort();
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        info.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add($"http://127.0.0.1:{chosenPort}");
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        info.Environment["DOTNET_NOLOGO"] = "1";

        var server = new ServerProcess(new Process { StartInfo = info }, chosenPort);
        server.process.OutputDataReceived += (_, e) => server.Append(e.Data);
        server.process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        server.SinceStart.Start();
        server.process.Start();
        server.process.BeginOutputReadLine();
        server.process.BeginErrorReadLine();
        return server;
    }

    /// <summary>Runs the server with a verb (e.g. `migrate`) to completion; returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunVerbAsync(IEnumerable<string> arguments, TimeSpan timeout)
    {
        await using var server = Start(arguments);
        using var cancel = new CancellationTokenSource(timeout);
        await server.process.WaitForExitAsync(cancel.Token);
        return (server.process.ExitCode, server.Output);
    }

    public HttpClient Client(string? apiKey)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }

        return client;
    }

    /// <summary>Polls /health until the first 200; returns the time since the process was started.</summary>
    public async Task<TimeSpan> WaitHealthyAsync(TimeSpan timeout)
    {
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        while (SinceStart.Elapsed < timeout)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The server exited with {process.ExitCode} before it was healthy:\n{Output}");
            }

            try
            {
                using var response = await client.GetAsync(new Uri("/health", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return SinceStart.Elapsed;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"The server was not healthy within {timeout}:\n{Output}");
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing; what a power cut or an OOM kill does.</summary>
    public async Task KillAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        process.Dispose();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }
}
