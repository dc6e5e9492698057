using System.Net;
using System.Text;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using TrialManager.Integration.Tests.Api;
using TrialManager.Integration.Tests.Harness;

namespace TrialManager.Integration.Tests.Security;

/// <summary>
/// Every route the server maps x every caller, exactly as docs/api.md implies. The table is compared with the
/// server's own endpoint list both ways, so a new route without a row (or a row without a route) fails.
/// </summary>
public abstract class AuthorizationMatrixTests(TrialServer server)
{
    /// <summary>
    /// What a caller must get: 401, 403, a redirect to the pages' sign-in (pages authenticate by their own cookie
    /// session, never by an API key), or Allowed (anything else).
    /// </summary>
    public enum Expect
    {
        Unauthorized,
        Forbidden,
        SignIn,
        Allowed,
    }

    private const Expect U = Expect.Unauthorized;
    private const Expect F = Expect.Forbidden;
    private const Expect S = Expect.SignIn;
    private const Expect A = Expect.Allowed;

    public sealed record Row(string Method, string Pattern, Expect NoKey, Expect UnknownKey, Expect Coordinator, Expect Statistician, Expect Ethics, Expect Admin, Expect Rater);

    /// <summary>THE matrix. Method "*" is a route that answers any method.</summary>
    public static readonly Row[] Matrix =
    [
        //      method  pattern                                                  no key unknown coord  stat   ethics admin  rater
        new("GET",  "/health",                                                   A,     A,      A,     A,     A,     A, A),
        new("GET",  "/openapi/{documentName}.json",                              A,     A,      A,     A,     A,     A, A),
        new("GET",  "/docs/{documentName?}",                                     A,     A,      A,     A,     A,     A, A),
        new("GET",  "/docs/scalar.js",                                           A,     A,      A,     A,     A,     A, A),
        new("GET",  "/docs/scalar.aspnetcore.js",                                A,     A,      A,     A,     A,     A, A),
        new("GET",  "/docs/favicon.svg",                                         A,     A,      A,     A,     A,     A, A),
        new("*",    "/jobs/{**path}",                                            U,     U,      F,     F,     F,     A, F),

        new("POST", "/api/trials",                                               U,     U,      F,     F,     F,     A, F),
        new("GET",  "/api/trials",                                               U,     U,      A,     A,     A,     A, A),
        new("GET",  "/api/trials/{trialId}",                                     U,     U,      A,     A,     A,     A, A),
        new("POST", "/api/trials/{trialId}/status",                              U,     U,      F,     F,     F,     A, F),
        new("POST", "/api/trials/{trialId}/amendments",                          U,     U,      F,     F,     F,     A, F),
        new("GET",  "/api/trials/{trialId}/amendments",                          U,     U,      F,     F,     F,     A, F),

        new("POST", "/api/trials/{trialId}/participants",                        U,     U,      A,     F,     F,     F, F),
        new("GET",  "/api/trials/{trialId}/participants",                        U,     U,      A,     F,     F,     F, F),
        new("GET",  "/api/participants/{participantId}",                         U,     U,      A,     F,     F,     F, F),
        new("POST", "/api/participants/{participantId}/consent",                 U,     U,      A,     F,     F,     F, F),
        new("POST", "/api/participants/{participantId}/formulations",            U,     U,      A,     F,     F,     F, A),
        new("POST", "/api/participants/{participantId}/randomization",           U,     U,      A,     F,     F,     F, F),
        new("POST", "/api/participants/{participantId}/withdrawal",              U,     U,      A,     F,     F,     F, F),
        new("POST", "/api/participants/{participantId}/completion",              U,     U,      A,     F,     F,     F, F),
        new("POST", "/api/participants/{participantId}/ineligibility",           U,     U,      A,     F,     F,     F, F),
        new("GET",  "/api/trials/{trialId}/reconsent",                           U,     U,      A,     F,     F,     F, F),
        new("POST", "/api/participants/{participantId}/events",                  U,     U,      A,     F,     F,     F, F),
        new("GET",  "/api/participants/{participantId}/protocol-document",       U,     U,      A,     F,     F,     A, F),
        new("POST", "/api/participants/{participantId}/therapist",               U,     U,      A,     F,     F,     F, F),
        new("POST", "/api/participants/{participantId}/sessions",                U,     U,      A,     F,     F,     F, F),
        new("POST", "/api/participants/{participantId}/treatment-stop",          U,     U,      A,     F,     F,     F, F),
        new("POST", "/api/trials/{trialId}/therapists",                          U,     U,      F,     F,     F,     A, F),
        new("GET",  "/api/trials/{trialId}/caseloads",                           U,     U,      F,     A,     F,     A, F),
        new("GET",  "/api/therapists/me/participants",                           U,     U,      F,     F,     F,     F, F),
        new("POST", "/api/participants/{participantId}/measures",                U,     U,      A,     F,     F,     F, A),
        new("GET",  "/api/participants/{participantId}/measures",                U,     U,      A,     A,     F,     F, F),
        new("POST", "/api/participants/{participantId}/questionnaire-links",     U,     U,      A,     F,     F,     F, F),
        new("GET",  "/api/trials/{trialId}/alerts",                              U,     U,      A,     F,     F,     F, F),
        new("POST", "/api/alerts/{alertId:guid}/acknowledgement",                U,     U,      A,     F,     F,     F, F),
        new("POST", "/api/alerts/{alertId:guid}/event",                          U,     U,      A,     F,     F,     F, F),
        new("GET",  "/api/trials/{trialId}/events",                              U,     U,      F,     F,     F,     A, F),
        new("POST", "/api/events/{eventId:guid}/review",                         U,     U,      F,     F,     F,     A, F),
        new("GET",  "/api/trials/{trialId}/notifications",                       U,     U,      F,     F,     F,     A, F),
        new("GET",  "/api/trials/{trialId}/visits/due",                          U,     U,      A,     F,     F,     F, F),
        new("POST", "/api/participants/{participantId}/corrections",             U,     U,      A,     F,     F,     F, A),
        new("POST", "/api/participants/{participantId}/queries",                 U,     U,      F,     A,     F,     A, F),
        new("POST", "/api/queries/{queryId:guid}/answer",                        U,     U,      A,     F,     F,     F, F),
        new("GET",  "/api/trials/{trialId}/queries",                             U,     U,      A,     A,     F,     A, F),

        new("POST", "/api/trials/{trialId}/reference-cases",                     U,     U,      F,     F,     F,     A, F),
        new("GET",  "/api/trials/{trialId}/reference-cases",                     U,     U,      F,     F,     F,     A, A),
        new("POST", "/api/trials/{trialId}/reference-cases/{code}/ratings",      U,     U,      F,     F,     F,     F, A),
        new("GET",  "/api/trials/{trialId}/raters",                              U,     U,      F,     A,     F,     A, F),
        new("GET",  "/api/trials/{trialId}/double-ratings",                      U,     U,      F,     A,     F,     F, F),
        new("GET",  "/api/raters/me/queue",                                      U,     U,      F,     F,     F,     F, A),
        new("GET",  "/api/raters/me/ratings",                                    U,     U,      F,     F,     F,     F, A),
        new("GET",  "/api/raters/me/fidelity-ratings",                           U,     U,      F,     F,     F,     F, A),

        new("GET",  "/api/trials/{trialId}/allocations",                         U,     U,      F,     A,     F,     F, F),
        new("GET",  "/api/trials/{trialId}/balance",                             U,     U,      F,     A,     F,     F, F),
        new("GET",  "/api/trials/{trialId}/reliability",                         U,     U,      F,     A,     F,     F, F),
        new("GET",  "/api/trials/{trialId}/randomization-plan",                  U,     U,      F,     A,     F,     F, F),
        new("POST", "/api/trials/{trialId}/randomization-plan/verify",           U,     U,      F,     A,     F,     F, F),
        new("POST", "/api/trials/{trialId}/design-simulation",                   U,     U,      F,     A,     F,     F, F),
        new("POST", "/api/trials/{trialId}/power-simulation",                    U,     U,      F,     A,     F,     F, F),
        new("GET",  "/api/trials/{trialId}/consort",                             U,     U,      F,     A,     A,     A, F),
        new("GET",  "/api/trials/{trialId}/export",                              U,     U,      F,     A,     F,     F, F),
        new("POST", "/api/trials/{trialId}/freezes",                             U,     U,      F,     A,     F,     F, F),
        new("GET",  "/api/trials/{trialId}/freezes",                             U,     U,      F,     A,     F,     F, F),
        new("GET",  "/api/freezes/{freezeId:guid}/export",                       U,     U,      F,     A,     F,     F, F),

        new("POST", "/api/trials/{trialId}/reports",                             U,     U,      F,     F,     A,     A, F),
        new("GET",  "/api/trials/{trialId}/reports",                             U,     U,      F,     F,     A,     A, F),
        new("GET",  "/api/reports/{reportId:guid}",                              U,     U,      F,     F,     A,     A, F),
        new("GET",  "/api/reports/{reportId:guid}/pdf",                          U,     U,      F,     F,     A,     A, F),
        new("POST", "/api/reports/{reportId:guid}/signatures",                   U,     U,      F,     F,     A,     F, F),
        new("POST", "/api/reports/verification",                                 U,     U,      F,     F,     A,     A, F),

        new("POST", "/api/participants/{participantId}/unblinding",              U,     U,      F,     F,     F,     A, F),
        new("POST", "/api/participants/{participantId}/blinding-guess",          U,     U,      F,     F,     F,     F, F),
        new("GET",  "/api/trials/{trialId}/blinding",                            U,     U,      F,     F,     F,     F, F),

        new("GET",  "/api/instruments",                                          U,     U,      A,     A,     A,     A, A),
        new("GET",  "/api/instruments/{code}",                                   U,     U,      A,     A,     A,     A, A),

        new("GET",  "/api/audit",                                                U,     U,      F,     F,     F,     A, F),
        new("GET",  "/api/audit/verify",                                         U,     U,      F,     F,     F,     A, F),

        // Pages (Razor, method "*"): which role may see which page is walked in the browser tests; here, that an
        // API key opens none of them and the public ones stay public. /denied answers 403 to everyone by design.
        new("*",    "/",                                                         A,     A,      A,     A,     A,     A, A),
        new("*",    "/signin",                                                   A,     A,      A,     A,     A,     A, A),
        // The participant's questionnaire: no key, no session; an unknown token is a polite 404 page for everyone.
        new("*",    "/q/{token}",                                                A,     A,      A,     A,     A,     A, A),
        new("*",    "/signout",                                                  S,     S,      S,     S,     S,     S, S),
        new("*",    "/denied",                                                   F,     F,      F,     F,     F,     F, F),
        new("*",    "/trials",                                                   S,     S,      S,     S,     S,     S, S),
        new("*",    "/trials/{trialId}/participants",                            S,     S,      S,     S,     S,     S, S),
        new("*",    "/trials/{trialId}/screen",                                  S,     S,      S,     S,     S,     S, S),
        new("*",    "/trials/{trialId}/statistics",                              S,     S,      S,     S,     S,     S, S),
        new("*",    "/trials/{trialId}/exports",                                 S,     S,      S,     S,     S,     S, S),
        new("*",    "/trials/{trialId}/simulation",                              S,     S,      S,     S,     S,     S, S),
        new("*",    "/trials/{trialId}/ethics",                                  S,     S,      S,     S,     S,     S, S),
        new("*",    "/trials/{trialId}/dsmb",                                    S,     S,      S,     S,     S,     S, S),
        new("*",    "/trials/{trialId}/visits",                                  S,     S,      S,     S,     S,     S, S),
        new("*",    "/trials/{trialId}/queries",                                 S,     S,      S,     S,     S,     S, S),
        new("*",    "/trials/{trialId}/alerts",                                  S,     S,      S,     S,     S,     S, S),
        new("*",    "/trials/{trialId}/amendments",                              S,     S,      S,     S,     S,     S, S),
        new("*",    "/trials/{trialId}/reconsent",                               S,     S,      S,     S,     S,     S, S),
        new("*",    "/trials/{trialId}/serious-events",                          S,     S,      S,     S,     S,     S, S),
        new("*",    "/participants/{id}",                                        S,     S,      S,     S,     S,     S, S),
        new("*",    "/raters/queue",                                             S,     S,      S,     S,     S,     S, S),
        new("*",    "/raters/practice",                                          S,     S,      S,     S,     S,     S, S),
        new("*",    "/raters/ratings",                                           S,     S,      S,     S,     S,     S, S),
        new("*",    "/raters/fidelity",                                          S,     S,      S,     S,     S,     S, S),
        new("*",    "/therapists/me/participants",                               S,     S,      S,     S,     S,     S, S),
        new("*",    "/therapists/me/participants/{id}",                          S,     S,      S,     S,     S,     S, S),
        new("*",    "/admin/trials",                                             S,     S,      S,     S,     S,     S, S),
        new("*",    "/admin/audit",                                              S,     S,      S,     S,     S,     S, S),
        new("GET",  "/css/{asset}",                                              A,     A,      A,     A,     A,     A, A),
        new("GET",  "/js/{asset}",                                               A,     A,      A,     A,     A,     A, A),
        new("GET",  "/{**path:file}",                                            A,     A,      A,     A,     A,     A, A),
    ];

