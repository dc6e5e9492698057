using TrialManager.Domain.Therapy;
using TrialManager.Domain.Trials;

namespace TrialManager.Domain.Demo;

/// <summary>
/// The generative model of the demo trial's sessions, with the effects planted in it, so that an analysis of the
/// demo data has a known answer. docs/demo-data.md states the model in words; the figures live only here, where the
/// seeder, the tests and anyone checking an analysis read them. Deterministic: the same seed and participant give
/// the same course on every machine (System.Random with a seed is a fixed algorithm).
/// </summary>
public static class DemoModel
{
    public const int Sessions = 16;
    public const int SessionIntervalDays = 7;

    // Attendance of each session (independent): the rest are cancelled or no-shows, which have no measures.
    public const double AttendedProbability = 0.88;
    public const double CancelledProbability = 0.07;

    // Each instrument of an attended session goes unrecorded independently with this probability (missing completely at random).
    public const double MissingQuestionnaireProbability = 0.05;
    public const double MissingLogProbability = 0.03;

    // PHQ-9 total at session t (week w = t - 1), before rounding and clamping to 0-27.
    public const double PhqIntercept = 17.0;
    public const double PhqInterceptPersonSd = 3.0;
    public const double PhqInterceptTherapistSd = 1.0;
    public const double PhqSlopePerWeek = -0.40;
    public const double PhqSlopePersonSd = 0.15;
    public const double PhqResidualSd = 2.0;

    /// <summary>Extra weekly change in the cell the trial's hypothesis matches to the formulation: -3.0 on the week-15 (session 16) total.</summary>
    public const double MatchedSlopePerWeek = -0.20;

    // Client-rated alliance (alliance12 item mean, 1-5) at session t.
    public const double AllianceMean = 3.7;
    public const double AlliancePersonSd = 0.40;
    public const double AllianceTherapistSd = 0.15;
    public const double AllianceGrowthPerWeek = 0.02;
    public const double AllianceOccasionSd = 0.45;
    public const double AllianceItemSd = 0.50;

    /// <summary>
    /// Mediator arm: PHQ-9 points per alliance point of the previous session's alliance12 total, centred on the
    /// participant's own mean of their recorded alliance12 totals (within-person, lagged one session).
    /// </summary>
    public const double MediatorLaggedAllianceEffect = -1.0;

    /// <summary>Moderator arm: the same lagged, person-centred alliance has no effect of its own.</summary>
    public const double ModeratorLaggedAllianceEffect = 0.0;

    /// <summary>Moderator arm: PHQ-9 points per unit of the previous session's technique dose, centred at <see cref="DoseCentre"/>.</summary>
    public const double ModeratorDoseEffect = -0.15;

    /// <summary>Moderator arm: PHQ-9 points per (centred alliance x centred dose) of the previous session: alliance makes technique work.</summary>
    public const double ModeratorAllianceByDoseEffect = -0.50;

    /// <summary>Technique dose = techniqueDose items 2 + 3 + 4 (homework done, exposures, activities scheduled).</summary>
    public const double DoseCentre = 4.0;

    // Technique dose log (Poisson means per session) by arm: the moderator protocols carry technique.
    public const double ModeratorHomeworkSet = 2.0, MediatorHomeworkSet = 0.7;
    public const double HomeworkDoneProbability = 0.6;
    public const double ModeratorExposures = 1.0, MediatorExposures = 0.2;
    public const double ModeratorActivities = 1.5, MediatorActivities = 0.5;

    /// <summary>Self-harm item (phq9 item 9) answered 1 with this probability when the total is 10 or more (raises the API's alert).</summary>
    public const double SelfHarmProbability = 0.02;

    /// <summary>The arm the demo trial's hypothesis (protocols/demo-trial.json) expects to suit each formulation.</summary>
    public static readonly IReadOnlyDictionary<Formulation, ArmCode> MatchedArm = new Dictionary<Formulation, ArmCode>
    {
        [Formulation.Cognitive] = ArmCode.Moderator,
        [Formulation.Interpersonal] = ArmCode.Mediator,
    };

    /// <summary>A therapist's random effects on the PHQ-9 intercept and on alliance, from the seed and the therapist's number.</summary>
    public static DemoTherapistEffects TherapistEffects(int seed, int therapist)
    {
        var random = Stream(seed, -1 - therapist);
        return new DemoTherapistEffects(Normal(random) * PhqInterceptTherapistSd, Normal(random) * AllianceTherapistSd);
    }

