using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using Microsoft.Playwright;

namespace TrialManager.Web.Tests;

/// <summary>
/// One real server process (the built TrialManager.Server on a free loopback port, SQLite in a temp folder, Development
/// so the demo keys work) and one headless Chromium for the whole test class.
/// </summary>
public sealed class WebServer : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private static readonly string[] ChromiumArgs =
        ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"];

    private readonly StringBuilder _log = new();
    private Process? _server;
    private IPlaywright? _playwright;
    private string _dataDirectory = string.Empty;

    public string BaseUrl { get; private set; } = string.Empty;

    public IBrowser Browser { get; private set; } = null!;

    public string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>Screenshots of every main page land here (listed in the report, looked at by a person).</summary>
    public string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public static string ServerLogPath => Path.Combine(AppContext.BaseDirectory, "server.log");

    public string ServerLog
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public async Task InitializeAsync()
    {
        await EnsureChromiumAsync();
        Directory.CreateDirectory(ScreenshotDirectory);
        _dataDirectory = Path.Combine(Path.GetTempPath(), "tm-web-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_dataDirectory);
        var port = FreePort();
        BaseUrl = $"http://127.0.0.1:{port}";
        StartServer();
        await WaitForHealthAsync();

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumArgs,
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (_server is { HasExited: false })
        {
            _server.Kill(entireProcessTree: true);
            await _server.WaitForExitAsync();
        }

        _server?.Dispose();

        // Kept beside the test binaries: when a page times out, the server's side of it is here (.ci/run prints it).
        await File.WriteAllTextAsync(ServerLogPath, ServerLog);
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by the exiting server: the temp folder is cleaned by the OS.
        }
    }

    /// <summary>A fresh browser context (own cookies) with a page of the given width.</summary>
    public async Task<IPage> NewPageAsync(int width = 1280, int height = 900)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl,
            ViewportSize = new ViewportSize { Width = width, Height = height },
            AcceptDownloads = true,
        });
        context.SetDefaultTimeout(15_000);
        return await context.NewPageAsync();
    }

    public async Task<IPage> SignInAsync(string key, int width = 1280)
    {
        var page = await NewPageAsync(width);
        await page.GotoAsync("/");
        await page.GetByLabel("Key", new() { Exact = true }).FillAsync(key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(url => !url.EndsWith('/') && !url.Contains("/signin", StringComparison.Ordinal));
        return page;
    }

    public async Task ScreenshotAsync(IPage page, string name) =>
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = true });

    /// <summary>An API client with a demo key, for arranging data the test is not about.</summary>
    public HttpClient Api(string key)
    {
        var client = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    /// <summary>The demo trial's definition under a new id, created and opened for recruitment through the API.</summary>
    public async Task<string> CreateRecruitingTrialAsync(string prefix)
    {
        var id = NewTrialId(prefix);
        using var admin = Api("dev-admin");
        var created = await admin.PostAsync("/api/trials", new StringContent(TrialDefinition(id), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var recruiting = await admin.PostAsJsonAsync($"/api/trials/{id}/status", new { status = "recruiting" });
        Assert.Equal(HttpStatusCode.OK, recruiting.StatusCode);
        return id;
    }

    /// <summary>Screens, consents, formulates and randomizes one participant through the API; returns its study id.</summary>
    public async Task<string> RandomizeParticipantAsync(string trialId, string site, string formulation)
    {
        using var coordinator = Api("dev-coordinator");
        var screened = await coordinator.PostAsJsonAsync($"/api/trials/{trialId}/participants",
            new { site, ageYears = 40, severity = 18, exclusions = Array.Empty<string>(), motivation = 6, expectancy = 7 });
        Assert.Equal(HttpStatusCode.Created, screened.StatusCode);
        var id = (await screened.Content.ReadFromJsonAsync<IdOnly>())!.Id;
        (await coordinator.PostAsJsonAsync($"/api/participants/{id}/consent", new { consentVersion = "1.0", consentedOn = "2026-11-20" })).EnsureSuccessStatusCode();
        var scores = formulation == "cognitive"
            ? new { cognitive = 4, interpersonal = 1, behavioral = 0, environmental = 0 }
            : new { cognitive = 1, interpersonal = 4, behavioral = 0, environmental = 0 };
        (await coordinator.PostAsJsonAsync($"/api/participants/{id}/formulations", new { rater = "R01", scores, consensus = false })).EnsureSuccessStatusCode();
        (await coordinator.PostAsync($"/api/participants/{id}/randomization", null)).EnsureSuccessStatusCode();
        return id;
    }

    public string TrialDefinition(string id)
    {
        var demo = File.ReadAllText(Path.Combine(RepositoryRoot, "protocols", "demo-trial.json"));
        return demo.Replace("\"fbr-dep-01\"", $"\"{id}\"", StringComparison.Ordinal);
    }

    public static string NewTrialId(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";

    private sealed record IdOnly(string Id);

    private void StartServer()
    {
        var configuration = typeof(WebServer).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var projectDirectory = Path.Combine(RepositoryRoot, "src", "TrialManager.Server");
        var dll = Path.Combine(projectDirectory, "bin", configuration, "net10.0", "TrialManager.Server.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"The server is not built at {dll}; build the test project (it references the server).");
        }

        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = projectDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(BaseUrl);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["DOTNET_ENVIRONMENT"] = "Development";
        start.Environment["TrialManager__DataDirectory"] = _dataDirectory;
        start.Environment["Database__Provider"] = "Sqlite";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Logging__LogLevel__TrialManager.Startup"] = "Information";
        start.Environment["Logging__LogLevel__Microsoft.AspNetCore.Hosting.Diagnostics"] = "Information"; // each request and its time
        _server = Process.Start(start) ?? throw new InvalidOperationException("Could not start the server process.");
        _server.OutputDataReceived += (_, e) => Append(e.Data);
        _server.ErrorDataReceived += (_, e) => Append(e.Data);
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }

    private async Task WaitForHealthAsync()
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (_server!.HasExited)
            {
                throw new InvalidOperationException($"The server exited with {_server.ExitCode}:\n{ServerLog}");
            }

            try
            {
                if ((await client.GetAsync(BaseUrl + "/health")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Still starting.
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"The server did not become healthy within 90 s:\n{ServerLog}");
    }

    /// <summary>Installs Debian's chromium when it is missing and we may (root); Playwright's own download cannot work here.</summary>
    private static async Task EnsureChromiumAsync()
    {
        if (File.Exists(ChromiumPath))
        {
            return;
        }

        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            throw new InvalidOperationException(
                $"{ChromiumPath} is missing and this process is not root, so it cannot install it. Run `sudo apt-get install -y chromium` first.");
        }

        foreach (var command in new[] { "apt-get update", "DEBIAN_FRONTEND=noninteractive apt-get install -y chromium" })
        {
            using var apt = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", command]) { UseShellExecute = false })!;
            await apt.WaitForExitAsync();
            if (apt.ExitCode != 0)
            {
                throw new InvalidOperationException($"`{command}` failed with exit code {apt.ExitCode}; chromium is needed for the page tests.");
            }
        }

        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"apt-get installed chromium but {ChromiumPath} is still missing.");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TrialManager.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("TrialManager.sln not found above " + AppContext.BaseDirectory);
    }
}