    /// <summary>
    /// The therapist's column, kept beside the matrix: the API routes a therapist key may use (on their own participants
    /// only: another participant is a 404, tested in the therapy tests). Every other API route is a 403; public routes
    /// stay public and pages want their sign-in, as for every key.
    /// </summary>
    public static readonly HashSet<string> TherapistRoutes =
    [
        "GET /api/participants/{participantId}",
        "GET /api/participants/{participantId}/protocol-document",
        "POST /api/participants/{participantId}/sessions",
        "GET /api/therapists/me/participants",
        "POST /api/participants/{participantId}/measures",
        "GET /api/participants/{participantId}/measures",
        "POST /api/participants/{participantId}/questionnaire-links",
        "POST /api/participants/{participantId}/corrections",
    ];

    /// <summary>
    /// The assessor's column, like the therapist's: blind to the arm, they enter visit measures, read them and the due
    /// list; the any-role routes answer them without arms (see AssessorBlindingTests); everything else is a 403.
    /// </summary>
    public static readonly HashSet<string> AssessorRoutes =
    [
        "POST /api/participants/{participantId}/measures",
        "GET /api/participants/{participantId}/measures",
        "GET /api/trials/{trialId}/visits/due",
        "POST /api/participants/{participantId}/corrections",
        "POST /api/participants/{participantId}/unblinding",
        "POST /api/participants/{participantId}/blinding-guess",
    ];