    /// <summary>One randomized participant's 16 weekly sessions: attendance and the four session instruments' item answers.</summary>
    public static DemoCourse Generate(int seed, int participant, Formulation formulation, ArmCode arm, DemoTherapistEffects therapist)
    {
        var random = Stream(seed, participant);
        var interceptEffect = Normal(random) * PhqInterceptPersonSd;
        var slopeEffect = Normal(random) * PhqSlopePersonSd;
        var allianceEffect = Normal(random) * AlliancePersonSd;
        var matched = MatchedArm.TryGetValue(formulation, out var suited) && suited == arm;
        var slope = PhqSlopePerWeek + slopeEffect + (matched ? MatchedSlopePerWeek : 0);
        var moderator = arm == ArmCode.Moderator;

        // First what each session held (attendance, alliance, the logs), then the symptoms that follow from it.
        var held = new SessionDraft[Sessions + 1];
        var homeworkSet = 0;
        for (var t = 1; t <= Sessions; t++)
        {
            var u = random.NextDouble();
            var attendance = u < AttendedProbability ? SessionAttendance.Attended
                : u < AttendedProbability + CancelledProbability ? SessionAttendance.Cancelled : SessionAttendance.NoShow;
            if (attendance != SessionAttendance.Attended)
            {
                held[t] = new SessionDraft(attendance, null, 0, false, null, null, 0, false);
                continue;
            }

            var latent = AllianceMean + allianceEffect + therapist.Alliance + AllianceGrowthPerWeek * (t - 1) + Normal(random) * AllianceOccasionSd;
            var allianceItems = Items(12, _ => Clamp((int)Math.Round(latent + Normal(random) * AllianceItemSd), 1, 5));
            // The score the server computes: the item mean to 2 decimals.
            var alliance = Math.Round(allianceItems.Values.Average(), 2, MidpointRounding.AwayFromZero);
            var allianceRecorded = random.NextDouble() >= MissingQuestionnaireProbability;

            var done = Binomial(random, homeworkSet, HomeworkDoneProbability);
            homeworkSet = Math.Min(20, Poisson(random, moderator ? ModeratorHomeworkSet : MediatorHomeworkSet));
            var exposures = Math.Min(20, Poisson(random, moderator ? ModeratorExposures : MediatorExposures));
            var activities = Math.Min(20, Poisson(random, moderator ? ModeratorActivities : MediatorActivities));
            var dose = new Dictionary<string, int> { ["1"] = homeworkSet, ["2"] = done, ["3"] = exposures, ["4"] = activities };
            var rupture = Rupture(random, arm, latent - (AllianceMean + allianceEffect + therapist.Alliance));
            var logsRecorded = random.NextDouble() >= MissingLogProbability;
            held[t] = new SessionDraft(attendance, allianceItems, alliance, allianceRecorded, dose, rupture, done + exposures + activities, logsRecorded);
        }

        // Person mean of the alliance totals that were recorded: what an analyst centres on.
        var recordedAlliance = held.Skip(1).Where(s => s.AllianceItems is not null && s.AllianceRecorded).Select(s => s.Alliance).ToList();
        var personMean = recordedAlliance.Count > 0 ? recordedAlliance.Average() : AllianceMean;

        var sessions = new List<DemoSession>(Sessions);
        for (var t = 1; t <= Sessions; t++)
        {
            var s = held[t];
            var residual = Normal(random) * PhqResidualSd;
            if (s.Attendance != SessionAttendance.Attended)
            {
                sessions.Add(new DemoSession(t, (t - 1) * SessionIntervalDays, s.Attendance, null, null, null, null));
                continue;
            }

            var total = PhqIntercept + interceptEffect + therapist.Phq + slope * (t - 1) + residual;
            if (t > 1 && held[t - 1] is { Attendance: SessionAttendance.Attended } previous)
            {
                var centred = previous.Alliance - personMean;
                var dose = previous.Dose - DoseCentre;
                total += moderator
                    ? ModeratorLaggedAllianceEffect * centred + ModeratorDoseEffect * dose + ModeratorAllianceByDoseEffect * centred * dose
                    : MediatorLaggedAllianceEffect * centred;
            }

            var phq = PhqItems(random, Clamp((int)Math.Round(total, MidpointRounding.AwayFromZero), 0, 27));
            var phqRecorded = random.NextDouble() >= MissingQuestionnaireProbability;
            sessions.Add(new DemoSession(
                t, (t - 1) * SessionIntervalDays, s.Attendance,
                s.AllianceRecorded ? s.AllianceItems : null,
                phqRecorded ? phq : null,
                s.LogsRecorded ? s.Rupture : null,
                s.LogsRecorded ? s.DoseItems : null));
        }

        return new DemoCourse(participant, formulation, arm, matched, personMean, sessions);
    }

