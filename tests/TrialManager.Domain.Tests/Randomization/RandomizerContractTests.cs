using CsCheck;
using TrialManager.Domain.Randomization;

namespace TrialManager.Domain.Tests.Randomization;

public class RandomizerContractTests
{
    public static TheoryData<string> Methods => ["blocks", "minimization", "simple"];

    private static RandomizationDesign DesignFor(string name) => name switch
    {
        "blocks" => TestSupport.Blocks([1, 1], [2, 4, 6], "formulation", "site"),
        "minimization" => TestSupport.Minimization([1, 1], 0.8),
        _ => TestSupport.Simple([2, 1]) with { StratifyBy = ["formulation"] },
    };

    private static List<int> Arms(Randomizer randomizer, int n) =>
        [.. TestSupport.AllocateAll(randomizer, TestSupport.Participants(n, "determinism")).Select(x => x.Allocation.Arm)];

    [Theory]
    [MemberData(nameof(Methods))]
    public void SameSeed_GivesTheIdenticalSequence_DifferentSeed_ADifferentOne(string method)
    {
        var design = DesignFor(method);
        for (int seed = 0; seed < 20; seed++)
        {
            var first = Arms(new Randomizer(design, TestSupport.Seed(seed)), 120);
            var again = Arms(new Randomizer(design, TestSupport.Seed(seed)), 120);
            var other = Arms(new Randomizer(design, TestSupport.Seed(seed + 1000)), 120);
            Assert.Equal(first, again);
            Assert.NotEqual(first, other);
        }
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void StateRoundTrip_ThroughJson_ContinuesExactlyLikeOneLongRun(string method)
    {
        var design = DesignFor(method);
        Gen.Select(TestSupport.Seeds, Gen.Int[1, 300]).Sample((seed, n) =>
        {
            var randomizer = new Randomizer(design, TestSupport.Seed(seed));
            var participants = TestSupport.Participants(n, seed);
            var viaJson = TestSupport.AllocateAll(randomizer, participants).Select(x => x.Allocation).ToList();
            using var session = new AllocationSession(randomizer);
            var longRun = participants.Select(session.Allocate).ToList();
            Assert.Equal(longRun.Count, viaJson.Count);
            for (int i = 0; i < longRun.Count; i++)
            {
                Assert.Equal(Comparable(longRun[i]), Comparable(viaJson[i]));
            }

            // The exported state of the long run is the JSON the pure API would have stored.
            string key = randomizer.StateKey(participants[0]);
            var next = randomizer.Allocate(session.ExportState(key), participants[0], out _);
            Assert.Equal(Comparable(session.Allocate(participants[0])), Comparable(next));
        }, iter: 40);
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void SequenceNumbers_AreConsecutivePerStateRow(string method)
    {
        var randomizer = new Randomizer(DesignFor(method), TestSupport.Seed(5));
        var allocations = TestSupport.AllocateAll(randomizer, TestSupport.Participants(300, "sequence"));
        foreach (var row in allocations.GroupBy(x => randomizer.StateKey(x.Levels)))
        {
            Assert.Equal(Enumerable.Range(1, row.Count()), row.Select(x => x.Allocation.Sequence));
        }
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void Verify_OnTheGeneratedList_MatchesEveryRecord_InAnyInputOrder(string method)
    {
        var randomizer = new Randomizer(DesignFor(method), TestSupport.Seed(6));
        var records = TestSupport.AllocateAll(randomizer, TestSupport.Participants(400, "verify"))
            .Select(x => TestSupport.ToRecord(x.Allocation, x.Levels))
            .ToList();

        Assert.Equal(new VerificationResult(true, 400, null), randomizer.Verify(records));
        Assert.Equal(new VerificationResult(true, 400, null), randomizer.Verify(Enumerable.Reverse(records)));
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void Verify_WhenOneArmIsFlipped_ReportsThatRecordAsTheFirstMismatch(string method)
    {
        var randomizer = new Randomizer(DesignFor(method), TestSupport.Seed(7));
        var records = TestSupport.AllocateAll(randomizer, TestSupport.Participants(300, "flip"))
            .Select(x => TestSupport.ToRecord(x.Allocation, x.Levels))
            .ToList();
        var victim = records[137];
        records[137] = victim with { Arm = 1 - victim.Arm };

        var result = randomizer.Verify(records);

        Assert.False(result.Matches);
        Assert.Equal(new VerificationMismatch(victim.Stratum, victim.Sequence, "arm", $"{victim.Arm}", $"{1 - victim.Arm}"), result.FirstMismatch);
    }

    [Fact]
    public void Verify_WhenAnAllocationIsMissing_ReportsTheSequenceGap()
    {
        var randomizer = new Randomizer(DesignFor("simple"), TestSupport.Seed(8));
        var records = TestSupport.AllocateAll(randomizer, TestSupport.Participants(20, "gap"))
            .Select(x => TestSupport.ToRecord(x.Allocation, x.Levels))
            .ToList();
        records.RemoveAt(9);

        var result = randomizer.Verify(records);

        Assert.Equal(new VerificationMismatch(records[9].Stratum, 11, "sequence", "10", "11"), result.FirstMismatch);
        Assert.Equal(9, result.Checked);
    }

    [Fact]
    public void Verify_WhenARecordLacksAMinimizationFactor_ReportsItInsteadOfThrowing()
    {
        var randomizer = new Randomizer(DesignFor("minimization"), TestSupport.Seed(10));
        var records = TestSupport.AllocateAll(randomizer, TestSupport.Participants(30, "lacking"))
            .Select(x => TestSupport.ToRecord(x.Allocation, x.Levels))
            .ToList();
        records[4] = records[4] with { Levels = new Dictionary<string, string> { ["site"] = "NYC" } };

        var result = randomizer.Verify(records);

        Assert.Equal("levels", result.FirstMismatch?.Field);
        Assert.Equal(5, result.FirstMismatch?.Sequence);
    }

    /// <summary>Records that carry the participant's levels, and the count of allocations of every state row, as the server keeps them.</summary>
    private static (List<RecordedAllocation> Records, Dictionary<string, int> Allocated) Checked(Randomizer randomizer, int n, string tag)
    {
        var records = TestSupport.AllocateAll(randomizer, TestSupport.Participants(n, tag))
            .Select(x => TestSupport.ToRecord(x.Allocation, x.Levels) with
            {
                ParticipantLevels = new Dictionary<string, string>(x.Levels),
                LevelCopies = [new("formulation", x.Levels["formulation"]), new("site", x.Levels["site"])],
            })
            .ToList();
        var allocated = records.GroupBy(r => randomizer.StateKey(r.Levels)).ToDictionary(g => g.Key, g => g.Count());
        return (records, allocated);
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void Verify_WithTheParticipantsLevelsAndTheStateCounts_MatchesAnUntouchedList(string method)
    {
        var randomizer = new Randomizer(DesignFor(method), TestSupport.Seed(11));
        var (records, allocated) = Checked(randomizer, 200, "untouched");

        Assert.Equal(new VerificationResult(true, 200, null), randomizer.Verify(records, allocated));
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void Verify_WhenTheLastRecordOfAStateIsMissing_ReportsTheStateCount(string method)
    {
        var randomizer = new Randomizer(DesignFor(method), TestSupport.Seed(12));
        var (records, allocated) = Checked(randomizer, 120, "last");
        var last = records.Where(r => randomizer.StateKey(r.Levels) == randomizer.StateKey(records[0].Levels)).MaxBy(r => r.Sequence)!;
        records.Remove(last);

        var result = randomizer.Verify(records, allocated);

        Assert.False(result.Matches);
        Assert.Equal(119, result.Checked);
        var key = randomizer.StateKey(last.Levels);
        Assert.Equal(new VerificationMismatch(key, last.Sequence, "allocated", $"{last.Sequence}", $"{last.Sequence - 1}"), result.FirstMismatch);
        Assert.True(randomizer.Verify(records).Matches, "the replay alone cannot see a missing last record");
    }

    [Fact]
    public void Verify_WhenAStateHasNoRecordsLeft_ReportsItsCount()
    {
        var randomizer = new Randomizer(DesignFor("blocks"), TestSupport.Seed(13));
        var (records, allocated) = Checked(randomizer, 40, "emptied");
        allocated["cognitive/NOWHERE"] = 2;

        var result = randomizer.Verify(records, allocated);

        Assert.Equal(new VerificationMismatch("cognitive/NOWHERE", 1, "allocated", "2", "0"), result.FirstMismatch);
        Assert.Equal(40, result.Checked);
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void Verify_WhenARecordedLevelDiffersFromTheParticipants_NamesTheFactor(string method)
    {
        var randomizer = new Randomizer(DesignFor(method), TestSupport.Seed(14));
        var (records, allocated) = Checked(randomizer, 100, "stale");
        var victim = records[41];
        var participant = new Dictionary<string, string>(victim.ParticipantLevels!) { ["severity"] = victim.Levels["severity"] == "high" ? "low" : "high" };
        records[41] = victim with { ParticipantLevels = participant };

        var result = randomizer.Verify(records, allocated);

        Assert.False(result.Matches);
        Assert.Equal(new VerificationMismatch(victim.Stratum, victim.Sequence, "severity", participant["severity"], victim.Levels["severity"]), result.FirstMismatch);
        Assert.Equal(99, result.Checked);
    }

    [Fact]
    public void Verify_WhenACopyOfALevelDiffersFromTheParticipants_NamesTheFactor()
    {
        var randomizer = new Randomizer(DesignFor("blocks"), TestSupport.Seed(15));
        var (records, allocated) = Checked(randomizer, 30, "copy");
        var victim = records[7];
        var other = victim.Levels["formulation"] == "cognitive" ? "interpersonal" : "cognitive";
        records[7] = victim with { LevelCopies = [new("formulation", other), new("site", victim.Levels["site"])] };

        var result = randomizer.Verify(records, allocated);

        Assert.Equal(new VerificationMismatch(victim.Stratum, victim.Sequence, "formulation", victim.Levels["formulation"], other), result.FirstMismatch);
    }

    [Fact]
    public void Verify_WhenABlockSizeWasRecordedWrongly_NamesTheBlockSizeField()
    {
        var randomizer = new Randomizer(DesignFor("blocks"), TestSupport.Seed(9));
        var records = TestSupport.AllocateAll(randomizer, TestSupport.Participants(50, "size"))
            .Select(x => TestSupport.ToRecord(x.Allocation, x.Levels))
            .ToList();
        records[3] = records[3] with { BlockSize = 99 };

        Assert.Equal("blockSize", randomizer.Verify(records).FirstMismatch?.Field);
    }

    [Fact]
    public void Allocate_WithTheStateOfAnotherMethod_IsRefused()
    {
        var levels = TestSupport.Participants(1)[0];
        new Randomizer(DesignFor("simple"), TestSupport.Seed(1)).Allocate(null, levels, out var simpleState);
        var minimization = new Randomizer(DesignFor("minimization"), TestSupport.Seed(1));
        Assert.Throws<ArgumentException>(() => minimization.Allocate(simpleState, levels, out _));
        Assert.Throws<ArgumentException>(() => minimization.Allocate("not json", levels, out _));
    }

    [Fact]
    public void State_IsCompactJson_HoldingTheOpenBlockAndTheStreamPosition()
    {
        var randomizer = new Randomizer(TestSupport.Blocks([1, 1], [4]), TestSupport.Seed(1));
        randomizer.Allocate(null, new Dictionary<string, string>(), out var state);

        using var json = System.Text.Json.JsonDocument.Parse(state);
        var root = json.RootElement;
        Assert.Equal(1, root.GetProperty("v").GetInt32());
        Assert.Equal("permutedBlocks", root.GetProperty("method").GetString());
        Assert.Equal(1, root.GetProperty("allocated").GetInt32());
        Assert.Equal(1, root.GetProperty("blockNumber").GetInt32());
        Assert.Equal(4, root.GetProperty("block").GetArrayLength());
        Assert.Equal(1, root.GetProperty("next").GetInt32());
        Assert.True(root.GetProperty("position").GetInt64() >= 4);
    }

    [Fact]
    public void State_WithNonAsciiLevels_RoundTripsThroughJson()
    {
        var randomizer = new Randomizer(TestSupport.Minimization([1, 1], 0.8), TestSupport.Seed(2));
        var participants = new[] { "São Paulo", "北京", "a\"quote" }
            .Select(site => new Dictionary<string, string> { ["formulation"] = "cognitive", ["site"] = site, ["severity"] = "low" })
            .ToList();
        var viaJson = TestSupport.AllocateAll(randomizer, participants.Concat(participants)).Select(x => x.Allocation.Arm).ToList();
        using var session = new AllocationSession(randomizer);
        Assert.Equal(participants.Concat(participants).Select(p => session.Allocate(p).Arm), viaJson);
        Assert.Contains("S\\u00E3o Paulo", session.ExportState(Randomizer.TrialStateKey), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"v\":2,\"method\":\"simple\"}")]
    [InlineData("{\"v\":1,\"method\":\"simple\",\"surprise\":1}")]
    [InlineData("{\"v\":1,\"method\":\"simple\",\"position\":-4}")]
    [InlineData("{\"v\":1,\"method\":\"simple\"} trailing")]
    [InlineData("")]
    [InlineData("{\"v\":1,\"method\":\"permutedBlocks\",\"blockNumber\":1,\"block\":[0,1,0],\"next\":1}")]
    public void State_ThatIsNotTheEnginesOwn_IsRefused(string state)
    {
        var randomizer = state.Contains("permutedBlocks", StringComparison.Ordinal)
            ? new Randomizer(TestSupport.Blocks([1, 1], [2, 4]), TestSupport.Seed(1))
            : new Randomizer(TestSupport.Simple([1, 1]), TestSupport.Seed(1));
        Assert.Throws<ArgumentException>(() => randomizer.Allocate(state, new Dictionary<string, string>(), out _));
    }

    [Fact]
    public void Allocate_FromManyThreadsAtOnce_GivesTheSameResultsAsOneThread()
    {
        var randomizer = new Randomizer(DesignFor("blocks"), TestSupport.Seed(12));
        var participants = TestSupport.Participants(64, "threads");
        var expected = participants.Select(p => randomizer.Allocate(null, p, out var s).Arm + s).ToList();
        var actual = new string[participants.Count];
        Parallel.For(0, 2_000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            int k = i % participants.Count;
            actual[k] = randomizer.Allocate(null, participants[k], out var s).Arm + s;
        });

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Allocate_WithoutALevelForAStratificationFactor_IsRefused()
    {
        var randomizer = new Randomizer(DesignFor("blocks"), TestSupport.Seed(1));
        var ex = Assert.Throws<ArgumentException>(() => randomizer.Allocate(null, new Dictionary<string, string> { ["site"] = "NYC" }, out _));
        Assert.Contains("formulation", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => randomizer.StratumLabel(new Dictionary<string, string> { ["site"] = "N/Y", ["formulation"] = "cognitive" }));
    }

    [Theory]
    [InlineData("ratios")]
    [InlineData("blockSizes")]
    [InlineData("probability")]
    [InlineData("factors")]
    public void InvalidDesign_IsRefused_NamingTheField(string field)
    {
        RandomizationDesign design = field switch
        {
            "ratios" => TestSupport.Simple([1, 0]),
            "blockSizes" => TestSupport.Blocks([2, 1], [4]),
            "probability" => TestSupport.Minimization([1, 1], 0.5),
            _ => TestSupport.Minimization([1, 1], 0.8) with { Factors = [] },
        };

        var ex = Assert.Throws<ArgumentException>(() => new Randomizer(design, TestSupport.Seed(1)));
        Assert.StartsWith(field + ":", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(RandomizationMethod.PermutedBlocks, "Fisher-Yates")]
    [InlineData(RandomizationMethod.Minimization, "Pocock-Simon")]
    [InlineData(RandomizationMethod.Simple, "weighted draw")]
    public void Describe_NamesTheKeyDerivationTheStreamAndTheMethodRule(RandomizationMethod method, string rule)
    {
        string text = Randomizer.Describe(method);
        Assert.Contains("HMAC-SHA256", text, StringComparison.Ordinal);
        Assert.Contains("AES-256", text, StringComparison.Ordinal);
        Assert.Contains("Lemire", text, StringComparison.Ordinal);
        Assert.Contains(rule, text, StringComparison.Ordinal);
    }

    private static object Comparable(Allocation a) =>
        (a.Arm, a.Stratum, a.Sequence, a.BlockNumber, a.BlockSize, a.PreferredArm, a.TookPreferred,
            a.ImbalanceScores is null ? "" : string.Join(',', a.ImbalanceScores));
}