    /// <summary>
    /// The DSMB's column, like the therapist's: the board requests and reads reports (the closed ones only it) and signs
    /// its own, reads the blinding summary, lists serious adverse events and records their medical review, besides the
    /// any-role routes; everything else is a 403.
    /// </summary>
    public static readonly HashSet<string> DsmbRoutes =
    [
        "POST /api/trials/{trialId}/reports",
        "GET /api/trials/{trialId}/reports",
        "GET /api/reports/{reportId:guid}",
        "GET /api/reports/{reportId:guid}/pdf",
        "POST /api/reports/{reportId:guid}/signatures",
        "POST /api/reports/verification",
        "GET /api/trials/{trialId}/blinding",
        "GET /api/trials/{trialId}/events",
        "POST /api/events/{eventId:guid}/review",
    ];

    public static Expect Dsmb(Row row) =>
        row.NoKey is A or S || row.Pattern == "/denied" ? row.Coordinator
        : DsmbRoutes.Contains($"{row.Method} {row.Pattern}") ? A
        : new[] { row.Coordinator, row.Statistician, row.Ethics, row.Admin }.All(e => e == A) ? A
        : F;

    public static Expect Assessor(Row row) =>
        row.NoKey is A or S || row.Pattern == "/denied" ? row.Coordinator
        : AssessorRoutes.Contains($"{row.Method} {row.Pattern}") ? A
        : new[] { row.Coordinator, row.Statistician, row.Ethics, row.Admin }.All(e => e == A) ? A
        : F;

