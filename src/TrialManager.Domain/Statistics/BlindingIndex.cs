namespace TrialManager.Domain.Statistics;

/// <summary>
/// Bang's blinding index for one arm (Bang H, Ni L, Davis CE. Assessment of blinding in clinical trials. Control Clin
/// Trials 2004;25:143-156, PMID 15020033; as computed per arm by the R package BI, Schwartz and Mercaldo):
/// BI = (2 * correct / (correct + incorrect) - 1) * (correct + incorrect) / n, which is (correct - incorrect) / n, over
/// all n guesses about the arm's participants, don't-knows included. 1: every guess right (unblinded); 0: as many
/// right as wrong (consistent with blinding); -1: every guess wrong (opposite guessing). With a third arm a wrong guess
/// is any other arm, so random guessing there leans negative; the counts are given beside the index for that reason.
/// </summary>
public sealed record BlindingIndex(int Correct, int Incorrect, int DontKnow)
{
    public int N => Correct + Incorrect + DontKnow;

    /// <summary>The index, or null without guesses.</summary>
    public double? Value => N == 0 ? null : (double)(Correct - Incorrect) / N;

    /// <summary>
    /// The multinomial standard error of the difference of the two shares (Bang et al. 2004):
    /// sqrt((pc(1-pc) + pi(1-pi) + 2 pc pi) / n); null without guesses.
    /// </summary>
    public double? StandardError
    {
        get
        {
            if (N == 0)
            {
                return null;
            }

            double pc = (double)Correct / N, pi = (double)Incorrect / N;
            return Math.Sqrt((pc * (1 - pc) + pi * (1 - pi) + 2 * pc * pi) / N);
        }
    }

    public static BlindingIndex Of(int correct, int incorrect, int dontKnow) =>
        correct < 0 || incorrect < 0 || dontKnow < 0
            ? throw new ArgumentOutOfRangeException(nameof(correct), "Counts cannot be negative.")
            : new(correct, incorrect, dontKnow);
}
