using BenchmarkDotNet.Attributes;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Randomization;
using TrialManager.Domain.Statistics;
using TrialManager.Domain.Trials;

namespace TrialManager.Benchmarks.Statistics;

/// <summary>
/// The reliability figures (GET /api/trials/{id}/reliability) over 10,000 double-rated participants, a quarter with a
/// third rating and some with a consensus rating: the target is under 100 ms. The same-run reference walks the same
/// ratings once and sums their scores, the floor any statistic over them pays.
/// </summary>
[MemoryDiagnoser]
public class AgreementBenchmarks
{
    private const int Participants = 10_000;
    private static readonly DateTimeOffset Start = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);
    private List<RatedCase> _cases = [];

    [GlobalSetup]
    public void Setup()
    {
        var definition = new TrialDefinition
        {
            Id = "bench-agreement",
            Title = "Agreement benchmark",
            TargetEnrollment = Participants,
            Sites = ["AAA"],
            Formulations = [Formulation.Cognitive, Formulation.Interpersonal, Formulation.Behavioral, Formulation.Environmental],
            Arms = [new ArmDefinition(ArmCode.Mediator, 1), new ArmDefinition(ArmCode.Moderator, 1)],
            Randomization = new RandomizationSettings { Method = RandomizationMethod.Simple, StratifyBy = ["formulation"] },
            Eligibility = new EligibilityCriteria(18, 65, 0, 27, []),
            FormulationRule = new FormulationRule(1),
        };
        var trial = new Trial(definition, "bench", Start);
        trial.ChangeStatus(TrialStatus.Recruiting);
        var random = new Random(42);
        for (var i = 0; i < Participants; i++)
        {
            var at = Start.AddHours(i);
            var participant = Participant.Screen($"P{i}", trial, new ScreeningAnswers("AAA", 30, 15, [], null, null), at);
            participant.Consent("1.0", DateOnly.FromDateTime(at.UtcDateTime));
            var truth = Enumerable.Range(0, 4).Select(_ => random.Next(5)).ToArray();
            var raters = random.Next(4) == 0 ? 3 : 2;
            for (var r = 0; r < raters; r++)
            {
                participant.RateFormulation(definition, $"R{(i + r) % 12:00}", Noisy(truth, random), false, null, at.AddMinutes(r));
            }

            if (participant.Status == ParticipantStatus.FormulationPending)
            {
                participant.RateFormulation(definition, "C01", Noisy(truth, random), true, null, at.AddMinutes(9));
            }

            _cases.Add(new RatedCase(participant.Ratings, null));
        }
    }

    [Benchmark(Baseline = true, Description = "reference: sum every score once")]
    public long SumScores()
    {
        long sum = 0;
        foreach (var c in _cases)
        {
            foreach (var r in c.Ratings)
            {
                sum += r.Scores.Cognitive + r.Scores.Interpersonal + r.Scores.Behavioral + r.Scores.Environmental;
            }
        }

        return sum;
    }

    [Benchmark(Description = "all reliability figures, 10,000 double-rated")]
    public FormulationAgreementReport Reliability() => FormulationAgreement.Compute(_cases);

    private static FormulationScores Noisy(int[] truth, Random random)
    {
        var s = truth.Select(t => Math.Clamp(t + (random.Next(4) == 0 ? random.Next(-1, 2) : 0), 0, 4)).ToArray();
        return new FormulationScores(s[0], s[1], s[2], s[3]);
    }
}
