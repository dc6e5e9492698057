using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using TrialManager.Domain.Randomization;

namespace TrialManager.Domain.Participants;

/// <summary>
/// Which participants get a second independent formulation rating: a draw in [0, 1) from HMAC-SHA256 keyed by the
/// trial's seed over the study id, under the trial's key derivation. Reproducible (a statistician can recompute the
/// list) and, since the seed is secret, not predictable by anyone who enrols: the study id alone says nothing.
/// </summary>
public static class DoubleRating
{
    public const string Purpose = "double-rating/";

    /// <summary>The participant's draw: the HMAC's first 53 bits as a fraction of 2^53.</summary>
    public static double Draw(string seed, KeyDerivation derivation, string participantId)
    {
        ArgumentNullException.ThrowIfNull(seed);
        ArgumentNullException.ThrowIfNull(derivation);
        ArgumentNullException.ThrowIfNull(participantId);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(seed), Encoding.UTF8.GetBytes(derivation.Message(Purpose + participantId)));
        return (BinaryPrimitives.ReadUInt64BigEndian(mac) >> 11) / (double)(1UL << 53);
    }

    /// <summary>Drawn when the draw falls below the share: share 1 draws everyone.</summary>
    public static bool IsDrawn(string seed, KeyDerivation derivation, string participantId, double share) =>
        Draw(seed, derivation, participantId) < share;
}
