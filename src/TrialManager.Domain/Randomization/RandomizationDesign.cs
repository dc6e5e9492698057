namespace TrialManager.Domain.Randomization;

public enum RandomizationMethod
{
    PermutedBlocks,
    Minimization,
    Simple,
}

public enum ImbalanceMeasure
{
    Range,
    Variance,
}

/// <summary>The randomization part of a trial definition; arms are identified by index 0..k-1.</summary>
public sealed record RandomizationDesign
{
    public required RandomizationMethod Method { get; init; }

    /// <summary>Allocation ratio per arm index, integers >= 1.</summary>
    public required IReadOnlyList<int> Ratios { get; init; }

    /// <summary>permutedBlocks: candidate block sizes, each a multiple of the sum of the ratios.</summary>
    public IReadOnlyList<int> BlockSizes { get; init; } = [];

    /// <summary>permutedBlocks (and simple, for labelling): factor names forming the stratum, in order.</summary>
    public IReadOnlyList<string> StratifyBy { get; init; } = [];

    /// <summary>minimization: factor names whose marginal balance is minimised.</summary>
    public IReadOnlyList<string> Factors { get; init; } = [];

    /// <summary>minimization: probability of taking the arm that minimises imbalance, in (0.5, 1].</summary>
    public double Probability { get; init; } = 1.0;

    public ImbalanceMeasure Imbalance { get; init; } = ImbalanceMeasure.Range;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public void Validate()
    {
        if (Ratios is null || Ratios.Count < 2)
        {
            throw new ArgumentException("ratios: at least two arms are needed.", nameof(Ratios));
        }

        if (Ratios.Any(r => r < 1))
        {
            throw new ArgumentException("ratios: every ratio must be an integer >= 1.", nameof(Ratios));
        }

        long ratioSum = Ratios.Sum(r => (long)r);
        if (ratioSum > 1_000_000)
        {
            throw new ArgumentException("ratios: the sum of the ratios must not exceed 1,000,000.", nameof(Ratios));
        }

        switch (Method)
        {
            case RandomizationMethod.PermutedBlocks:
                if (BlockSizes is null || BlockSizes.Count == 0)
                {
                    throw new ArgumentException("blockSizes: at least one block size is needed.", nameof(BlockSizes));
                }

                if (BlockSizes.Any(b => b < 1 || b % ratioSum != 0 || b > 10_000))
                {
                    throw new ArgumentException(
                        $"blockSizes: every block size must be a positive multiple of the ratio sum {ratioSum} (at most 10,000).",
                        nameof(BlockSizes));
                }

                ValidateNames(StratifyBy, "stratifyBy", nameof(StratifyBy));
                break;
            case RandomizationMethod.Minimization:
                if (Factors is null || Factors.Count == 0)
                {
                    throw new ArgumentException("factors: minimization needs at least one factor.", nameof(Factors));
                }

                ValidateNames(Factors, "factors", nameof(Factors));
                if (!(Probability > 0.5 && Probability <= 1.0))
                {
                    throw new ArgumentException("probability: must be in (0.5, 1].", nameof(Probability));
                }

                if (!Enum.IsDefined(Imbalance))
                {
                    throw new ArgumentException("imbalance: unknown measure.", nameof(Imbalance));
                }

                break;
            case RandomizationMethod.Simple:
                ValidateNames(StratifyBy, "stratifyBy", nameof(StratifyBy));
                break;
            default:
                throw new ArgumentException("method: unknown randomization method.", nameof(Method));
        }
    }

    private static void ValidateNames(IReadOnlyList<string> names, string field, string paramName)
    {
        if (names is null)
        {
            throw new ArgumentException($"{field}: must not be null.", paramName);
        }

        if (names.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException($"{field}: factor names must not be empty.", paramName);
        }

        if (names.Distinct(StringComparer.Ordinal).Count() != names.Count)
        {
            throw new ArgumentException($"{field}: factor names must be distinct.", paramName);
        }
    }
}
