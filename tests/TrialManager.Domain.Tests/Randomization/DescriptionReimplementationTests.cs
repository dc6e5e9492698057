using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using TrialManager.Domain.Randomization;

namespace TrialManager.Domain.Tests.Randomization;

/// <summary>
/// An independent re-implementation written only from <see cref="Randomizer.Describe"/>, as a statistician
/// would: if it reproduces the engine's sequences, the description is complete.
/// </summary>
public class DescriptionReimplementationTests
{
    private const string TrialId = "fbr-dep-01";

    // Key derivation version 2 puts the trial id into the message; version 1 (older trials) did not.
    private sealed class DescribedStream(byte[] seed, int version, string method, string stateKey)
    {
        private readonly byte[] _key = HMACSHA256.HashData(seed, Encoding.UTF8.GetBytes(
            version == 1 ? $"trialmanager/v1/{method}/{stateKey}" : $"trialmanager/v2/{TrialId}/{method}/{stateKey}"));
        private long _word;

        public uint Word()
        {
            long block = _word / 4;
            var counter = new byte[16];
            BinaryPrimitives.WriteInt64BigEndian(counter.AsSpan(8), block);
            using var aes = Aes.Create();
            aes.Key = _key;
            byte[] keystream = aes.EncryptEcb(counter, PaddingMode.None);
            uint value = BinaryPrimitives.ReadUInt32LittleEndian(keystream.AsSpan((int)(_word % 4) * 4));
            _word++;
            return value;
        }

        public int Bounded(int n)
        {
            ulong m = (ulong)Word() * (uint)n;
            if ((uint)m < (uint)n)
            {
                uint t = (uint)((4294967296UL - (uint)n) % (uint)n);
                while ((uint)m < t)
                {
                    m = (ulong)Word() * (uint)n;
                }
            }

            return (int)(m >> 32);
        }

        public double Uniform()
        {
            ulong u = Word() + ((ulong)Word() << 32);
            return (u >> 11) / 9007199254740992.0;
        }

        public int Weighted(int[] w)
        {
            int r = Bounded(w.Sum());
            int cumulative = 0;
            for (int i = 0; i < w.Length; i++)
            {
                cumulative += w[i];
                if (cumulative > r)
                {
                    return i;
                }
            }

            throw new InvalidOperationException();
        }
    }

    private static KeyDerivation Derivation(int version) => KeyDerivation.For(version, TrialId);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Describe_PermutedBlocks_IsEnoughToReproduceTheSequence(int version)
    {
        byte[] seed = Encoding.UTF8.GetBytes("described-seed");
        int[] ratios = [3, 2];
        int[] sizes = [5, 10, 15];
        var design = TestSupport.Blocks(ratios, sizes, "site");
        var engine = new Randomizer(design, seed, Derivation(version));
        var levels = new Dictionary<string, string> { ["site"] = "BOS" };

        var reference = new DescribedStream(seed, version, "permutedBlocks", "BOS");
        var expected = new List<int>();
        while (expected.Count < 200)
        {
            int b = sizes[reference.Bounded(sizes.Length)];
            var block = new List<int>();
            for (int arm = 0; arm < ratios.Length; arm++)
            {
                block.AddRange(Enumerable.Repeat(arm, b / ratios.Sum() * ratios[arm]));
            }

            for (int i = b - 1; i > 0; i--)
            {
                int j = reference.Bounded(i + 1);
                (block[i], block[j]) = (block[j], block[i]);
            }

            expected.AddRange(block);
        }

        string? state = null;
        for (int i = 0; i < 200; i++)
        {
            Assert.Equal(expected[i], engine.Allocate(state, levels, out state).Arm);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Describe_Minimization_IsEnoughToReproduceTheSequence(int version)
    {
        byte[] seed = Encoding.UTF8.GetBytes("described-seed");
        int[] ratios = [1, 2, 1];
        const double p = 0.75;
        var design = TestSupport.Minimization(ratios, p);
        var engine = new Randomizer(design, seed, Derivation(version));
        var reference = new DescribedStream(seed, version, "minimization", "trial");
        var counts = new Dictionary<string, int[]>(StringComparer.Ordinal); // "factor=level" -> per arm
        string? state = null;

        foreach (var levels in TestSupport.Participants(400, "described"))
        {
            var scores = new double[ratios.Length];
            for (int c = 0; c < ratios.Length; c++)
            {
                foreach (string factor in design.Factors)
                {
                    var n = counts.GetValueOrDefault($"{factor}={levels[factor]}") ?? new int[ratios.Length];
                    var w = n.Select((x, a) => (x + (a == c ? 1 : 0)) / (double)ratios[a]).ToArray();
                    scores[c] += w.Max() - w.Min();
                }
            }

            double best = scores.Min();
            int[] tied = [.. Enumerable.Range(0, ratios.Length).Where(a => Math.Abs(scores[a] - best) < 1e-9)];
            int preferred = tied.Length > 1 ? tied[reference.Bounded(tied.Length)] : tied[0];
            int arm = reference.Uniform() < p
                ? preferred
                : reference.Weighted([.. ratios.Select((r, a) => a == preferred ? 0 : r)]);
            foreach (string factor in design.Factors)
            {
                string key = $"{factor}={levels[factor]}";
                counts.TryAdd(key, new int[ratios.Length]);
                counts[key][arm]++;
            }

            var actual = engine.Allocate(state, levels, out state);
            Assert.Equal((preferred, arm), (actual.PreferredArm!.Value, actual.Arm));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Describe_Simple_IsEnoughToReproduceTheSequence(int version)
    {
        byte[] seed = Encoding.UTF8.GetBytes("described-seed");
        int[] ratios = [2, 1];
        var engine = new Randomizer(TestSupport.Simple(ratios), seed, Derivation(version));
        var reference = new DescribedStream(seed, version, "simple", "trial");
        string? state = null;
        for (int i = 0; i < 300; i++)
        {
            Assert.Equal(reference.Weighted(ratios), engine.Allocate(state, new Dictionary<string, string>(), out state).Arm);
        }
    }
}
