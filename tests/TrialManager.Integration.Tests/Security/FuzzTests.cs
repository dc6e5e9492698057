using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Integration.Tests.Api;
using TrialManager.Integration.Tests.Harness;
using Xunit.Abstractions;

namespace TrialManager.Integration.Tests.Security;

/// <summary>
/// Thousands of malformed and hostile requests (fixed seed) across every route of the authorization matrix: no
/// 5xx, every error a problem response, and the database changed only by the requests that were valid.
/// </summary>
public abstract class FuzzTests(TrialServer server, ITestOutputHelper output)
{
    public const int Seed = 20261126;
    public const int Requests = 5_200;

    private static readonly string[] HostileIds =
    [
        // No %00: the test host refuses a path with NUL before the application sees it (Kestrel answers 400 itself).
        "../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "%2e%2e%2f%2e%2e%2f", "..\\..\\windows\\win.ini", "%01", "a%7Fb", "' OR '1'='1",
        "1;DROP TABLE \"Trials\";--", "<script>alert(1)</script>", "%3Cscript%3E", "%F0%28%8C%BC", "%C0%AF", "%FF%FE", "%E2%80%AE",
        "%F0%9F%98%80", "null", "-1", "0", "99999999999999999999999999", "%20", "a%2Fb", "{trialId}", "$(id)", "%25", "~", "..", ".",
        new string('a', 300), new string('9', 5000), "x%0D%0ASet-Cookie:%20a=b", "%u002e%u002e", "\u00e9\u0301",
    ];

    private static readonly string[] HostileStrings =
    [
        "' OR 1=1 --", "\"; DROP TABLE \"Participants\"; --", "1' UNION SELECT * FROM \"AuditEvents\" --", "<script>alert('x')</script>",
        "<img src=x onerror=alert(1)>", "javascript:alert(1)", "${jndi:ldap://x}", "{{7*7}}", "../../../../etc/passwd", "\u0000", "\uFEFF",
        "\u202Eevil", "😀😀", "\ud83d", "NaN", "Infinity", "-0", "", " ", "\t\r\n", "%s%s%s%n", new string('Z', 70_000),
    ];

    private static readonly JsonNode?[] WrongTypes =
    [
        JsonValue.Create(123), JsonValue.Create("text"), JsonValue.Create(true), null, new JsonArray(), new JsonObject(), JsonValue.Create(1.5),
        JsonValue.Create(-1), JsonValue.Create(1e308), JsonValue.Create(-1e308), JsonNode.Parse("99999999999999999999999999999"),
        JsonValue.Create(2147483648L), JsonValue.Create(long.MinValue), JsonValue.Create("2026-13-45"), JsonValue.Create("unknownValue"),
        new JsonArray(JsonValue.Create("a"), null, JsonValue.Create(3)),
    ];

    private sealed record Target(AuthorizationMatrixTests.Row Row, string Key, Func<Random, JsonObject?> Body);

