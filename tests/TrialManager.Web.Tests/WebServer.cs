using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Playwright;

namespace TrialManager.Web.Tests;

/// <summary>
/// One real server process (the built TrialManager.Server on a free loopback port, SQLite in a temp folder, Development
/// so the demo keys work) and one headless Chromium for the whole test class.
/// </summary>
public class WebServer : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private static readonly string[] ChromiumArgs =
        ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"];

    private ServerProcess? _server;
    private IPlaywright? _playwright;
    private string _dataDirectory = string.Empty;

    public string BaseUrl { get; private set; } = string.Empty;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Screenshots of every main page land here (listed in the report, looked at by a person).</summary>
    public string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public static string ServerLogPath => Path.Combine(AppContext.BaseDirectory, "server.log");

    /// <summary>Where this fixture's server log is kept; a second fixture keeps its own beside the first.</summary>
    protected virtual string ServerLogFile => ServerLogPath;

    public string ServerLog => _server?.AllOutput ?? string.Empty;

    /// <summary>Settings a derived fixture adds to the server's (e.g. where notifications go).</summary>
    protected virtual IReadOnlyDictionary<string, string> ExtraSettings { get; } = new Dictionary<string, string>();

    public virtual async Task InitializeAsync()
    {
        await EnsureChromiumAsync();
        Directory.CreateDirectory(ScreenshotDirectory);
        _dataDirectory = Path.Combine(Path.GetTempPath(), "tm-web-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_dataDirectory);
        _server = await ServerProcess.StartAsync(new ServerStart
        {
            Settings = new Dictionary<string, string>(ExtraSettings)
            {
                ["TrialManager:DataDirectory"] = _dataDirectory,
                ["Database:Provider"] = "Sqlite",
                ["Logging:LogLevel:Default"] = "Warning",
                ["Logging:LogLevel:TrialManager.Startup"] = "Information",
                ["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] = "Information", // each request and its time
            },
            // The project folder as content root, as `dotnet run` has it.
            WorkingDirectory = RepositoryPaths.ServerProject,
        });
        BaseUrl = _server.BaseAddress.ToString().TrimEnd('/');

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumArgs,
        });
    }

    public virtual async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
            // Kept beside the test binaries: when a page times out, the server's side of it is here (.ci/run prints it).
            await File.WriteAllTextAsync(ServerLogFile, _server.AllOutput);
        }
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
        // Generous: the browser tests run beside the integration tests' load bursts on a 2-core CI machine, where a page
        // that answers in milliseconds when quiet once took over 15 s to finish loading. A real failure still fails.
        context.SetDefaultTimeout(60_000);
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
        var demo = File.ReadAllText(RepositoryPaths.Source(Path.Combine("protocols", "demo-trial.json")));
        return demo.Replace("\"fbr-dep-01\"", $"\"{id}\"", StringComparison.Ordinal);
    }

    public static string NewTrialId(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";

    private sealed record IdOnly(string Id);

    /// <summary>Installs Debian's chromium when it is missing and we may (root); Playwright's own download cannot work here.</summary>
    private static async Task EnsureChromiumAsync()
    {
        var problem = await SystemPackages.EnsureAsync(() => Task.FromResult(File.Exists(ChromiumPath)), ["chromium"], withRecommends: true);
        if (problem is not null)
        {
            throw new InvalidOperationException($"{ChromiumPath} is needed for the page tests: {problem}");
        }
    }
}
