namespace TrialManager.Domain.Randomization;

/// <summary>The statisticians' description of the algorithm, kept beside the code it describes.</summary>
internal static class RandomizationDescription
{
    // Version 1 left the trial out of the key, so two trials given one seed had one sequence; kept for their trials.
    private const string MessageV1 = """
        - Stream key K = HMAC-SHA256(key = S, message = UTF-8("trialmanager/v1/" + method + "/" + stateKey)),
          where method is "permutedBlocks", "minimization" or "simple". Each state key has its own stream.
        """;

    private const string MessageV2 = """
        - Stream key K = HMAC-SHA256(key = S, message = UTF-8("trialmanager/v2/" + trialId + "/" + method + "/" + stateKey)),
          where trialId is the trial's id (e.g. fbr-dep-01) and method is "permutedBlocks", "minimization" or
          "simple". Each state key of each trial has its own stream.
        """;

    private const string Seed = """
        - Seed bytes S: the UTF-8 bytes of the trial's seed string (server-drawn seeds are 64 hex characters).
        - State key: permutedBlocks uses the stratum label (levels of stratifyBy joined with "/" in design
          order, or "all" without stratification); minimization and simple use "trial".
        """;

    private const string Common = """
        - Keystream: AES-256-ECB under K of the counter blocks 0, 1, 2, ..., each a 128-bit big-endian integer
          (16 bytes: eight zero bytes, then the counter as an unsigned 64-bit big-endian integer).
        - Word j (j = 0, 1, 2, ...) is keystream bytes 4j..4j+3 read as an unsigned 32-bit little-endian integer.
          Every draw takes the next unused words; the persisted state records how many words were used.
        - Bounded integer in [0, n) (Lemire): x = next word; m = x * n (64-bit); l = m mod 2^32; if l < n then
          t = (2^32 - n) mod n and, while l < t, take a new word and recompute m and l. Result: floor(m / 2^32).
          This is exactly uniform (no modulo bias).
        - Uniform double in [0, 1): two words, u = first + 2^32 * second; result = floor(u / 2^11) / 2^53.
        - Weighted draw with integer weights w_0..w_(k-1): r = bounded(sum of w); the result is the first i with
          w_0 + ... + w_i > r (zero weights are never chosen).
        - Arms are numbered 0..k-1 in the order of the trial's arms; ratios r_0..r_(k-1).

        """;

    public static string For(RandomizationMethod method, KeyDerivation derivation) =>
        $"Random stream (key derivation version {derivation.Version}, trialmanager/v{derivation.Version})\n" + Seed + "\n"
        + (derivation.Version == 1 ? MessageV1 : MessageV2) + "\n" + Common + Rule(method);

    private static string Rule(RandomizationMethod method) => method switch
    {
        RandomizationMethod.PermutedBlocks => """
            Permuted blocks (per stratum, on that stratum's stream; sequence numbers count within the stratum)
            - When no block is open, or the open block is used up, a new block starts:
              1. Block size: b = blockSizes[bounded(number of block sizes)], blockSizes in design order.
              2. Content: m = b / (r_0 + ... + r_(k-1)); write arm 0 m*r_0 times, then arm 1 m*r_1 times, ... .
              3. Fisher-Yates shuffle: for i = b-1 down to 1: j = bounded(i + 1); swap positions i and j.
              Blocks are numbered 1, 2, ... within the stratum.
            - The next participant of the stratum takes the next position of the open block.
            Every completed block holds the arms in exactly the ratio; only the last block may be incomplete.
            """,
        RandomizationMethod.Minimization => """
            Minimization (Pocock-Simon; one trial-wide stream; marginal counts only)
            - n[f][l][a]: participants allocated so far to arm a among those with level l of factor f.
            - For the new participant with level l_f of each factor f, for each candidate arm c: for each f, take
              the counts n[f][l_f][.], add 1 to arm c, divide each arm's count by its ratio (w_a = n_a / r_a), and
              compute the imbalance of w: range (max - min) or variance (population variance, divisor k).
              The candidate's score is the sum over factors (equal weights). Scores are computed exactly in
              integers (counts times lcm(r) / r_a), so ties are exact.
            - Preferred arm: the candidate with the smallest score. With t > 1 tied candidates, take the
              (bounded(t))-th of them in arm order. With a single minimiser no word is drawn.
            - If probability p = 1 no further word is drawn and the preferred arm is taken. Otherwise u = uniform
              double; if u < p the preferred arm is taken, else another arm is drawn by a weighted draw over all
              arms with weights r_a and weight 0 for the preferred arm (the other arms in proportion to their
              ratios; with two arms this is the other arm, and a word is still drawn).
            - The chosen arm's counts are increased for the participant's level of every factor.
            Sequence numbers are trial-wide. Records are replayed trial-wide in sequence order.
            """,
        RandomizationMethod.Simple => """
            Simple randomization (one trial-wide stream)
            - Each participant: arm = weighted draw with weights r_0..r_(k-1). Draws are independent.
            Sequence numbers are trial-wide; the stratum label (levels of stratifyBy, or "all") is descriptive only.
            """,
        _ => throw new ArgumentOutOfRangeException(nameof(method)),
    };
}
