using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using TrialManager.Integration.Tests.Harness;
using TrialManager.Server.Common;

namespace TrialManager.Integration.Tests.Api;

/// <summary>
/// The contract's list convention: the body is the page's JSON array, <c>?limit=</c> (default 100, at most 1,000),
/// <c>?after=</c> an opaque cursor, and <c>Link: &lt;next&gt;; rel="next"</c> while more remain, filters kept.
/// </summary>
public abstract class PagingTests(TrialServer server)
{
    [ServerFact]
    public async Task Participants_FollowingLinks_ListsEveryOneOnce_InScreeningOrder_WithTheFiltersKept()
    {
        var trial = await TestTrials.CreateAsync(server, recruiting: true);
        var screened = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            screened.Add(await ScreenAsync(trial, i % 2 == 0 ? "AAA" : "BBB"));
        }

        var (pages, links) = await WalkAsync(server.Coordinator, $"/api/trials/{trial}/participants?site=AAA&limit=2");

        Assert.Equal([.. screened.Where((_, i) => i % 2 == 0)], pages.SelectMany(p => p).Select(Id));
        Assert.Equal([2, 2], pages.Select(p => p.Count));
        Assert.All(links, link =>
        {
            Assert.StartsWith(new Uri(server.Coordinator.BaseAddress!, $"/api/trials/{trial}/participants?").ToString(), link);
            Assert.Contains("site=AAA", link);
            Assert.Contains("limit=2", link);
        });
    }

    [ServerFact]
    public async Task Participants_ScreenedDuringTheWalk_NoneRepeatedNoneSkipped()
    {
        var trial = await TestTrials.CreateAsync(server, recruiting: true);
        var before = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            before.Add(await ScreenAsync(trial, "AAA"));
        }

        var first = await server.Coordinator.GetAsync($"/api/trials/{trial}/participants?limit=2");
        var seen = (await first.JsonAsync()).EnumerateArray().Select(Id).ToList();
        var later = new[] { await ScreenAsync(trial, "AAA"), await ScreenAsync(trial, "BBB") };
        var (rest, _) = await WalkAsync(server.Coordinator, NextLink(first)!);
        seen.AddRange(rest.SelectMany(p => p).Select(Id));

        Assert.Equal([.. before, .. later], seen);
    }

    [ServerFact]
    public async Task Trials_FollowingLinks_ListsEveryTrialOnce_WithItsCounts()
    {
        var created = new[] { await TestTrials.CreateAsync(server, recruiting: true), await TestTrials.CreateAsync(server, recruiting: false) };
        await ScreenAsync(created[0], "AAA");

        var (pages, _) = await WalkAsync(server.Coordinator, "/api/trials?limit=3");
        var trials = pages.SelectMany(p => p).ToList();

        Assert.Equal(trials.Count, trials.Select(Id).Distinct().Count());
        var ids = trials.Select(Id).ToList();
        Assert.True(ids.IndexOf(created[0]) >= 0 && ids.IndexOf(created[0]) < ids.IndexOf(created[1]), "oldest first");
        Assert.Equal(1, trials.Single(t => Id(t) == created[0]).GetProperty("counts").GetProperty("screened").GetInt32());
        Assert.Equal(0, trials.Single(t => Id(t) == created[1]).GetProperty("counts").GetProperty("screened").GetInt32());
    }

    [ServerFact]
    public async Task Reports_FollowingLinks_NewestFirst()
    {
        var trial = await TestTrials.CreateAsync(server, recruiting: true);
        var requested = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var response = await server.Ethics.PostJsonAsync($"/api/trials/{trial}/reports", new { kind = "ethicsProgress" });
            await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Accepted, response);
            requested.Add(Id(await response.JsonAsync()));
        }

        var (pages, _) = await WalkAsync(server.Ethics, $"/api/trials/{trial}/reports?limit=2");

        Assert.Equal([2, 1], pages.Select(p => p.Count));
        Assert.Equal(Enumerable.Reverse(requested), pages.SelectMany(p => p).Select(Id));
    }

    [ServerFact]
    public async Task Allocations_JsonIsPaged_CsvIsWhole()
    {
        var trial = await TestTrials.CreateAsync(server, recruiting: true);
        var randomized = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var id = await TestTrials.FormulatedParticipantAsync(server, trial, site: i % 2 == 0 ? "AAA" : "BBB");
            await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Coordinator.PostJsonAsync($"/api/participants/{id}/randomization", null));
            randomized.Add(id);
        }

        var (pages, _) = await WalkAsync(server.Statistician, $"/api/trials/{trial}/allocations?limit=2");
        using var csvRequest = new HttpRequestMessage(HttpMethod.Get, $"/api/trials/{trial}/allocations?limit=2");
        csvRequest.Headers.Accept.ParseAdd("text/csv");
        var csv = await server.Statistician.SendAsync(csvRequest);

        Assert.Equal([2, 2, 1], pages.Select(p => p.Count));
        Assert.Equal(randomized.Order(StringComparer.Ordinal), pages.SelectMany(p => p).Select(a => a.GetProperty("participantId").GetString()!).Order(StringComparer.Ordinal));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, csv);
        Assert.False(csv.Headers.Contains("Link"));
        Assert.Equal(1 + 5, (await csv.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [ServerFact]
    public async Task Audit_FollowingLinks_KeepsTheTrialFilter_InSequenceOrder()
    {
        var trial = await TestTrials.CreateAsync(server, recruiting: true);
        await ScreenAsync(trial, "AAA");
        await ScreenAsync(trial, "BBB");

        var (pages, links) = await WalkAsync(server.Admin, $"/api/audit?trialId={trial}&limit=1");
        var events = pages.SelectMany(p => p).ToList();

        Assert.True(events.Count >= 4, $"creation, status and two screenings: {events.Count}");
        Assert.All(events, e => Assert.Equal(trial, e.GetProperty("trialId").GetString()));
        var sequences = events.Select(e => e.GetProperty("sequence").GetInt64()).ToList();
        Assert.Equal(sequences.Order(), sequences);
        Assert.Equal(sequences.Count, sequences.Distinct().Count());
        Assert.All(links, link => Assert.Contains($"trialId={trial}", link));
    }

    [ServerFact]
    public async Task Lists_WithoutLimit_GiveAtMost100_AndALink()
    {
        var trial = await TestTrials.CreateAsync(server, recruiting: true);
        for (var i = 0; i < 101; i++)
        {
            await ScreenAsync(trial, "AAA");
        }

        var first = await server.Coordinator.GetAsync($"/api/trials/{trial}/participants");
        var whole = await server.Coordinator.GetAsync($"/api/trials/{trial}/participants?limit=1000");

        Assert.Equal(100, (await first.JsonAsync()).GetArrayLength());
        Assert.NotNull(NextLink(first));
        Assert.Equal(101, (await whole.JsonAsync()).GetArrayLength());
        Assert.Null(NextLink(whole));
    }

    [ServerFact]
    public async Task ParticipantsPage_PagesToo_ItsNextLinkKeepsTheFilter()
    {
        var trial = await TestTrials.CreateAsync(server, recruiting: true);
        var screened = new List<string>();
        for (var i = 0; i < 102; i++)
        {
            screened.Add(await ScreenAsync(trial, "AAA"));
        }

        using var page = await PageSignIn.SignedInClientAsync(server, "dev-coordinator");
        var first = await page.GetStringAsync(new Uri($"/trials/{trial}/participants?status=eligible", UriKind.Relative));
        var next = Regex.Match(first, "<a class=\"button\" rel=\"next\" href=\"([^\"]+)\"");
        Assert.True(next.Success, "the first page links to the next");
        var link = System.Net.WebUtility.HtmlDecode(next.Groups[1].Value);
        Assert.Contains("status=eligible", link);
        var second = await page.GetStringAsync(new Uri(link, UriKind.Relative));

        Assert.Contains(screened[99], first);
        Assert.DoesNotContain(screened[100], first);
        Assert.Contains(screened[100], second);
        Assert.Contains(screened[101], second);
        Assert.DoesNotContain(screened[99], second);
        Assert.DoesNotContain("rel=\"next\"", second);
    }

    [ServerFact]
    public async Task Limit_OutsideOneTo1000_Is400NamingIt()
    {
        var trial = await TestTrials.CreateAsync(server, recruiting: false);

        foreach (var limit in new[] { "0", "1001", "-1", "ten", "", "1.5", "99999999999" })
        {
            foreach (var (client, path) in ListPaths(trial))
            {
                (await ProblemAssertions.Assert400Async(await client.GetAsync($"{path}?limit={Uri.EscapeDataString(limit)}"))).AssertNames("limit");
            }
        }
    }

    [ServerFact]
    public async Task After_NotACursorTheListGave_Is400NamingIt()
    {
        var trial = await TestTrials.CreateAsync(server, recruiting: false);
        var cursors = new[]
        {
            "not a cursor", "", "e30", // {}
            "WyJ4Il0", // ["x"]: one part, not a number
            "WyIyMDI2LTEyLTAyIiwieCIsInkiXQ", // three parts
            "WyJ4IiwieSJd", // ["x","y"]: two parts, neither a time nor a number
        };

        foreach (var after in cursors)
        {
            foreach (var (client, path) in ListPaths(trial))
            {
                (await ProblemAssertions.Assert400Async(await client.GetAsync($"{path}?after={Uri.EscapeDataString(after)}"))).AssertNames("after");
            }
        }
    }

    private IEnumerable<(HttpClient Client, string Path)> ListPaths(string trial) =>
    [
        (server.Coordinator, "/api/trials"), (server.Coordinator, $"/api/trials/{trial}/participants"), (server.Ethics, $"/api/trials/{trial}/reports"),
        (server.Statistician, $"/api/trials/{trial}/allocations"), (server.Admin, "/api/audit"),
    ];

    private async Task<string> ScreenAsync(string trial, string site)
    {
        var response = await server.Coordinator.PostJsonAsync($"/api/trials/{trial}/participants",
            new { site, ageYears = 30, severity = 15, exclusions = Array.Empty<string>() });
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, response);
        return Id(await response.JsonAsync());
    }

    /// <summary>Follows rel="next" from <paramref name="start"/> until there is none; the pages and the links followed.</summary>
    private static async Task<(List<List<JsonElement>> Pages, List<string> Links)> WalkAsync(HttpClient client, string start)
    {
        var pages = new List<List<JsonElement>>();
        var links = new List<string>();
        string? next = start;
        while (next is not null)
        {
            var response = await client.GetAsync(next);
            await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, response);
            pages.Add([.. (await response.JsonAsync()).EnumerateArray().Select(e => e.Clone())]);
            next = NextLink(response);
            if (next is not null)
            {
                links.Add(next);
                Assert.True(pages.Count < 10_000, "the links never end");
            }
        }

        return (pages, links);
    }

    private static string? NextLink(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Link", out var values))
        {
            return null;
        }

        var link = Assert.Single(values);
        Assert.Matches("^<[^>]+>; rel=\"next\"$", link);
        return link[1..link.IndexOf('>')];
    }

    private static string Id(JsonElement e) => e.GetProperty("id").GetString()!;
}

[Collection(SqliteServerCollection.Name)]
public sealed class PagingTests_Sqlite(SqliteTrialServer server) : PagingTests(server);

[Collection(PostgresServerCollection.Name)]
public sealed class PagingTests_Postgres(PostgresTrialServer server) : PagingTests(server), IRunsOnPostgres;
