using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace TrialManager.Domain.Randomization;

/// <summary>
/// Deterministic, cryptographically strong stream of 32-bit words: AES-256 in counter mode under a key
/// derived from the trial seed. Word j is bytes 4j..4j+3 (little-endian) of the keystream
/// AES_K(0) || AES_K(1) || ..., where counter block i is i as a 128-bit big-endian integer.
/// <see cref="Position"/> counts the words consumed so far, so a stream can be resumed exactly.
/// Not thread-safe: one instance per sequence.
/// </summary>
public sealed class RandomStream : IDisposable
{
    public const string KeyPrefix = "trialmanager/v1/";
    private const int BlockBytes = 16;
    private const int WordsPerBlock = BlockBytes / sizeof(uint);

    private readonly Aes? _aes;
    private readonly ICryptoTransform? _encryptor;
    private readonly Action<ICryptoTransform>? _returnEncryptor;
    private readonly byte[] _counters;
    private readonly byte[] _buffer;
    private long _nextBlock;
    private int _bufferWords;
    private int _index;
    private bool _disposed;

    /// <param name="key">32-byte AES-256 key, usually from <see cref="DeriveKey"/>.</param>
    /// <param name="position">Words already consumed; the stream continues from there.</param>
    /// <param name="bufferBlocks">AES blocks computed per refill; affects speed only, never the output.</param>
    public RandomStream(ReadOnlySpan<byte> key, long position = 0, int bufferBlocks = 16)
    {
        if (key.Length != 32)
        {
            throw new ArgumentException("The key must be 32 bytes (AES-256).", nameof(key));
        }

        _aes = Aes.Create();
        _aes.Key = key.ToArray();
        (_counters, _buffer) = Start(position, bufferBlocks);
    }

    /// <summary>
    /// Runs on a borrowed AES-256-ECB encryptor (no padding) for the same key, handed back on dispose;
    /// saves creating a cipher context per allocation. The output is identical.
    /// </summary>
    internal RandomStream(ICryptoTransform encryptor, Action<ICryptoTransform> returnEncryptor, long position, int bufferBlocks)
    {
        _encryptor = encryptor;
        _returnEncryptor = returnEncryptor;
        (_counters, _buffer) = Start(position, bufferBlocks);
    }

    /// <summary>Words consumed so far.</summary>
    public long Position => ((_nextBlock * WordsPerBlock) - _bufferWords) + _index;

    /// <summary>HMAC-SHA256(key = seed, message = UTF-8("trialmanager/v1/" + purpose)).</summary>
    public static byte[] DeriveKey(ReadOnlySpan<byte> seed, string purpose) => DeriveKey(seed, purpose, KeyDerivation.Version1);

    /// <summary>HMAC-SHA256(key = seed, message = UTF-8 of the derivation's message for the purpose).</summary>
    public static byte[] DeriveKey(ReadOnlySpan<byte> seed, string purpose, KeyDerivation derivation)
    {
        ArgumentNullException.ThrowIfNull(purpose);
        ArgumentNullException.ThrowIfNull(derivation);
        return HMACSHA256.HashData(seed, Encoding.UTF8.GetBytes(derivation.Message(purpose)));
    }

    /// <summary>The stream for one state row: purpose = method name (camelCase) + "/" + state key.</summary>
    public static RandomStream ForState(
        ReadOnlySpan<byte> seed, RandomizationMethod method, string stateKey, long position = 0, int bufferBlocks = 16)
    {
        var key = DeriveKey(seed, MethodName(method) + "/" + stateKey);
        return new RandomStream(key, position, bufferBlocks);
    }

    public static string MethodName(RandomizationMethod method) => method switch
    {
        RandomizationMethod.PermutedBlocks => "permutedBlocks",
        RandomizationMethod.Minimization => "minimization",
        RandomizationMethod.Simple => "simple",
        _ => throw new ArgumentOutOfRangeException(nameof(method)),
    };

    public uint NextUInt32()
    {
        if (_index == _bufferWords)
        {
            Refill(_counters, _buffer);
        }

        uint value = BinaryPrimitives.ReadUInt32LittleEndian(_buffer.AsSpan(_index * sizeof(uint)));
        _index++;
        return value;
    }

    /// <summary>Two words: the first is the low half.</summary>
    public ulong NextUInt64()
    {
        ulong low = NextUInt32();
        ulong high = NextUInt32();
        return (high << 32) | low;
    }

    /// <summary>Uniform integer in [0, exclusiveMax) by Lemire's multiply-and-reject method (no modulo bias).</summary>
    public int NextInt(int exclusiveMax)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(exclusiveMax, 1);
        uint n = (uint)exclusiveMax;
        ulong m = (ulong)NextUInt32() * n;
        uint low = (uint)m;
        if (low < n)
        {
            uint threshold = unchecked(0u - n) % n;
            while (low < threshold)
            {
                m = (ulong)NextUInt32() * n;
                low = (uint)m;
            }
        }

        return (int)(m >> 32);
    }

    /// <summary>Uniform double in [0, 1): the top 53 bits of <see cref="NextUInt64"/> times 2^-53.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Index i with probability weights[i] / sum: r = NextInt(sum), first i whose cumulative sum exceeds r.</summary>
    public int NextWeighted(ReadOnlySpan<int> weights)
    {
        int total = 0;
        foreach (int w in weights)
        {
            total = checked(total + w);
        }

        int r = NextInt(total);
        for (int i = 0; i < weights.Length; i++)
        {
            r -= weights[i];
            if (r < 0)
            {
                return i;
            }
        }

        throw new InvalidOperationException("Unreachable: weights must be positive.");
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_encryptor is not null)
        {
            _returnEncryptor!(_encryptor);
        }
        else
        {
            _aes!.Dispose();
        }
    }

    private (byte[] Counters, byte[] Buffer) Start(long position, int bufferBlocks)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferBlocks, 1);
        var counters = new byte[bufferBlocks * BlockBytes];
        var buffer = new byte[bufferBlocks * BlockBytes];
        _nextBlock = position / WordsPerBlock;
        Refill(counters, buffer);
        _index = (int)(position % WordsPerBlock);
        return (counters, buffer);
    }

    private void Refill(byte[] counters, byte[] buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int blocks = counters.Length / BlockBytes;
        for (int b = 0; b < blocks; b++)
        {
            var block = counters.AsSpan(b * BlockBytes, BlockBytes);
            BinaryPrimitives.WriteUInt64BigEndian(block, 0);
            BinaryPrimitives.WriteUInt64BigEndian(block[8..], (ulong)(_nextBlock + b));
        }

        if (_encryptor is not null)
        {
            if (_encryptor.TransformBlock(counters, 0, counters.Length, buffer, 0) != buffer.Length)
            {
                throw new CryptographicException("The AES encryptor did not return whole blocks.");
            }
        }
        else
        {
            _aes!.EncryptEcb(counters, buffer, PaddingMode.None);
        }
        _nextBlock += blocks;
        _bufferWords = blocks * WordsPerBlock;
        _index = 0;
    }
}