    [ServerFact]
    public async Task HostileRequests_ToEveryRoute_NeverCauseA5xx_AndLeaveTheDatabaseAsTheValidOnesMadeIt()
    {
        var random = new Random(Seed);
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        var formulated = await TestTrials.FormulatedParticipantAsync(server, trialId);
        var requested = await server.Ethics.PostJsonAsync($"/api/trials/{trialId}/reports", new { kind = "ethicsProgress" });
        var reportId = (await requested.JsonAsync()).GetProperty("id").GetString()!;
        var targets = Targets(random);
        Assert.Equal(AuthorizationMatrixTests.Matrix.Length, targets.Count);

        var before = await CountsAsync();
        var statuses = new SortedDictionary<int, int>();
        var validWrites = new Dictionary<string, int>();
        var failures = new List<string>();
        for (var i = 0; i < Requests; i++)
        {
            var target = targets[i % targets.Count];
            using var request = Build(random, target, trialId, formulated, reportId, out var description);
            using var client = server.Client(random.Next(40) == 0 ? RandomKey(random) : target.Key);
            HttpResponseMessage response;
            try
            {
                response = await client.SendAsync(request);
            }
            catch (Exception e)
            {
                failures.Add($"{description}: the server threw {e.GetType().Name}: {e.Message}");
                continue;
            }

            using (response)
            {
                var status = (int)response.StatusCode;
                statuses[status] = statuses.GetValueOrDefault(status) + 1;
                if (status >= 500)
                {
                    failures.Add($"{description}: {status} {server.Logs.Errors.LastOrDefault()?.Split(" at ")[0]}");
                }
                // Clients get problem details; the pages answer people with pages (the "not allowed" page is a 403).
                else if (status >= 400 && response.Content.Headers.ContentType?.MediaType != "application/problem+json"
                         && !(Server.Security.PageSession.IsPagePath(response.RequestMessage!.RequestUri!.AbsolutePath) && response.Content.Headers.ContentType?.MediaType == "text/html"))
                {
                    failures.Add($"{description}: {status} as {response.Content.Headers.ContentType?.MediaType ?? "no content type"}");
                }
                else if (status is 200 or 201 or 202 && request.Method == HttpMethod.Post)
                {
                    var key = $"{target.Row.Pattern} {status}";
                    validWrites[key] = validWrites.GetValueOrDefault(key) + 1;
                }
            }
        }

        output.WriteLine($"{Requests} requests, seed {Seed}; statuses: {string.Join(", ", statuses.Select(s => $"{s.Key}: {s.Value}"))}");
        output.WriteLine("valid writes: " + string.Join(", ", validWrites.Select(w => $"{w.Key}: {w.Value}")));
        Assert.True(failures.Count == 0, $"{failures.Count} bad answers:\n" + string.Join("\n", failures.Distinct().Take(40)));

        // Only the valid requests changed the database: row counts per table move exactly by what they made.
        var after = await CountsAsync();
        int Made(string pattern, int status) => validWrites.GetValueOrDefault($"{pattern} {status}");
        var screened = Made("/api/trials/{trialId}/participants", 201);
        var randomized = Made("/api/participants/{participantId}/randomization", 201);
        Assert.Equal(before["Trials"] + Made("/api/trials", 201), after["Trials"]);
        Assert.Equal(before["Participants"] + screened, after["Participants"]);
        Assert.Equal(before["FormulationRatings"] + Made("/api/participants/{participantId}/formulations", 200), after["FormulationRatings"]);
        Assert.Equal(
            before["ParticipantEvents"] + Made("/api/participants/{participantId}/events", 201) + Made("/api/alerts/{alertId:guid}/event", 201),
            after["ParticipantEvents"]);
        Assert.Equal(before["Allocations"] + randomized, after["Allocations"]);
        Assert.Equal(before["ProtocolDocuments"] + randomized, after["ProtocolDocuments"]);
        Assert.InRange(after["RandomizationStates"], before["RandomizationStates"], before["RandomizationStates"] + randomized);
        Assert.InRange(after["SiteCounters"], before["SiteCounters"], before["SiteCounters"] + screened);
        Assert.Equal(before["Reports"] + Made("/api/trials/{trialId}/reports", 202), after["Reports"]);

        // Nothing hostile was stored as an id, and the audit chain is intact.
        var trialIds = await server.WithDbAsync(db => db.Trials.Select(t => t.Id).ToListAsync());
        Assert.All(trialIds, id => Assert.Matches("^[a-z0-9-]{3,40}$", id));
        var verify = await (await server.Admin.GetAsync("/api/audit/verify")).JsonAsync();
        Assert.True(verify.GetProperty("valid").GetBoolean(), verify.GetRawText());
    }

    [ServerFact]
    public async Task MisspelledOrExtraMembers_InEveryRequestBody_AreA400NamingThem_AndChangeNothing()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        var participantId = await TestTrials.FormulatedParticipantAsync(server, trialId);
        var bodies = Targets(new Random(Seed))
            .Select(t => (t.Row, t.Key, Body: t.Body(new Random(Seed))))
            .Where(t => t.Row.Method == "POST" && t.Body is not null)
            .Append((Row: AuthorizationMatrixTests.Matrix.Single(r => r.Pattern.EndsWith("/design-simulation", StringComparison.Ordinal)), Key: "dev-statistician", Body: (JsonObject?)new JsonObject
            {
                ["trials"] = 10, ["participantsPerTrial"] = 20, ["seed"] = "fuzz",
                ["strata"] = new JsonArray(new JsonObject { ["levels"] = new JsonObject { ["formulation"] = "cognitive", ["site"] = "AAA" }, ["weight"] = 1 }),
            }))
            // The board's own kind, by the board: misspelled members are refused before the closed report is queued.
            .Append((Row: AuthorizationMatrixTests.Matrix.Single(r => r.Method == "POST" && r.Pattern == "/api/trials/{trialId}/reports"), Key: "dev-dsmb",
                Body: (JsonObject?)new JsonObject { ["kind"] = "dsmbClosed" }))
            .ToList();
        Assert.True(bodies.Count >= 9, $"{bodies.Count} request bodies"); // every POST body of the matrix, and the design simulation

