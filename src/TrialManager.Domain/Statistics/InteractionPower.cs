using System.Security.Cryptography;
using System.Text;

namespace TrialManager.Domain.Statistics;

/// <summary>What the power simulation assumes: the cells, their true means, the population and the losses.</summary>
public sealed record PowerInput
{
    /// <summary>Formulation names, in the trial's order (rows of <see cref="CellMeans"/>).</summary>
    public required IReadOnlyList<string> Formulations { get; init; }

    /// <summary>Arm names and allocation ratios, in the trial's order (columns of <see cref="CellMeans"/>).</summary>
    public required IReadOnlyList<(string Arm, int Ratio)> Arms { get; init; }

    /// <summary>True mean outcome of each formulation x arm cell in standard-deviation units (within-cell SD 1).</summary>
    public required double[,] CellMeans { get; init; }

    /// <summary>Share of each formulation among randomized participants (any positive weights; normalised).</summary>
    public required IReadOnlyList<double> Prevalence { get; init; }

    /// <summary>Share of randomized participants without the outcome (analysed as complete cases).</summary>
    public double Dropout { get; init; }

    /// <summary>Participants randomized per simulated trial.</summary>
    public required int Participants { get; init; }

    public int Trials { get; init; } = 10_000;

    public double Alpha { get; init; } = 0.05;

    /// <summary>
    /// True when the design balances arms within each formulation (stratified permuted blocks, minimization): the
    /// arms of a formulation are then split by the ratio, the remainder at random (an incomplete last block).
    /// False for simple randomization: every participant's arm is drawn by the ratio.
    /// </summary>
    public required bool BalancedWithinFormulation { get; init; }

    public required string Seed { get; init; }
}

/// <param name="Power">Share of simulated trials whose F test rejected at alpha.</param>
/// <param name="ClosedForm">The noncentral-F power at the expected cell sizes, for comparison.</param>
public sealed record TestPower(double Power, double ClosedForm);

public sealed record FormulationArmPower(string Formulation, TestPower ArmEffect);

/// <param name="Interaction">The formulation x arm interaction (null with one formulation: there is none).</param>
/// <param name="ArmEffects">Within each formulation, the test that the arms differ.</param>
/// <param name="ParticipantsFor80">Smallest trial (participants randomized) whose closed-form interaction power reaches 0.8; null when none up to 100,000 does.</param>
/// <param name="SimulatedPowerAt80">The simulated interaction power at that size (at most
/// <see cref="InteractionPower.ConfirmationTrials"/> trials), which checks the closed form; null when trials x size
/// exceeds <see cref="InteractionPower.MaxConfirmationWork"/>.</param>
public sealed record PowerReport(
    int Participants,
    int Trials,
    double Alpha,
    TestPower? Interaction,
    IReadOnlyList<FormulationArmPower> ArmEffects,
    int? ParticipantsFor80,
    int? ParticipantsFor90,
    double? SimulatedPowerAt80,
    double? SimulatedPowerAt90);

/// <summary>
/// Power of the trial's primary question, the formulation x arm interaction on the outcome, by simulation: each
/// simulated trial draws formulations by prevalence, allocates arms as the design would, loses participants to
/// dropout, draws outcomes (cell mean + N(0, 1)), fits the cell-means (two-way, with interaction) model and tests
/// the interaction contrasts μ_fa - μ_f1 - μ_1a + μ_11 jointly with a Wald F on the pooled within-cell variance
/// (the type III interaction test). The same per formulation for the arm effect. The closed form beside it uses the
/// noncentral F at the expected cell sizes; the sizes for 80% and 90% come from it and are then simulated too.
/// </summary>
public static class InteractionPower
{
    public const int MaxParticipants = 100_000;

    /// <summary>Simulated participants (trials x size) beyond which the sizes for 80/90% are not simulated again.</summary>
    public const long MaxConfirmationWork = 20_000_000;
    private const int ChunkSize = 500;

    public static PowerReport Run(PowerInput input)
    {
        Validate(input);
        var model = new CellModel(input);
        var (interaction, armEffects) = Simulate(model, input, input.Participants);
        var sizeFor80 = model.HasInteraction ? SizeFor(model, input, 0.8) : null;
        var sizeFor90 = model.HasInteraction ? SizeFor(model, input, 0.9) : null;
        return new PowerReport(
            input.Participants,
            input.Trials,
            input.Alpha,
            model.HasInteraction ? new TestPower(interaction, model.ClosedFormPower(model.Interaction, input.Participants)) : null,
            [.. input.Formulations.Select((f, i) => new FormulationArmPower(f, new TestPower(armEffects[i], model.ClosedFormPower(model.ArmEffect[i], input.Participants))))],
            sizeFor80,
            sizeFor90,
            Confirm(model, input, sizeFor80),
            Confirm(model, input, sizeFor90));
    }

