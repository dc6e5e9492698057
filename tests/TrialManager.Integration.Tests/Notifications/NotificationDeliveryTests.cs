using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using TrialManager.Integration.Tests.Api;
using TrialManager.Integration.Tests.Harness;

namespace TrialManager.Integration.Tests.Notifications;

/// <summary>
/// Issue 16: a safety alert reaches the trial's safety contacts by e-mail and the configured webhook. The real server
/// process, its settings pointing at an SMTP server and an HTTP listener in this process; what arrived is checked
/// (recipients, subject, signature, and that neither names the arm, stratum or answers), and an SMTP server that is
/// down at first still gets the e-mail through the job's retries, and one still owed when the server is killed gets it
/// after the restart.
/// </summary>
[Trait("Category", "Slow")]
public abstract class NotificationDeliveryTests : IAsyncLifetime
{
    private const string Secret = "whsec-0123456789abcdef0123456789abcdef";
    private const string SmtpUser = "trialmanager";
    private const string SmtpPassword = "smtp-pa55word-not-for-logs";
    private static readonly string[] Contacts = ["pi@example.org", "safety@example.org"];
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private static readonly string Today = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("trialmanager-notify-").FullName;
    private readonly int _smtpPort = FreePort.Pick();
    private readonly WebhookSink _webhooks = new(FreePort.Pick());

    /// <summary>Database settings for the server process; the provider's own resources are released on dispose.</summary>
    protected abstract Task<IReadOnlyDictionary<string, string>> DatabaseAsync();

    private async Task<ServerProcess> StartServerAsync()
    {
        var settings = new Dictionary<string, string>(await DatabaseAsync())
        {
            ["TrialManager:DataDirectory"] = _dataDirectory,
            ["TrialManager:Notifications:PublicBaseUrl"] = "https://trials.example.org",
            ["TrialManager:Notifications:Smtp:Host"] = "127.0.0.1",
            ["TrialManager:Notifications:Smtp:Port"] = _smtpPort.ToString(CultureInfo.InvariantCulture),
            ["TrialManager:Notifications:Smtp:From"] = "trialmanager@example.org",
            ["TrialManager:Notifications:Smtp:User"] = SmtpUser,
            ["TrialManager:Notifications:Smtp:Password"] = SmtpPassword,
            ["TrialManager:Notifications:Smtp:Tls"] = "None",
            // The token in the query stands for a receiver's own secret in its URL: never shown back.
            ["TrialManager:Notifications:Webhooks:Urls:0"] = $"http://127.0.0.1:{_webhooks.Port}/hooks/safety?token=receiver-token",
            ["TrialManager:Notifications:Webhooks:Secret"] = Secret,
        };
        return await ServerProcess.StartAsync(new ServerStart { Name = "notify", Settings = settings }, StartTimeout);
    }