        var before = await CountsAsync();
        var failures = new List<string>();
        var sent = 0;
        foreach (var (row, key, body) in bodies)
        {
            var path = row.Pattern.Replace("{trialId}", trialId, StringComparison.Ordinal).Replace("{participantId}", participantId, StringComparison.Ordinal)
                .Replace("{code}", "RC01", StringComparison.Ordinal).Replace("{alertId:guid}", Guid.NewGuid().ToString(), StringComparison.Ordinal)
                .Replace("{queryId:guid}", Guid.NewGuid().ToString(), StringComparison.Ordinal)
                .Replace("{reportId:guid}", Guid.NewGuid().ToString(), StringComparison.Ordinal)
                .Replace("{eventId:guid}", Guid.NewGuid().ToString(), StringComparison.Ordinal);
            using var client = server.Client(key);
            foreach (var (unknown, text) in Misspellings(body!))
            {
                sent++;
                using var response = await client.PostAsync(path, new StringContent(text, Encoding.UTF8, "application/json"));
                var answer = await response.Content.ReadAsStringAsync();
                var named = response.StatusCode == HttpStatusCode.BadRequest
                    && System.Text.Json.JsonDocument.Parse(answer).RootElement.TryGetProperty("errors", out var errors)
                    && errors.TryGetProperty(unknown, out var messages)
                    && messages.EnumerateArray().Any(m => m.GetString() == "is not a known field");
                if (!named)
                {
                    failures.Add($"{row.Pattern} with {unknown}: {(int)response.StatusCode} {answer[..Math.Min(answer.Length, 300)]}");
                }
            }
        }

        output.WriteLine($"{sent} misspelled or extra members sent");
        Assert.True(failures.Count == 0, $"{failures.Count} of {sent} not refused by name:\n" + string.Join("\n", failures.Take(40)));
        Assert.Equal(before, await CountsAsync());
    }

    /// <summary>
    /// For every member of every object in the body (the first element of arrays; not dictionaries of data): the body with
    /// that member misspelled in four ways, and with an extra member; each with the path the server must name.
    /// </summary>
    private static IEnumerable<(string Path, string Json)> Misspellings(JsonObject body)
    {
        string[] dataMaps = ["levels", "hypothesis", "items", "protocolVersions"]; // dictionaries keyed by data (factor levels, formulations, item ids), not by members
        string[] known = ["seed", "imbalance", "probability", "factors", "severityCutoff", "declined", "rationale", "consensus", "motivation", "expectancy", "registration", "category"];
        var results = new List<(string, string)>();

        void Visit(JsonObject node, string prefix)
        {
            var names = node.Select(p => p.Key).ToList();
            foreach (var name in names)
            {
                var variants = new[]
                {
                    name.Remove(name.Length / 2, 1),
                    name.Length >= 3 ? $"{name[0]}{name[2]}{name[1]}{name[3..]}" : name + "x",
                    name.EndsWith('s') ? name[..^1] : name + "s",
                    name.Insert(name.Length / 2, name[name.Length / 2].ToString()),
                };
                foreach (var variant in variants.Distinct(StringComparer.OrdinalIgnoreCase)
                             .Where(v => !names.Concat(known).Contains(v, StringComparer.OrdinalIgnoreCase)))
                {
                    Rename(node, name, variant);
                    results.Add((prefix + variant, body.ToJsonString()));
                    Rename(node, variant, name);
                }

                if (node[name] is JsonObject child && !dataMaps.Contains(name))
                {
                    Visit(child, $"{prefix}{name}.");
                }
                else if (node[name] is JsonArray { Count: > 0 } array && array[0] is JsonObject first)
                {
                    Visit(first, $"{prefix}{name}[0].");
                }
            }

            node["unexpectedMember"] = true;
            results.Add((prefix + "unexpectedMember", body.ToJsonString()));
            node.Remove("unexpectedMember");
        }

        Visit(body, string.Empty);
        return results;
    }

    /// <summary>Renames a member in place, keeping the order of the members.</summary>
    private static void Rename(JsonObject node, string from, string to)
    {
        var members = node.Select(p => (Name: p.Key == from ? to : p.Key, Value: p.Value)).ToList();
        node.Clear();
        foreach (var (name, value) in members)
        {
            node[name] = value;
        }
    }

    private Task<Dictionary<string, int>> CountsAsync() => server.WithDbAsync(async db => new Dictionary<string, int>
    {
        ["Trials"] = await db.Trials.CountAsync(),
        ["Participants"] = await db.Participants.CountAsync(),
        ["FormulationRatings"] = await Count(db, "FormulationRatings"),
        ["ParticipantEvents"] = await Count(db, "ParticipantEvents"),
        ["Allocations"] = await db.Allocations.CountAsync(),
        ["RandomizationStates"] = await db.RandomizationStates.CountAsync(),
        ["SiteCounters"] = await db.SiteCounters.CountAsync(),
        ["ProtocolDocuments"] = await db.ProtocolDocuments.CountAsync(),
        ["Reports"] = await db.Reports.CountAsync(),
    });

    private static Task<int> Count(TrialDbContext db, string table) =>
