using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;

namespace TrialManager.Integration.Tests.Reliability;

/// <summary>One answer to one randomization request; Status 0 means no HTTP answer (connection lost, timeout).</summary>
public sealed record RandomizationAnswer(string ParticipantId, int Status, string? Arm, string? Stratum, int? Sequence, string Server, string? Error)
{
    public bool Answered => Status is 200 or 201;
}

/// <summary>
/// The load: every participant once plus duplicates (a third of all requests by default). About a quarter of the
/// duplicates directly follow their original, so with many clients they are sent at the same moment; the rest
/// come later. Clients take requests in order from one shared cursor and spread them over the given servers.
/// </summary>
public sealed class RandomizationBurst
{
    public const string CoordinatorKey = "dev-coordinator";

    private readonly IReadOnlyList<string> _requests;

    private RandomizationBurst(IReadOnlyList<string> requests, int participants)
    {
        _requests = requests;
        Participants = participants;
    }

    public int Requests => _requests.Count;

    public int Participants { get; }

    public int Duplicates => Requests - Participants;

    /// <summary>How many requests the load tests send: TRIALMANAGER_LOAD_REQUESTS, else <see cref="DefaultLoadRequests"/>.</summary>
    public static int ConfiguredRequests() => FromEnvironment("TRIALMANAGER_LOAD_REQUESTS", DefaultLoadRequests);

    /// <summary>How many the crash and scale-out bursts send: TRIALMANAGER_FAULT_REQUESTS, else <see cref="DefaultFaultRequests"/>.</summary>
    public static int ConfiguredFaultRequests() => FromEnvironment("TRIALMANAGER_FAULT_REQUESTS", DefaultFaultRequests);

    // The figure. On a quiet 2-core machine the two load tests take about 1 min (SQLite) and 2.3 min
    // (PostgreSQL); TRIALMANAGER_LOAD_REQUESTS makes a quicker local run.
    public const int DefaultLoadRequests = 10_000;

    public const int DefaultFaultRequests = 1_500;

    private static int FromEnvironment(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : fallback;

    /// <summary>The number of distinct participants for a burst of <paramref name="requests"/>: two thirds, rounded up.</summary>
    public static int ParticipantsFor(int requests) => (requests * 2 + 2) / 3;

    public static RandomizationBurst Plan(IReadOnlyList<string> participantIds, int requests, int seed)
    {
        if (requests < participantIds.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(requests), "Every participant is sent at least once.");
        }

        var random = new Random(seed);
        var originals = participantIds.OrderBy(_ => random.Next()).ToList();
        var keyed = originals.Select((id, i) => (Key: (double)i, Id: id)).ToList();
        for (var d = 0; d < requests - originals.Count; d++)
        {
            var i = random.Next(originals.Count);
            var key = random.Next(4) == 0 ? i + 0.5 : i + 1 + random.Next(originals.Count);
            keyed.Add((key, originals[i]));
        }

        return new RandomizationBurst([.. keyed.OrderBy(k => k.Key).Select(k => k.Id)], originals.Count);
    }

    /// <summary>
    /// Sends every request with <paramref name="clients"/> concurrent clients; <paramref name="onAnswer"/> sees the
    /// running count of answers. Cancelling stops handing out requests; those not sent are not in the result.
    /// </summary>
    public async Task<BurstResult> RunAsync(
        IReadOnlyList<RestartableServerProcess> servers, int clients, Action<int>? onAnswer = null, CancellationToken cancellationToken = default)
    {
        var answers = new ConcurrentBag<RandomizationAnswer>();
        var cursor = -1;
        var answered = 0;
        var watch = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, clients).Select(worker => Task.Run(async () =>
        {
            var server = servers[worker % servers.Count];
            int index;
            while (!cancellationToken.IsCancellationRequested && (index = Interlocked.Increment(ref cursor)) < _requests.Count)
            {
                var answer = await SendAsync(server, _requests[index]);
                answers.Add(answer);
                onAnswer?.Invoke(Interlocked.Increment(ref answered));
            }
        }, CancellationToken.None)).ToList();
        await Task.WhenAll(workers);
        return new BurstResult([.. answers], watch.Elapsed);
    }

    public static async Task<RandomizationAnswer> SendAsync(RestartableServerProcess server, string participantId)
    {
        try
        {
            using var request = server.Request(HttpMethod.Post, $"/api/participants/{participantId}/randomization", CoordinatorKey);
            using var response = await server.Http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.Created))
            {
                return new RandomizationAnswer(participantId, (int)response.StatusCode, null, null, null, server.Name, body);
            }

            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            return new RandomizationAnswer(
                participantId, (int)response.StatusCode, root.GetProperty("arm").GetString(), root.GetProperty("stratum").GetString(),
                root.GetProperty("sequence").GetInt32(), server.Name, null);
        }
        // A request in flight when a server is killed is unanswered, however the client learns it: while a connection
        // is being opened to a dying server, HttpClient can surface the bare SocketException (asking the half-open
        // socket for its remote end point) instead of wrapping it in an HttpRequestException.
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException or System.Net.Sockets.SocketException)
        {
            return new RandomizationAnswer(participantId, 0, null, null, null, server.Name, e.GetType().Name + ": " + e.Message);
        }
    }
}

public sealed record BurstResult(IReadOnlyList<RandomizationAnswer> Answers, TimeSpan Elapsed)
{
    public int Sent => Answers.Count;

    public int Created => Answers.Count(a => a.Status == 201);

    public int Repeats => Answers.Count(a => a.Status == 200);

    public int Unanswered => Answers.Count(a => a.Status == 0);

    public string Summary() =>
        $"{Sent} sent in {Elapsed.TotalSeconds:0.0} s ({Sent / Math.Max(0.001, Elapsed.TotalSeconds):0} req/s): {Created} created, {Repeats} repeats, {Unanswered} unanswered, "
        + $"{Answers.Count(a => a.Status is not (0 or 200 or 201))} other statuses";
}