    /// <summary>A recruiting trial with safety contacts, a randomized participant in therapy; records a phq9 whose item 9 is 1.</summary>
    private static async Task<(string TrialId, string ParticipantId, string Arm, string Stratum, string AlertId)> RaiseSelfHarmAlertAsync(ServerProcess server)
    {
        using var admin = server.Client("dev-admin");
        using var coordinator = server.Client("dev-coordinator");
        using var therapist = server.Client("dev-therapist");
        var definition = TestTrials.Definition();
        definition["safetyContacts"] = Contacts;
        var trialId = (string)definition["id"]!;
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await admin.PostJsonAsync("/api/trials", definition));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await admin.PostJsonAsync($"/api/trials/{trialId}/status", new { status = "recruiting" }));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await admin.PostJsonAsync($"/api/trials/{trialId}/therapists",
            new { code = "dev-therapist", site = "AAA", arms = new[] { "mediator", "moderator" } }));

        var screened = await coordinator.PostJsonAsync($"/api/trials/{trialId}/participants",
            new { site = "AAA", ageYears = 30, severity = 15, exclusions = Array.Empty<string>(), motivation = 6, expectancy = 7 });
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, screened);
        var id = (await screened.JsonAsync()).GetProperty("id").GetString()!;
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await coordinator.PostJsonAsync($"/api/participants/{id}/consent",
            new { consentVersion = "1.0", consentedOn = "2026-11-20" }));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await coordinator.PostJsonAsync($"/api/participants/{id}/formulations",
            new { rater = "R01", scores = new { cognitive = 4, interpersonal = 1, behavioral = 0, environmental = 0 }, consensus = false }));
        var randomized = await coordinator.PostJsonAsync($"/api/participants/{id}/randomization", null);
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, randomized);
        var allocation = await randomized.JsonAsync();
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await coordinator.PostJsonAsync($"/api/participants/{id}/therapist", new { therapist = "dev-therapist" }));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await therapist.PostJsonAsync($"/api/participants/{id}/sessions",
            new { number = 1, date = Today, attendance = "attended" }));

        var items = Enumerable.Range(1, 9).ToDictionary(i => i.ToString(CultureInfo.InvariantCulture), i => i == 9 ? 1 : 2);
        var recorded = await therapist.PostJsonAsync($"/api/participants/{id}/measures", new { instrument = "phq9", session = 1, completedOn = Today, items });
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, recorded);
        var alert = Assert.Single((await recorded.JsonAsync()).GetProperty("alerts").EnumerateArray());
        Assert.Equal("selfHarm", alert.GetProperty("rule").GetString());
        return (trialId, id, allocation.GetProperty("arm").GetString()!, allocation.GetProperty("stratum").GetString()!, alert.GetProperty("id").GetString()!);
    }

    private static async Task<T> WithinAsync<T>(TimeSpan timeout, Func<Task<T?>> probe, Func<string> failure)
        where T : class
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await probe() is { } found)
            {
                return found;
            }

            Assert.True(DateTime.UtcNow < deadline, failure());
            await Task.Delay(100);
        }
    }

    private static void AssertNamesNoAllocation(string text, string arm, string stratum)
    {
        foreach (var secret in new[] { "mediator", "moderator", arm, stratum, "cognitive", "\"arm\"", "stratum" })
        {
            Assert.DoesNotContain(secret, text, StringComparison.OrdinalIgnoreCase);
        }
    }

    [ServerFact]
    public async Task ASelfHarmAlert_IsMailedToTheSafetyContacts_AndPostedSigned_WithinSeconds_NamingNoArm()
    {
        await using var smtp = await SmtpSink.StartAsync(_smtpPort, SmtpUser, SmtpPassword);
        await using var server = await StartServerAsync();
        var (trialId, participantId, arm, stratum, alertId) = await RaiseSelfHarmAlertAsync(server);

        var email = await WithinAsync(TimeSpan.FromSeconds(10), () => Task.FromResult(smtp.Received.TryPeek(out var e) ? e : null),
            () => "No e-mail arrived within 10 s.\n" + server.Output());
        Assert.Equal(Contacts, email.EnvelopeTo.Order(StringComparer.Ordinal));
        Assert.Equal(Contacts, email.Message.To.Mailboxes.Select(m => m.Address).Order(StringComparer.Ordinal));
        Assert.Equal($"[TrialManager] Safety alert in {trialId}, site AAA, participant {participantId}", email.Message.Subject);
        var text = email.Message.TextBody;
        Assert.Contains("selfHarm", text, StringComparison.Ordinal);
        Assert.Contains("phq9", text, StringComparison.Ordinal);
        Assert.Contains($"https://trials.example.org/participants/{participantId}", text, StringComparison.Ordinal);
        AssertNamesNoAllocation(email.Message.Subject + text, arm, stratum);

        var hook = await WithinAsync(TimeSpan.FromSeconds(10), () => Task.FromResult(_webhooks.Received.TryPeek(out var h) ? h : null),
            () => "No webhook arrived within 10 s.\n" + server.Output());
        Assert.Equal("/hooks/safety?token=receiver-token", hook.Path);
        Assert.True(hook.SignatureVerifies(Secret), "The signature does not verify with the shared secret.");
        Assert.False(hook.SignatureVerifies(Secret + "x"), "The signature verifies with a wrong secret.");
        var timestamp = DateTimeOffset.FromUnixTimeSeconds(long.Parse(hook.Headers["X-TrialManager-Timestamp"], CultureInfo.InvariantCulture));
        Assert.InRange(timestamp, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddSeconds(5));
        var body = JsonDocument.Parse(hook.Body).RootElement;
        Assert.Equal(hook.Headers["X-TrialManager-Delivery"], body.GetProperty("id").GetString());
        Assert.Equal(("safetyAlert", trialId, "AAA", participantId, "phq9", "selfHarm", alertId),
            (body.GetProperty("kind").GetString(), body.GetProperty("trialId").GetString(), body.GetProperty("site").GetString(),
                body.GetProperty("studyId").GetString(), body.GetProperty("instrument").GetString(), body.GetProperty("rule").GetString(),
                body.GetProperty("subjectId").GetString()));
        AssertNamesNoAllocation(Encoding.UTF8.GetString(hook.Body), arm, stratum);

        // The admin sees both deliveries as sent; the webhook by its host only (its query holds the receiver's token).
        using var admin = server.Client("dev-admin");
        var listed = await WithinAsync(TimeSpan.FromSeconds(10), async () =>
        {
            var rows = (await (await admin.GetAsync($"/api/trials/{trialId}/notifications")).JsonAsync()).EnumerateArray().ToList();
            return rows.Count == 2 && rows.All(r => r.GetProperty("status").GetString() == "sent") ? rows : null;
        }, () => "The notifications were not listed as sent.");
        Assert.Equal([$"http://127.0.0.1:{_webhooks.Port}", string.Join(",", Contacts)], listed.Select(r => r.GetProperty("target").GetString()).Order(StringComparer.Ordinal));
        Assert.All(listed, r => Assert.Equal(1, r.GetProperty("attempts").GetInt32()));
        using var coordinator = server.Client("dev-coordinator");
        Assert.Equal(HttpStatusCode.Forbidden, (await coordinator.GetAsync($"/api/trials/{trialId}/notifications")).StatusCode);
        Assert.Single(smtp.Received);
        Assert.Single(_webhooks.Received);

        // An alert that a correction raises (an answer misread at entry) is told like one raised at entry.
        using var therapist = server.Client("dev-therapist");
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await therapist.PostJsonAsync($"/api/participants/{participantId}/sessions",
            new { number = 2, date = Today, attendance = "attended" }));
        var calm = await therapist.PostJsonAsync($"/api/participants/{participantId}/measures", new
        {
            instrument = "phq9", session = 2, completedOn = Today,
            items = Enumerable.Range(1, 9).ToDictionary(i => i.ToString(CultureInfo.InvariantCulture), _ => 0),
        });
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, calm);
        var calmMeasure = await calm.JsonAsync();
        Assert.Empty(calmMeasure.GetProperty("alerts").EnumerateArray());
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await coordinator.PostJsonAsync($"/api/participants/{participantId}/corrections", new
        {
            target = $"measure:{calmMeasure.GetProperty("id").GetString()}", field = "items.9", value = 1, reason = "the paper form was misread",
        }));
        await WithinAsync(TimeSpan.FromSeconds(10), () => Task.FromResult(smtp.Received.Count == 2 && _webhooks.Received.Count == 2 ? "both" : null),
            () => "The alert raised by the correction was not mailed and posted within 10 s.\n" + server.Output());

        // An unblinding is told to the same contacts (issue 17): who was told, not the arm and not the reason.
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await admin.PostJsonAsync($"/api/participants/{participantId}/unblinding",
            new { reason = "the treating psychiatrist needs the arm" }));
        await WithinAsync(TimeSpan.FromSeconds(10), () => Task.FromResult(smtp.Received.Count == 3 && _webhooks.Received.Count == 3 ? "both" : null),
            () => "The unblinding was not mailed and posted within 10 s.\n" + server.Output());
        var unblindingMail = smtp.Received.Last();
        Assert.Equal($"[TrialManager] Unblinding in {trialId}, site AAA, participant {participantId}", unblindingMail.Message.Subject);
        Assert.Contains("dev-admin", unblindingMail.Message.TextBody, StringComparison.Ordinal);
        var unblindingHook = _webhooks.Received.Last();
        Assert.Equal("unblinding", JsonDocument.Parse(unblindingHook.Body).RootElement.GetProperty("kind").GetString());
        foreach (var told in new[] { unblindingMail.Message.Subject + unblindingMail.Message.TextBody, Encoding.UTF8.GetString(unblindingHook.Body) })
        {
            AssertNamesNoAllocation(told, arm, stratum);
            Assert.DoesNotContain("psychiatrist", told, StringComparison.Ordinal);
        }
    }

    [ServerFact]
    public async Task ASeriousAdverseEvent_IsMailedAndPosted_WithinAMinute_NamingNoArm_AndSoIsAnEventCorrectedToSerious()
    {
        await using var smtp = await SmtpSink.StartAsync(_smtpPort, SmtpUser, SmtpPassword);
        await using var server = await StartServerAsync();
        var (trialId, participantId, arm, stratum, _) = await RaiseSelfHarmAlertAsync(server);
        await WithinAsync(TimeSpan.FromMinutes(1), () => Task.FromResult(smtp.Received.Count == 1 && _webhooks.Received.Count == 1 ? "alert" : null),
            () => "The alert's notifications did not arrive.\n" + server.Output());
        using var coordinator = server.Client("dev-coordinator");
        var serious = new Dictionary<string, object?>(TestEvents.Body("seriousAdverseEvent", Today, "Admitted after an overdose; named the therapy's mediator work"))
        {
            ["serious"] = new[] { "hospitalisation", "lifeThreatening" },
        };
        var recorded = await coordinator.PostJsonAsync($"/api/participants/{participantId}/events", serious);
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, recorded);
        var eventId = (await recorded.JsonAsync()).GetProperty("id").GetString();

        var email = await WithinAsync(TimeSpan.FromMinutes(1), () => Task.FromResult(smtp.Received.Skip(1).FirstOrDefault()),
            () => "No e-mail of the serious adverse event within a minute.\n" + server.Output());
        Assert.Equal(Contacts, email.EnvelopeTo.Order(StringComparer.Ordinal));
        Assert.Equal($"[TrialManager] Serious adverse event in {trialId}, site AAA, participant {participantId}", email.Message.Subject);
        Assert.Contains("hospitalisation, lifeThreatening", email.Message.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("overdose", email.Message.TextBody, StringComparison.Ordinal); // the description is free text: never sent
        AssertNamesNoAllocation(email.Message.Subject + email.Message.TextBody, arm, stratum);
        var hook = await WithinAsync(TimeSpan.FromMinutes(1), () => Task.FromResult(_webhooks.Received.Skip(1).FirstOrDefault()),
            () => "No webhook of the serious adverse event within a minute.\n" + server.Output());
        Assert.True(hook.SignatureVerifies(Secret));
        var body = JsonDocument.Parse(hook.Body).RootElement;
        Assert.Equal(("seriousAdverseEvent", eventId, participantId), (body.GetProperty("kind").GetString(), body.GetProperty("subjectId").GetString(),
            body.GetProperty("studyId").GetString()));
        AssertNamesNoAllocation(Encoding.UTF8.GetString(hook.Body), arm, stratum);

        // A non-serious event notifies nobody; corrected to serious, it is told as at entry.
        var mild = await coordinator.PostJsonAsync($"/api/participants/{participantId}/events", TestEvents.Body("adverseEvent", Today, "headache"));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, mild);
        var mildId = (await mild.JsonAsync()).GetProperty("id").GetString();
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await coordinator.PostJsonAsync($"/api/participants/{participantId}/corrections",
            new { target = $"event:{mildId}", field = "serious", value = new[] { "otherImportant" }, reason = "reassessed by the site physician" }));
        var corrected = await WithinAsync(TimeSpan.FromMinutes(1), () => Task.FromResult(smtp.Received.Skip(2).FirstOrDefault()),
            () => "No e-mail of the event corrected to serious within a minute.\n" + server.Output());
        Assert.Contains("otherImportant", corrected.Message.TextBody, StringComparison.Ordinal);
        await WithinAsync(TimeSpan.FromMinutes(1), () => Task.FromResult(_webhooks.Received.Count == 3 ? "three" : null),
            () => "No webhook of the event corrected to serious within a minute.");
        Assert.Equal(3, smtp.Received.Count);
    }

    [ServerFact]
    public async Task AnSmtpServerDownAtFirst_StillGetsTheEmail_ThroughTheRetries_AndTheFailureIsRecordedWithoutSecrets()
    {
        await using var server = await StartServerAsync();
        var (trialId, _, _, _, _) = await RaiseSelfHarmAlertAsync(server);
        using var admin = server.Client("dev-admin");

        async Task<JsonElement?> EmailRowAsync(Func<JsonElement, bool> when)
        {
            var rows = (await (await admin.GetAsync($"/api/trials/{trialId}/notifications")).JsonAsync()).EnumerateArray();
            return rows.Where(r => r.GetProperty("channel").GetString() == "email").Cast<JsonElement?>().FirstOrDefault(r => when(r!.Value));
        }

        var failed = await WithinAsync(TimeSpan.FromSeconds(20), async () => await EmailRowAsync(r => r.GetProperty("attempts").GetInt32() >= 1) is { } row ? (object)row : null,
            () => "The first e-mail attempt was not recorded.\n" + server.Output());
        var first = (JsonElement)failed;
        Assert.Equal("failed", first.GetProperty("status").GetString());
        var error = first.GetProperty("lastError").GetString()!;
        Assert.Contains($"127.0.0.1:{_smtpPort}", error, StringComparison.Ordinal);
        Assert.DoesNotContain(SmtpPassword, error, StringComparison.Ordinal);
        Assert.DoesNotContain(SmtpPassword, server.AllOutput, StringComparison.Ordinal);

        await using var smtp = await SmtpSink.StartAsync(_smtpPort, SmtpUser, SmtpPassword);
        var email = await WithinAsync(TimeSpan.FromSeconds(45), () => Task.FromResult(smtp.Received.TryPeek(out var e) ? e : null),
            () => "The e-mail did not arrive after the SMTP server came up.\n" + server.Output());
        Assert.Equal(Contacts, email.EnvelopeTo.Order(StringComparer.Ordinal));
        var sent = (JsonElement)await WithinAsync(TimeSpan.FromSeconds(10), async () => await EmailRowAsync(r => r.GetProperty("status").GetString() == "sent") is { } row ? (object)row : null,
            () => "The e-mail was not recorded as sent.");
        Assert.True(sent.GetProperty("attempts").GetInt32() >= 2);
        Assert.Single(smtp.Received);
    }

    [ServerFact]
    public async Task AServerKilledBeforeTheEmailWentOut_SendsItAfterTheRestart()
    {
        string trialId;
        await using (var server = await StartServerAsync())
        {
            (trialId, _, _, _, _) = await RaiseSelfHarmAlertAsync(server);
            using var admin = server.Client("dev-admin");
            // The first attempt failed (no SMTP server yet) and a retry is waiting: killed now, the process takes it along.
            await WithinAsync(TimeSpan.FromSeconds(20), async () =>
                (await (await admin.GetAsync($"/api/trials/{trialId}/notifications")).JsonAsync()).EnumerateArray()
                    .Any(r => r.GetProperty("channel").GetString() == "email" && r.GetProperty("attempts").GetInt32() >= 1) ? new object() : null,
                () => "The first e-mail attempt was not recorded.\n" + server.Output());
            await server.KillAsync();
        }

        await using var smtp = await SmtpSink.StartAsync(_smtpPort, SmtpUser, SmtpPassword);
        await using var restarted = await StartServerAsync();
        Assert.Matches(@"and [1-9]\d* owed notifications", restarted.AllOutput);
        var email = await WithinAsync(TimeSpan.FromSeconds(20), () => Task.FromResult(smtp.Received.TryPeek(out var e) ? e : null),
            () => "The e-mail owed before the kill did not arrive after the restart.\n" + restarted.Output());
        Assert.Contains(trialId, email.Message.Subject, StringComparison.Ordinal);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    // IAsyncLifetime, not IAsyncDisposable: xunit 2 never calls the latter on a test class, which left each PostgreSQL
    // test's cluster running and every data directory behind after the run.
    public virtual async Task DisposeAsync()
    {
        _webhooks.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        await Task.Yield();
        Directory.Delete(_dataDirectory, recursive: true);
    }
}

public sealed class NotificationDeliveryTests_Sqlite : NotificationDeliveryTests
{
    protected override Task<IReadOnlyDictionary<string, string>> DatabaseAsync() =>
        Task.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string> { ["Database:Provider"] = "Sqlite" });
}

public sealed class NotificationDeliveryTests_Postgres : NotificationDeliveryTests, IRunsOnPostgres
{
    private PostgresCluster? _cluster;
    private Dictionary<string, string>? _settings;

    /// <summary>One database for the test: a restarted server finds what the first one left.</summary>
    protected override async Task<IReadOnlyDictionary<string, string>> DatabaseAsync()
    {
        _cluster ??= await PostgresCluster.StartAsync();
        return _settings ??= new Dictionary<string, string>
        {
            ["Database:Provider"] = "PostgreSql",
            ["Database:MigrateOnStart"] = "true",
            ["ConnectionStrings:TrialManager"] = _cluster.ConnectionString(PostgresClusterFixture.NewDatabaseName("notify")),
        };
    }

    public override async Task DisposeAsync()
    {
        Npgsql.NpgsqlConnection.ClearAllPools();
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        await base.DisposeAsync();
    }
}