    /// <summary>The closed-form power of the interaction test for a trial of <paramref name="participants"/>.</summary>
    public static double ClosedFormInteractionPower(PowerInput input, int participants)
    {
        Validate(input);
        var model = new CellModel(input);
        return model.HasInteraction ? model.ClosedFormPower(model.Interaction, participants) : double.NaN;
    }

    /// <summary>Simulated trials behind each confirmation: enough to see the closed form within about 0.01.</summary>
    public const int ConfirmationTrials = 2_000;

    private static double? Confirm(CellModel model, PowerInput input, int? size)
    {
        var confirmation = input with { Trials = Math.Min(input.Trials, ConfirmationTrials) };
        return size is { } n && (long)n * confirmation.Trials <= MaxConfirmationWork ? Simulate(model, confirmation, n).Interaction : null;
    }

    private static int? SizeFor(CellModel model, PowerInput input, double target)
    {
        // Power rises with the trial's size; find the first size that reaches the target by bisection.
        var low = model.Cells + 2;
        if (model.ClosedFormPower(model.Interaction, MaxParticipants) < target)
        {
            return null;
        }

        var high = MaxParticipants;
        while (low < high)
        {
            var middle = low + ((high - low) / 2);
            if (model.ClosedFormPower(model.Interaction, middle) >= target)
            {
                high = middle;
            }
            else
            {
                low = middle + 1;
            }
        }

        return low;
    }

    private static (double Interaction, double[] ArmEffects) Simulate(CellModel model, PowerInput input, int participants)
    {
        var chunks = (input.Trials + ChunkSize - 1) / ChunkSize;
        var interactionRejections = new int[chunks];
        var armRejections = new int[chunks, model.Formulations];
        Parallel.For(0, chunks, chunk =>
        {
            // Each chunk has its own stream from (seed, size, chunk): results do not depend on the scheduling.
            var random = new Random(ChunkSeed(input.Seed, participants, chunk));
            var trial = new SimulatedTrial(model, input, participants, random);
            var count = Math.Min(ChunkSize, input.Trials - (chunk * ChunkSize));
            for (var t = 0; t < count; t++)
            {
                trial.Run();
                if (model.HasInteraction && trial.Rejects(model.Interaction))
                {
                    interactionRejections[chunk]++;
                }

                for (var f = 0; f < model.Formulations; f++)
                {
                    if (trial.Rejects(model.ArmEffect[f]))
                    {
                        armRejections[chunk, f]++;
                    }
                }
            }
        });

        var arms = new double[model.Formulations];
        for (var f = 0; f < arms.Length; f++)
        {
            arms[f] = Enumerable.Range(0, chunks).Sum(c => armRejections[c, f]) / (double)input.Trials;
        }

        return (interactionRejections.Sum() / (double)input.Trials, arms);
    }

