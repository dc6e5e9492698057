using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using CsCheck;
using TrialManager.Domain.Randomization;

namespace TrialManager.Domain.Tests.Randomization;

public class RandomStreamTests
{
    [Fact]
    public void Stream_IsAesCounterModeUnderTheHmacDerivedKey_AsDescribed()
    {
        byte[] seed = Encoding.UTF8.GetBytes("0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0");
        byte[] key = HMACSHA256.HashData(seed, Encoding.UTF8.GetBytes("trialmanager/v1/permutedBlocks/cognitive/NYC"));
        using var aes = Aes.Create();
        aes.Key = key;
        var counters = new byte[32];
        counters[31] = 1; // block 0 then block 1, big-endian
        byte[] keystream = aes.EncryptEcb(counters, PaddingMode.None);

        using var stream = RandomStream.ForState(seed, RandomizationMethod.PermutedBlocks, "cognitive/NYC");
        for (int word = 0; word < 8; word++)
        {
            Assert.Equal(BinaryPrimitives.ReadUInt32LittleEndian(keystream.AsSpan(word * 4)), stream.NextUInt32());
        }

        Assert.Equal(8, stream.Position);
    }

    [Fact]
    public void Stream_ResumedAtAPosition_ContinuesExactlyAsTheUninterruptedStream()
    {
        Gen.Select(Gen.Int[0, 300], Gen.Int[1, 40]).Sample((skip, bufferBlocks) =>
        {
            byte[] key = RandomStream.DeriveKey("seed"u8, "resume");
            using var whole = new RandomStream(key, 0, 3);
            for (int i = 0; i < skip; i++)
            {
                whole.NextUInt32();
            }

            using var resumed = new RandomStream(key, whole.Position, bufferBlocks);
            for (int i = 0; i < 100; i++)
            {
                Assert.Equal(whole.NextUInt32(), resumed.NextUInt32());
            }

            Assert.Equal(whole.Position, resumed.Position);
        }, iter: 200);
    }

    [Fact]
    public void NextInt_StaysInRange_ForAnyBound()
    {
        Gen.Select(Gen.Int[1, int.MaxValue], TestSupport.Seeds).Sample((bound, seed) =>
        {
            using var stream = new RandomStream(RandomStream.DeriveKey(Encoding.UTF8.GetBytes(seed), "range"));
            for (int i = 0; i < 50; i++)
            {
                int value = stream.NextInt(bound);
                Assert.InRange(value, 0, bound - 1);
            }
        }, iter: 300);
    }

    [Fact]
    public void NextInt_IsUniform_ByChiSquareOverSixValues()
    {
        using var stream = new RandomStream(RandomStream.DeriveKey("fixed"u8, "uniform"));
        var counts = new long[6];
        for (int i = 0; i < 120_000; i++)
        {
            counts[stream.NextInt(6)]++;
        }

        double statistic = TestSupport.ChiSquare(counts, [.. Enumerable.Repeat(1.0 / 6, 6)]);
        Assert.True(statistic < TestSupport.ChiSquareCritical001(5), $"chi-square {statistic:F2}");
    }

    [Fact]
    public void NextInt_WithABoundNearTwoToThe31_IsNotBiasedTowardsLowValues()
    {
        // bound = 3 * 2^29: plain (word mod bound) would hit values below 2^30 (the first two thirds) three
        // times per 2^32 words and the last third only twice, i.e. 3:3:2. Lemire's rejection keeps 1:1:1.
        const int bound = 3 << 29;
        using var stream = new RandomStream(RandomStream.DeriveKey("fixed"u8, "bias"));
        var thirds = new long[3];
        for (int i = 0; i < 60_000; i++)
        {
            thirds[stream.NextInt(bound) / (bound / 3)]++;
        }

        double statistic = TestSupport.ChiSquare(thirds, [1.0 / 3, 1.0 / 3, 1.0 / 3]);
        Assert.True(statistic < TestSupport.ChiSquareCritical001(2), $"chi-square {statistic:F2}");
    }

    [Fact]
    public void NextDouble_IsInTheUnitInterval()
    {
        using var stream = new RandomStream(RandomStream.DeriveKey("fixed"u8, "double"));
        for (int i = 0; i < 10_000; i++)
        {
            Assert.InRange(stream.NextDouble(), 0.0, Math.BitDecrement(1.0));
        }
    }
}
