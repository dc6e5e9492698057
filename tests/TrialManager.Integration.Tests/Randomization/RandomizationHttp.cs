using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using TrialManager.Integration.Tests.Api;
using TrialManager.Integration.Tests.Harness;

namespace TrialManager.Integration.Tests.Randomization;

/// <summary>Designs, participants and the statistician's allocation table, as the randomization tests use them.</summary>
internal static class RandomizationHttp
{
    public static readonly object Blocks = new { method = "permutedBlocks", blockSizes = new[] { 2, 4, 6 }, stratifyBy = new[] { "formulation", "site" } };

    public static readonly object Minimization = new
    {
        method = "minimization", factors = new[] { "formulation", "site", "severity" }, probability = 0.8, severityCutoff = 15,
    };

    public static readonly object Simple = new { method = "simple", stratifyBy = new[] { "formulation" } };

    /// <summary>A recruiting trial; <paramref name="ratios"/> gives the mediator and moderator ratios.</summary>
    public static async Task<string> TrialAsync(TrialServer server, object randomization, (int Mediator, int Moderator)? ratios = null, bool recruiting = true)
    {
        var definition = TestTrials.Definition(randomization: randomization);
        if (ratios is { } r)
        {
            definition["arms"] = new object[] { new { code = "mediator", ratio = r.Mediator }, new { code = "moderator", ratio = r.Moderator } };
        }

        var created = await server.Admin.PostJsonAsync("/api/trials", definition);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (string)definition["id"]!;
        if (recruiting)
        {
            await StatusAsync(server, id, "recruiting");
        }

        return id;
    }

    public static async Task StatusAsync(TrialServer server, string trialId, string status) =>
        Assert.Equal(HttpStatusCode.OK, (await server.Admin.PostJsonAsync($"/api/trials/{trialId}/status", new { status })).StatusCode);

    /// <summary>Formulated participants, created a few at a time (creation is not what these tests time).</summary>
    public static async Task<List<string>> FormulatedAsync(TrialServer server, string trialId, int count, Func<int, (string Site, string Lead)>? profile = null)
    {
        var ids = new string[count];
        const int parallel = 4;
        for (var start = 0; start < count; start += parallel)
        {
            await Task.WhenAll(Enumerable.Range(start, Math.Min(parallel, count - start)).Select(async i =>
            {
                var (site, lead) = profile?.Invoke(i) ?? ("AAA", "cognitive");
                ids[i] = await TestTrials.FormulatedParticipantAsync(server, trialId, site, lead);
            }));
        }

        return [.. ids];
    }

    public static Task<HttpResponseMessage> RandomizeAsync(HttpClient client, string participantId) =>
        client.PostAsync($"/api/participants/{participantId}/randomization", null);

    /// <summary>The allocation table as a statistician downloads it, with Accept: text/csv.</summary>
    public static async Task<(string Header, List<CsvAllocation> Rows)> CsvAsync(TrialServer server, string trialId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/trials/{trialId}/allocations");
        request.Headers.Accept.Clear();
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        using var response = await server.Statistician.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.TrimEnd('\r')).ToList();
        return (lines[0], [.. lines.Skip(1).Select(CsvAllocation.Parse)]);
    }

    public sealed record CsvAllocation(
        string ParticipantId, string Site, string Formulation, string Stratum, int Sequence, int? Block, int? BlockSize, string Arm, DateTimeOffset RandomizedAt,
        string Matched, string MisStratified, string IneligibleAfterRandomization)
    {
        // Values here never hold commas or quotes (ids, codes, numbers), so a split is exact.
        public static CsvAllocation Parse(string line)
        {
            var f = line.Split(',');
            Assert.Equal(12, f.Length);
            return new CsvAllocation(
                f[0], f[1], f[2], f[3], int.Parse(f[4], CultureInfo.InvariantCulture), Int(f[5]), Int(f[6]), f[7],
                DateTimeOffset.Parse(f[8], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal), f[9], f[10], f[11]);
        }

        private static int? Int(string text) => text.Length == 0 ? null : int.Parse(text, CultureInfo.InvariantCulture);
    }

    /// <summary>Sequences 1..n without gaps or duplicates in every stratum (blocks) or trial-wide (other methods).</summary>
    public static void AssertGapFree(IEnumerable<IGrouping<string, CsvAllocation>> groups)
    {
        foreach (var group in groups)
        {
            var sequences = group.Select(r => r.Sequence).Order().ToList();
            Assert.Equal(Enumerable.Range(1, sequences.Count), sequences);
        }
    }

    /// <summary>Every completed block holds the arms in exactly the design ratio; only each stratum's last block may be open.</summary>
    public static void AssertCompletedBlocksHoldTheRatio(List<CsvAllocation> rows, int mediatorRatio, int moderatorRatio, int[] blockSizes)
    {
        foreach (var stratum in rows.GroupBy(r => r.Stratum))
        {
            var blocks = stratum.GroupBy(r => r.Block!.Value).OrderBy(b => b.Key).ToList();
            Assert.Equal(Enumerable.Range(1, blocks.Count), blocks.Select(b => b.Key));
            foreach (var block in blocks)
            {
                var size = Assert.Single(block.Select(r => r.BlockSize!.Value).Distinct());
                Assert.Contains(size, blockSizes);
                var sequences = block.Select(r => r.Sequence).Order().ToList();
                Assert.Equal(Enumerable.Range(sequences[0], sequences.Count), sequences); // a block is a run of slots
                if (block.Key < blocks[^1].Key)
                {
                    Assert.Equal(size, block.Count());
                }

                if (block.Count() == size)
                {
                    var unit = size / (mediatorRatio + moderatorRatio);
                    Assert.Equal(mediatorRatio * unit, block.Count(r => r.Arm == "mediator"));
                    Assert.Equal(moderatorRatio * unit, block.Count(r => r.Arm == "moderator"));
                }
            }
        }
    }
}