#pragma warning disable EF1002 // two fixed table names
        db.Database.SqlQueryRaw<int>($"SELECT COUNT(*) AS \"Value\" FROM \"{table}\"").SingleAsync();
#pragma warning restore EF1002

    /// <summary>One target per matrix row: a caller the row allows (so requests reach validation) and a valid body.</summary>
    private static List<Target> Targets(Random random)
    {
        static string KeyFor(AuthorizationMatrixTests.Row row) =>
            row.Coordinator == AuthorizationMatrixTests.Expect.Allowed ? "dev-coordinator" :
            row.Statistician == AuthorizationMatrixTests.Expect.Allowed ? "dev-statistician" :
            row.Ethics == AuthorizationMatrixTests.Expect.Allowed ? "dev-ethics" :
            row.Admin == AuthorizationMatrixTests.Expect.Allowed ? "dev-admin" :
            AuthorizationMatrixTests.Therapist(row) == AuthorizationMatrixTests.Expect.Allowed ? "dev-therapist" :
            AuthorizationMatrixTests.Assessor(row) == AuthorizationMatrixTests.Expect.Allowed ? "dev-assessor" :
            AuthorizationMatrixTests.Dsmb(row) == AuthorizationMatrixTests.Expect.Allowed ? "dev-dsmb" : "dev-rater";

        static JsonObject AdverseEventBody() => new()
        {
            ["type"] = "seriousAdverseEvent", ["occurredOn"] = "2026-11-21", ["description"] = "fuzz", ["serious"] = new JsonArray("hospitalisation"),
            ["severity"] = "severe", ["relatedness"] = "possible", ["expected"] = false, ["outcome"] = "recovered", ["resolvedOn"] = "2026-11-22",
        };

        // A whole definition, with a schedule so that its members are misspelled and fuzzed too.
        static JsonObject TrialBody(Random r)
        {
            var definition = TestTrials.Definition(id: $"fz-{r.Next():x8}");
            definition["schedule"] = Visits.VisitApiTests.Schedule();
            return JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(definition))!.AsObject();
        }

        JsonObject? BodyFor(string pattern, Random r) => pattern switch
        {
            "/api/trials" => TrialBody(r),
            "/api/trials/{trialId}/status" => new JsonObject { ["status"] = r.Next(2) == 0 ? "recruiting" : "paused" },
            "/api/trials/{trialId}/amendments" => new JsonObject
            {
                ["version"] = $"1.{r.Next(1, 1000)}", ["effectiveOn"] = "2026-12-05",
                ["ethicsApproval"] = new JsonObject { ["reference"] = "IRB-fuzz", ["date"] = "2026-12-04" },
                ["changes"] = new JsonObject
                {
                    ["addSites"] = new JsonArray($"S{r.Next(1000)}"), ["targetEnrollment"] = r.Next(1, 1000), ["consentVersion"] = $"2.{r.Next(1000)}",
                    ["protocolVersions"] = new JsonObject(),
                },
            },
            "/api/trials/{trialId}/participants" => new JsonObject
            {
                ["site"] = "AAA", ["ageYears"] = 34, ["severity"] = 18, ["exclusions"] = new JsonArray(), ["motivation"] = 6, ["expectancy"] = 7,
            },
            "/api/participants/{participantId}/consent" => new JsonObject { ["consentVersion"] = "1.0", ["consentedOn"] = "2026-11-20" },
            "/api/participants/{participantId}/formulations" => new JsonObject
            {
                ["rater"] = "R02",
                ["scores"] = new JsonObject { ["cognitive"] = 3, ["interpersonal"] = 1, ["behavioral"] = 0, ["environmental"] = 1 },
                ["consensus"] = false,
                ["rationale"] = "fuzz",
            },
            "/api/participants/{participantId}/withdrawal" => new JsonObject { ["category"] = "other", ["reason"] = "fuzz" },
            "/api/participants/{participantId}/events" or "/api/alerts/{alertId:guid}/event" => AdverseEventBody(),
            "/api/events/{eventId:guid}/review" => new JsonObject { ["comment"] = "fuzz" },
            "/api/trials/{trialId}/reports" => new JsonObject { ["kind"] = "ethicsProgress", ["freezeId"] = null },
            "/api/trials/{trialId}/therapists" => new JsonObject { ["code"] = $"T{r.Next(1000)}", ["site"] = "AAA", ["arms"] = new JsonArray("mediator") },
            "/api/participants/{participantId}/therapist" => new JsonObject { ["therapist"] = "T1" },
            "/api/participants/{participantId}/sessions" => new JsonObject { ["number"] = r.Next(1, 17), ["date"] = "2026-11-21", ["attendance"] = "attended" },
            "/api/participants/{participantId}/treatment-stop" => new JsonObject { ["category"] = "other", ["note"] = "fuzz" },
            "/api/participants/{participantId}/measures" => new JsonObject
            {
                ["instrument"] = "gad7", ["session"] = 1, ["completedOn"] = "2026-11-21",
                ["items"] = new JsonObject { ["1"] = 1, ["2"] = 0, ["3"] = 2, ["4"] = 1, ["5"] = 0, ["6"] = 1, ["7"] = 3 },
            },
            "/api/alerts/{alertId:guid}/acknowledgement" => new JsonObject { ["action"] = "fuzz" },
            "/api/participants/{participantId}/questionnaire-links" => new JsonObject { ["instrument"] = "alliance12", ["session"] = 1 },
            "/api/participants/{participantId}/ineligibility" => new JsonObject { ["criterion"] = "bipolar", ["note"] = "fuzz" },
            "/api/participants/{participantId}/queries" => new JsonObject { ["field"] = "severity", ["question"] = "fuzz" },
            "/api/queries/{queryId:guid}/answer" => new JsonObject { ["answer"] = "fuzz" },
            "/api/participants/{participantId}/corrections" => new JsonObject { ["field"] = "severity", ["value"] = r.Next(5, 28), ["reason"] = "fuzz" },
            "/api/trials/{trialId}/reference-cases" => new JsonObject
            {
                ["code"] = $"RC{r.Next(1000)}",
                ["scores"] = new JsonObject { ["cognitive"] = 4, ["interpersonal"] = 1, ["behavioral"] = 0, ["environmental"] = 0 },
                ["primary"] = "cognitive",
                ["material"] = "fuzz",
            },
            "/api/trials/{trialId}/reference-cases/{code}/ratings" => new JsonObject
            {
                ["scores"] = new JsonObject { ["cognitive"] = 3, ["interpersonal"] = 1, ["behavioral"] = 0, ["environmental"] = 1 },
            },
            "/api/reports/{reportId:guid}/signatures" => new JsonObject { ["meaning"] = r.Next(2) == 0 ? "reviewed" : "approved", ["key"] = "dev-ethics" },
            "/api/participants/{participantId}/unblinding" => new JsonObject { ["reason"] = "fuzz" },
            "/api/participants/{participantId}/blinding-guess" => new JsonObject { ["guess"] = r.Next(2) == 0 ? "dontKnow" : "mediator" },
            "/api/trials/{trialId}/power-simulation" => new JsonObject
            {
                ["hypothesis"] = new JsonObject { ["cognitive"] = "moderator" }, ["interaction"] = 0.5, ["trials"] = 100,
            },
            _ => null,
        };

        _ = random;
        return [.. AuthorizationMatrixTests.Matrix.Select(row => new Target(row, KeyFor(row), r => BodyFor(row.Pattern, r)))];
    }

    private static string RandomKey(Random random) => random.Next(4) switch
    {
        0 => "dev-ethics",
        1 => "' OR 1=1 --",
        2 => new string('k', 300),
        _ => "dev-statistician",
    };

    private static HttpRequestMessage Build(Random random, Target target, string trialId, string participantId, string reportId, out string description)
    {
        var row = target.Row;
        var hostilePath = random.Next(4) == 0;
        string Id(string real) => hostilePath ? HostileIds[random.Next(HostileIds.Length)] : real;
        var path = row.Pattern
            .Replace("{trialId}", Id(trialId), StringComparison.Ordinal)
            .Replace("{participantId}", Id(participantId), StringComparison.Ordinal)
            .Replace("{reportId:guid}", Id(reportId), StringComparison.Ordinal)
            .Replace("{alertId:guid}", Id(Guid.NewGuid().ToString()), StringComparison.Ordinal)
            .Replace("{eventId:guid}", Id(Guid.NewGuid().ToString()), StringComparison.Ordinal)
            .Replace("{token}", Id("not-a-token"), StringComparison.Ordinal)
            .Replace("{freezeId:guid}", Id(Guid.NewGuid().ToString()), StringComparison.Ordinal)
            .Replace("{queryId:guid}", Id(Guid.NewGuid().ToString()), StringComparison.Ordinal)
            .Replace("{code}", Id(row.Pattern.Contains("reference-cases", StringComparison.Ordinal) ? "RC01" : "gad7"), StringComparison.Ordinal)
            .Replace("{documentName}", hostilePath ? Id("v1") : "v1", StringComparison.Ordinal)
            .Replace("/{documentName?}", hostilePath ? "/" + Id("v1") : string.Empty, StringComparison.Ordinal)
            .Replace("/{**path}", hostilePath ? "/" + Id("x") : string.Empty, StringComparison.Ordinal);
        if (random.Next(3) == 0)
        {
            path += "?" + Query(random);
        }

        var method = row.Method == "*" ? "GET" : row.Method;
        if (random.Next(50) == 0)
        {
            method = new[] { "PUT", "DELETE", "PATCH", "GET", "POST" }[random.Next(5)];
        }

        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (row.Pattern.EndsWith("/allocations", StringComparison.Ordinal) && random.Next(2) == 0)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        }

        var mutation = "none";
        if (method is "POST" or "PUT" or "PATCH")
        {
            (request.Content, mutation) = Body(random, target.Body(random));
        }

        description = $"{method} {(path.Length > 120 ? path[..120] + "..." : path)} [{mutation}]";
        return request;
    }

    private static string Query(Random random)
    {
        var names = new[] { "status", "site", "search", "trialId", "after", "limit", "documentName", "kind", "format", "review" };
        var values = HostileStrings.Take(HostileStrings.Length - 1).Concat(["-5", "abc", "99999999999999999999", "0", "1e9", "randomized", "%FF"]).ToArray();
        return string.Join("&", Enumerable.Range(0, random.Next(1, 4)).Select(_ =>
            $"{names[random.Next(names.Length)]}={Uri.EscapeDataString(values[random.Next(values.Length)]).Replace("%25FF", "%FF", StringComparison.Ordinal)}"));
    }

    private static (HttpContent Content, string Mutation) Body(Random random, JsonObject? valid)
    {
        var body = valid ?? new JsonObject { ["unexpected"] = "field" };
        var fields = body.Select(p => p.Key).ToList();
        string Pick() => fields.Count == 0 ? "x" : fields[random.Next(fields.Count)];
        HttpContent Json(string text) => new StringContent(text, Encoding.UTF8, "application/json");

        switch (random.Next(17))
        {
            case 0:
                return (Json(body.ToJsonString()), "valid");
            case 1:
            {
                var field = Pick();
                body[field] = WrongTypes[random.Next(WrongTypes.Length)]?.DeepClone();
                return (Json(body.ToJsonString()), $"wrong type in {field}");
            }

            case 2:
                body.Remove(Pick());
                return (Json(body.ToJsonString()), "missing field");
            case 3:
                body["extra" + random.Next(100)] = "surplus";
                body["__proto__"] = new JsonObject { ["admin"] = true };
                return (Json(body.ToJsonString()), "extra fields");
            case 4:
            {
                var field = Pick();
                body[field] = new string('x', random.Next(1_000, 200_000));
                return (Json(body.ToJsonString()), $"huge string in {field}");
            }

            case 5:
            {
                var field = Pick();
                var huge = new[] { "1e308", "-1e308", "99999999999999999999999999999999", "2147483648", "-2147483649", "1.7976931348623157e309", "0.0000000000000000000001" };
                var text = body.ToJsonString();
                body[field] = 0;
                return (Json(body.ToJsonString().Replace($"\"{field}\":0", $"\"{field}\":{huge[random.Next(huge.Length)]}", StringComparison.Ordinal)), $"huge number in {field}");
            }

            case 6:
            {
                foreach (var name in new[] { "status", "type", "kind", "site", "consentVersion", "rater" }.Where(body.ContainsKey))
                {
                    body[name] = new[] { "unknownValue", "RECRUITING ", "0", "1", "Closed\u0000", "seriousadverseEVENT" }[random.Next(6)];
                }

                if (body["randomization"] is JsonObject r)
                {
                    r["method"] = "quantumShuffle";
                }

                if (body["formulations"] is JsonArray)
                {
                    body["formulations"] = new JsonArray("astrological");
                }

                return (Json(body.ToJsonString()), "unknown enum values");
            }

            case 7:
            case 8:
            {
                var field = Pick();
                body[field] = HostileStrings[random.Next(HostileStrings.Length)];
                return (Json(body.ToJsonString()), $"injection string in {field}");
            }

            case 9:
            {
                var bytes = Encoding.UTF8.GetBytes(body.ToJsonString()).ToList();
                var at = Math.Max(1, bytes.IndexOf((byte)'"') + 1);
                bytes.InsertRange(at, new byte[][] { [0xFF, 0xFE], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0x80] }[random.Next(4)]);
                var content = new ByteArrayContent([.. bytes]);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                return (content, "invalid UTF-8");
            }

            case 10:
            {
                var content = new ByteArrayContent(Encoding.UTF8.GetBytes("{\"pad\":\"" + new string('p', 300 * 1024) + "\"}"));
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                return (content, "oversized body");
            }

            case 11:
            {
                var types = new[] { "text/plain", "application/xml", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "text/csv", "application/json; charset=utf-16" };
                var type = types[random.Next(types.Length)];
                var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body.ToJsonString()));
                content.Headers.ContentType = MediaTypeHeaderValue.Parse(type);
                return (content, $"content type {type}");
            }

            case 12:
            {
                var depth = random.Next(17, 5_000);
                return (Json("{\"x\":" + new string('[', depth) + new string(']', depth) + "}"), $"nested {depth} deep");
            }

            case 13:
            {
                var junk = new[] { "{", "[1,2", "", "null", "[]", "\"text\"", "123", "{\"a\":}", "{'single':'quotes'}", "{\"a\":1,}", "\u0000" };
                return (Json(junk[random.Next(junk.Length)]), "not an object");
            }

            case 14:
            {
                var field = Pick();
                var text = body.ToJsonString();
                return (Json(text.Insert(text.Length - 1, $",\"{field}\":\"duplicate\"")), $"duplicate {field}");
            }

            case 15:
            {
                var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body.ToJsonString()));
                return (content, "no content type");
            }

            default:
            {
                var field = Pick();
                body[field] = new JsonArray(Enumerable.Range(0, random.Next(1, 5_000)).Select(i => (JsonNode?)JsonValue.Create(i)).ToArray());
                return (Json(body.ToJsonString()), $"long array in {field}");
            }
        }
    }
}

[Collection(SqliteServerCollection.Name)]
public sealed class FuzzTests_Sqlite(SqliteTrialServer server, ITestOutputHelper output) : FuzzTests(server, output);