    /// <summary>Nine items summing to the total: item 9 (self-harm) rarely above 0, the rest spread over items 1-8 (at most 3 each).</summary>
    private static Dictionary<string, int> PhqItems(Random random, int total)
    {
        var items = new int[10];
        items[9] = total >= 10 && random.NextDouble() < SelfHarmProbability ? 1 : 0;
        items[9] = Math.Max(items[9], total - 24);
        for (var left = total - items[9]; left > 0; left--)
        {
            var open = Enumerable.Range(1, 8).Where(i => items[i] < 3).ToArray();
            items[open[random.Next(open.Length)]]++;
        }

        return Items(9, i => items[i]);
    }

    /// <summary>The therapist's rupture log: ruptures likelier when alliance dips below the participant's usual; repair moves follow the arm.</summary>
    private static Dictionary<string, int> Rupture(Random random, ArmCode arm, double allianceDip)
    {
        var probability = 1 / (1 + Math.Exp(2.0 + 2.0 * allianceDip));
        if (random.NextDouble() >= probability)
        {
            return new Dictionary<string, int> { ["1"] = 0 };
        }

        var log = new Dictionary<string, int> { ["1"] = 1, ["2"] = random.Next(2), ["3"] = random.NextDouble() < 0.8 ? 1 : 0 };
        if (log["3"] == 1)
        {
            // 0 explore (the mediator protocols' move), 1 renegotiate (the moderator protocols'), 2 both.
            var u = random.NextDouble();
            var own = arm == ArmCode.Moderator ? 1 : 0;
            log["4"] = u < 0.7 ? own : u < 0.9 ? 2 : 1 - own;
        }

        var r = random.NextDouble();
        log["5"] = r < 0.5 ? 2 : r < 0.8 ? 1 : 0;
        return log;
    }

    private static Dictionary<string, int> Items(int count, Func<int, int> value) =>
        Enumerable.Range(1, count).ToDictionary(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture), value);

    private static int Clamp(int value, int min, int max) => Math.Min(max, Math.Max(min, value));

    // One stream per participant (and per therapist, below zero), so a course does not depend on the order of generation.
    private static Random Stream(int seed, int key) => new(unchecked((seed * 1_000_003) ^ (key * 7919 + 17)));

    private static double Normal(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    private static int Poisson(Random random, double mean)
    {
        var limit = Math.Exp(-mean);
        var k = 0;
        for (var p = random.NextDouble(); p > limit; p *= random.NextDouble())
        {
            k++;
        }

        return k;
    }

    private static int Binomial(Random random, int n, double p) => Enumerable.Range(0, n).Count(_ => random.NextDouble() < p);

    private sealed record SessionDraft(
        SessionAttendance Attendance, Dictionary<string, int>? AllianceItems, double Alliance, bool AllianceRecorded,
        Dictionary<string, int>? DoseItems, Dictionary<string, int>? Rupture, int Dose, bool LogsRecorded);
}

public sealed record DemoTherapistEffects(double Phq, double Alliance);

/// <summary>One participant's generated course; <see cref="AllianceMean"/> is the mean of their recorded alliance12 totals.</summary>
public sealed record DemoCourse(int Participant, Formulation Formulation, ArmCode Arm, bool Matched, double AllianceMean, IReadOnlyList<DemoSession> Sessions);

/// <summary>A session <see cref="Day"/> days after the first; item answers by item id, null when the instrument was not recorded.</summary>
public sealed record DemoSession(
    int Number, int Day, SessionAttendance Attendance,
    IReadOnlyDictionary<string, int>? Alliance12, IReadOnlyDictionary<string, int>? Phq9,
    IReadOnlyDictionary<string, int>? RuptureLog, IReadOnlyDictionary<string, int>? TechniqueDose);