    public static Expect Therapist(Row row) =>
        row.NoKey is A or S || row.Pattern == "/denied" ? row.Coordinator
        : TherapistRoutes.Contains($"{row.Method} {row.Pattern}") ? A
        : new[] { row.Coordinator, row.Statistician, row.Ethics, row.Admin }.All(e => e == A) ? A // any role's routes
        : F;

    /// <summary>The routes the running server maps, as "METHOD pattern" (pattern normalised: no doubled or trailing slash).</summary>
    public static IReadOnlyList<(string Method, string Pattern)> ServerRoutes(TrialServer server) =>
    [
        .. server.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"])
                .Where(m => m != "HEAD" && m != "OPTIONS")
                .Select(m => (m, Normalize(e.RoutePattern.RawText ?? string.Empty))))
            .Distinct(),
    ];

    [ServerFact]
    public void Matrix_HasExactlyOneRowForEveryRouteTheServerMaps()
    {
        var routes = ServerRoutes(server).Select(r => $"{r.Method} {r.Pattern}").ToHashSet();
        var rows = Matrix.Select(r => $"{r.Method} {r.Pattern}").ToList();

        Assert.Equal(rows.Count, rows.Distinct().Count());
        var withoutRow = routes.Except(rows).Order().ToList();
        var withoutRoute = rows.Except(routes).Order().ToList();
        Assert.True(withoutRow.Count == 0, "Routes without a row in the authorization matrix: " + string.Join("; ", withoutRow));
        Assert.True(withoutRoute.Count == 0, "Matrix rows without a route: " + string.Join("; ", withoutRoute));
    }

    [ServerFact]
    public async Task EveryRoute_AnswersEveryCaller_AsTheMatrixSays()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        var participantId = await TestTrials.FormulatedParticipantAsync(server, trialId);
        var callers = new (string Name, string? Key, Func<Row, Expect> Expected)[]
        {
            ("no key", null, r => r.NoKey),
            ("unknown key", "not-a-key-" + Guid.NewGuid().ToString("N"), r => r.UnknownKey),
            ("coordinator", "dev-coordinator", r => r.Coordinator),
            ("statistician", "dev-statistician", r => r.Statistician),
            ("ethics", "dev-ethics", r => r.Ethics),
            ("admin", "dev-admin", r => r.Admin),
            ("therapist", "dev-therapist", Therapist),
            ("assessor", "dev-assessor", Assessor),
            ("dsmb", "dev-dsmb", Dsmb),
            ("rater", "dev-rater", r => r.Rater),
        };

        var failures = new List<string>();
        foreach (var row in Matrix)
        {
            var path = Concrete(row.Pattern, trialId, participantId);
            foreach (var (name, key, expected) in callers)
            {
                using var client = server.Client(key);
                // Bodies are empty objects: a permitted caller gets past authorization to validation (400), never 401/403.
                using var request = new HttpRequestMessage(new HttpMethod(row.Method == "*" ? "GET" : row.Method), path);
                if (row.Method == "POST")
                {
                    request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
                }

                using var response = await client.SendAsync(request);
                var status = (int)response.StatusCode;
                var actual = Classify(response);
                if (actual != expected(row))
                {
                    failures.Add($"{row.Method} {row.Pattern} as {name}: expected {expected(row)}, got {status}");
                }

                if (status >= 500)
                {
                    failures.Add($"{row.Method} {row.Pattern} as {name}: {status}");
                }

                // Clients get problem details; people (the pages) get pages.
                if (actual is U or F && !Server.Security.PageSession.IsPagePath(path)
                    && response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                {
                    failures.Add($"{row.Method} {row.Pattern} as {name}: {status} is not problem+json");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    /// <summary>Which expectation an answer meets: 401, 403, a redirect to the pages' sign-in, or anything else.</summary>
    public static Expect Classify(HttpResponseMessage response) => (int)response.StatusCode switch
    {
        401 => U,
        403 => F,
        302 when response.Headers.Location?.OriginalString.Contains("/signin", StringComparison.Ordinal) == true => S,
        _ => A,
    };

    private static string Normalize(string pattern)
    {
        var normalized = "/" + string.Join("/", pattern.Split('/', StringSplitOptions.RemoveEmptyEntries));
        // Static assets are mapped one endpoint per file (and per fingerprint and compression): one row per folder.
        foreach (var folder in new[] { "/css/", "/js/" })
        {
            if (normalized.StartsWith(folder, StringComparison.Ordinal))
            {
                return folder + "{asset}";
            }
        }

        return normalized;
    }

    /// <summary>A real path for a pattern: real ids where the route names one, so "allowed" is not just a 404.</summary>
    public static string Concrete(string pattern, string trialId, string participantId) => pattern
        .Replace("{trialId}", trialId, StringComparison.Ordinal)
        .Replace("{participantId}", participantId, StringComparison.Ordinal)
        .Replace("{code}", "RC01", StringComparison.Ordinal)
        .Replace("{id}", participantId, StringComparison.Ordinal)
        .Replace("{token}", "not-a-token", StringComparison.Ordinal)
        .Replace("/css/{asset}", "/css/site.css", StringComparison.Ordinal)
        .Replace("/js/{asset}", "/js/site.js", StringComparison.Ordinal)
        .Replace("/{**path:file}", "/robots.txt", StringComparison.Ordinal)
        .Replace("{code}", "phq9", StringComparison.Ordinal)
        .Replace("{reportId:guid}", Guid.NewGuid().ToString(), StringComparison.Ordinal)
        .Replace("{alertId:guid}", Guid.NewGuid().ToString(), StringComparison.Ordinal)
        .Replace("{eventId:guid}", Guid.NewGuid().ToString(), StringComparison.Ordinal)
        .Replace("{freezeId:guid}", Guid.NewGuid().ToString(), StringComparison.Ordinal)
        .Replace("{queryId:guid}", Guid.NewGuid().ToString(), StringComparison.Ordinal)
        .Replace("{documentName}", "v1", StringComparison.Ordinal)
        .Replace("/{documentName?}", string.Empty, StringComparison.Ordinal)
        .Replace("/{**path}", string.Empty, StringComparison.Ordinal);
}

[Collection(SqliteServerCollection.Name)]
public sealed class AuthorizationMatrixTests_Sqlite(SqliteTrialServer server) : AuthorizationMatrixTests(server);

[Collection(PostgresServerCollection.Name)]
public sealed class AuthorizationMatrixTests_Postgres(PostgresTrialServer server) : AuthorizationMatrixTests(server), IRunsOnPostgres;