    private static int ChunkSeed(string seed, int participants, int chunk)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"power|{seed}|{participants}|{chunk}"));
        return BitConverter.ToInt32(hash, 0);
    }

    private static void Validate(PowerInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        int k = input.Formulations.Count, a = input.Arms.Count;
        if (k < 1 || a < 2 || input.CellMeans.GetLength(0) != k || input.CellMeans.GetLength(1) != a || input.Prevalence.Count != k)
        {
            throw new ArgumentException("Cell means must have one row per formulation and one column per arm (two or more), and prevalences one per formulation.", nameof(input));
        }

        if (input.Prevalence.Any(p => !(p > 0) || !double.IsFinite(p)) || input.Arms.Any(arm => arm.Ratio < 1)
            || input.CellMeans.Cast<double>().Any(m => !double.IsFinite(m)))
        {
            throw new ArgumentException("Prevalences must be positive, ratios at least 1 and cell means finite.", nameof(input));
        }

        if (!(input.Dropout is >= 0 and < 1) || !(input.Alpha is > 0 and < 1) || input.Trials < 1
            || input.Participants < (k * a) + 2 || input.Participants > MaxParticipants)
        {
            throw new ArgumentException("Dropout must lie in [0, 1), alpha in (0, 1), and the trial must have more participants than cells.", nameof(input));
        }
    }

    /// <summary>A joint Wald F test of some contrasts of the cell means: rows of coefficients over the cells.</summary>
    private sealed record ContrastTest(double[][] Rows);

    /// <summary>The cells, the contrasts of each test and the closed-form (noncentral F) power.</summary>
    private sealed class CellModel
    {
        public CellModel(PowerInput input)
        {
            Input = input;
            Formulations = input.Formulations.Count;
            Arms = input.Arms.Count;
            Cells = Formulations * Arms;
            Means = new double[Cells];
            for (var f = 0; f < Formulations; f++)
            {
                for (var a = 0; a < Arms; a++)
                {
                    Means[Cell(f, a)] = input.CellMeans[f, a];
                }
            }

            var prevalenceTotal = input.Prevalence.Sum();
            var ratioTotal = (double)input.Arms.Sum(arm => arm.Ratio);
            ExpectedShare = new double[Cells];
            for (var f = 0; f < Formulations; f++)
            {
                for (var a = 0; a < Arms; a++)
                {
                    ExpectedShare[Cell(f, a)] = input.Prevalence[f] / prevalenceTotal * input.Arms[a].Ratio / ratioTotal;
                }
            }

            var interaction = new List<double[]>();
            for (var f = 1; f < Formulations; f++)
            {
                for (var a = 1; a < Arms; a++)
                {
                    var row = new double[Cells];
                    row[Cell(f, a)] = 1;
                    row[Cell(f, 0)] = -1;
                    row[Cell(0, a)] = -1;
                    row[Cell(0, 0)] = 1;
                    interaction.Add(row);
                }
            }

            Interaction = new ContrastTest([.. interaction]);
            ArmEffect = [.. Enumerable.Range(0, Formulations).Select(f => new ContrastTest([.. Enumerable.Range(1, Arms - 1).Select(a =>
            {
                var row = new double[Cells];
                row[Cell(f, a)] = 1;
                row[Cell(f, 0)] = -1;
                return row;
            })]))];
        }

        public PowerInput Input { get; }
        public int Formulations { get; }
        public int Arms { get; }
        public int Cells { get; }
        public double[] Means { get; }
        public double[] ExpectedShare { get; }
        public ContrastTest Interaction { get; }
        public ContrastTest[] ArmEffect { get; }
        public bool HasInteraction => Formulations > 1;

        public int Cell(int formulation, int arm) => (formulation * Arms) + arm;

        public double ClosedFormPower(ContrastTest test, int participants)
        {
            var analysed = participants * (1 - Input.Dropout);
            var n = ExpectedShare.Select(share => share * analysed).ToArray();
            var df1 = test.Rows.Length;
            var df2 = analysed - Cells;
            if (df2 < 1)
            {
                return 0;
            }

            var lambda = Wald.Statistic(test.Rows, Means, n); // sigma = 1
            var critical = FDistribution.Quantile(1 - Input.Alpha, df1, df2);
            return 1 - NoncentralF.Cdf(critical, df1, df2, lambda);
        }
    }

    /// <summary>One simulated trial at a time, reusing its buffers.</summary>
    private sealed class SimulatedTrial(CellModel model, PowerInput input, int participants, Random random)
    {
        private readonly int[] _count = new int[model.Cells];
        private readonly double[] _sum = new double[model.Cells];
        private readonly double[] _sumSquares = new double[model.Cells];
        private readonly double[] _mean = new double[model.Cells];
        private readonly double[] _n = new double[model.Cells];
        private readonly int[] _perFormulation = new int[model.Formulations];
        private readonly double[] _cumulativePrevalence = Cumulative(input.Prevalence);
        private readonly double[] _cumulativeRatio = Cumulative([.. input.Arms.Select(a => (double)a.Ratio)]);
        private readonly Dictionary<(int, int), double> _critical = [];
        private double _variance;
        private int _errorDf;

        public void Run()
        {
            Array.Clear(_count);
            Array.Clear(_sum);
            Array.Clear(_sumSquares);
            Array.Clear(_perFormulation);
            for (var i = 0; i < participants; i++)
            {
                _perFormulation[Draw(_cumulativePrevalence)]++;
            }

            for (var f = 0; f < model.Formulations; f++)
            {
                if (input.BalancedWithinFormulation)
                {
                    AllocateBalanced(f, _perFormulation[f]);
                }
                else
                {
                    for (var i = 0; i < _perFormulation[f]; i++)
                    {
                        Observe(model.Cell(f, Draw(_cumulativeRatio)));
                    }
                }
            }

            double within = 0;
            var analysed = 0;
            for (var c = 0; c < model.Cells; c++)
            {
                _n[c] = _count[c];
                analysed += _count[c];
                _mean[c] = _count[c] == 0 ? double.NaN : _sum[c] / _count[c];
                within += _count[c] == 0 ? 0 : _sumSquares[c] - (_sum[c] * _mean[c]);
            }

            _errorDf = analysed - model.Cells;
            _variance = _errorDf > 0 ? within / _errorDf : double.NaN;
        }

        /// <summary>Whether the test rejects at alpha; a trial with an empty cell cannot estimate it and does not.</summary>
        public bool Rejects(ContrastTest test)
        {
            if (_errorDf < 1 || !(_variance > 0) || _count.Any(c => c == 0))
            {
                return false;
            }

            var df1 = test.Rows.Length;
            var f = Wald.Statistic(test.Rows, _mean, _n) / _variance / df1;
            if (!_critical.TryGetValue((df1, _errorDf), out var critical))
            {
                critical = FDistribution.Quantile(1 - input.Alpha, df1, _errorDf);
                _critical[(df1, _errorDf)] = critical;
            }

            return f > critical;
        }

        // Arms split by the ratio, whole blocks first; the remainder (an incomplete last block) drawn without
        // replacement from one block's worth of arm slots.
        private void AllocateBalanced(int formulation, int n)
        {
            var blockSize = input.Arms.Sum(a => a.Ratio);
            var wholeBlocks = n / blockSize;
            for (var a = 0; a < model.Arms; a++)
            {
                for (var i = 0; i < wholeBlocks * input.Arms[a].Ratio; i++)
                {
                    Observe(model.Cell(formulation, a));
                }
            }

            var slots = input.Arms.SelectMany((arm, a) => Enumerable.Repeat(a, arm.Ratio)).ToArray();
            random.Shuffle(slots);
            for (var i = 0; i < n - (wholeBlocks * blockSize); i++)
            {
                Observe(model.Cell(formulation, slots[i]));
            }
        }

        private void Observe(int cell)
        {
            if (input.Dropout > 0 && random.NextDouble() < input.Dropout)
            {
                return;
            }

            var y = model.Means[cell] + Normal();
            _count[cell]++;
            _sum[cell] += y;
            _sumSquares[cell] += y * y;
        }

        private int Draw(double[] cumulative)
        {
            var u = random.NextDouble() * cumulative[^1];
            var i = 0;
            while (i < cumulative.Length - 1 && u >= cumulative[i])
            {
                i++;
            }

            return i;
        }

        // Marsaglia's polar method (one of the pair is enough here).
        private double Normal()
        {
            double u, v, s;
            do
            {
                u = (2 * random.NextDouble()) - 1;
                v = (2 * random.NextDouble()) - 1;
                s = (u * u) + (v * v);
            }
            while (s is >= 1 or 0);

            return u * Math.Sqrt(-2 * Math.Log(s) / s);
        }

        private static double[] Cumulative(IReadOnlyList<double> weights)
        {
            var cumulative = new double[weights.Count];
            double total = 0;
            for (var i = 0; i < weights.Count; i++)
            {
                total += weights[i];
                cumulative[i] = total;
            }

            return cumulative;
        }
    }

    /// <summary>(C m)' (C D C')^-1 (C m) with D = diag(1 / n): the Wald statistic for sigma = 1.</summary>
    private static class Wald
    {
        public static double Statistic(double[][] rows, double[] means, double[] n)
        {
            var q = rows.Length;
            var estimate = new double[q];
            var covariance = new double[q, q];
            for (var i = 0; i < q; i++)
            {
                for (var c = 0; c < means.Length; c++)
                {
                    if (rows[i][c] != 0)
                    {
                        estimate[i] += rows[i][c] * means[c];
                    }
                }

                for (var j = 0; j <= i; j++)
                {
                    double sum = 0;
                    for (var c = 0; c < means.Length; c++)
                    {
                        if (rows[i][c] != 0 && rows[j][c] != 0)
                        {
                            sum += rows[i][c] * rows[j][c] / n[c];
                        }
                    }

                    covariance[i, j] = covariance[j, i] = sum;
                }
            }

            return Quadratic(covariance, estimate);
        }

        // x' A^-1 x by Cholesky (A is symmetric positive definite: independent contrasts of cells with n > 0).
        private static double Quadratic(double[,] a, double[] x)
        {
            var q = x.Length;
            var l = new double[q, q];
            for (var i = 0; i < q; i++)
            {
                for (var j = 0; j <= i; j++)
                {
                    var sum = a[i, j];
                    for (var k = 0; k < j; k++)
                    {
                        sum -= l[i, k] * l[j, k];
                    }

                    l[i, j] = i == j ? Math.Sqrt(sum) : sum / l[j, j];
                }
            }

            // Solve L z = x; then x' A^-1 x = z' z.
            var z = new double[q];
            double result = 0;
            for (var i = 0; i < q; i++)
            {
                var sum = x[i];
                for (var k = 0; k < i; k++)
                {
                    sum -= l[i, k] * z[k];
                }

                z[i] = sum / l[i, i];
                result += z[i] * z[i];
            }

            return result;
        }
    }
}
