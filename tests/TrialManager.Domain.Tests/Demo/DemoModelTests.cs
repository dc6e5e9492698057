using TrialManager.Domain.Demo;
using TrialManager.Domain.Therapy;
using TrialManager.Domain.Trials;

namespace TrialManager.Domain.Tests.Demo;

/// <summary>
/// The demo data carry the effects DemoModel plants: simple least squares on generated courses (no R) finds each with
/// its planted sign, within loose bounds. Each check would fail if its effect were set to zero.
/// </summary>
public sealed class DemoModelTests
{
    private const int Seed = 20261126;
    private static readonly IReadOnlyList<DemoCourse> Courses = Generate(800);

    [Fact]
    public void Generate_IsDeterministicPerSeedAndParticipant()
    {
        var therapist = DemoModel.TherapistEffects(Seed, 2);
        var first = DemoModel.Generate(Seed, 7, Formulation.Cognitive, ArmCode.Mediator, therapist);
        var again = DemoModel.Generate(Seed, 7, Formulation.Cognitive, ArmCode.Mediator, DemoModel.TherapistEffects(Seed, 2));
        var other = DemoModel.Generate(Seed + 1, 7, Formulation.Cognitive, ArmCode.Mediator, therapist);

        Assert.Equal(Describe(first), Describe(again));
        Assert.NotEqual(Describe(first), Describe(other));
    }

    [Fact]
    public void Generate_GivesItemsWithinTheInstrumentsScales_AndMeasuresOnlyAtAttendedSessions()
    {
        foreach (var session in Courses.SelectMany(c => c.Sessions))
        {
            if (session.Attendance != SessionAttendance.Attended)
            {
                Assert.True(session.Phq9 is null && session.Alliance12 is null && session.RuptureLog is null && session.TechniqueDose is null);
                continue;
            }

            if (session.Phq9 is { } phq)
            {
                Assert.Equal(Enumerable.Range(1, 9).Select(i => $"{i}"), phq.Keys);
                Assert.All(phq.Values, v => Assert.InRange(v, 0, 3));
            }

            if (session.Alliance12 is { } alliance)
            {
                Assert.Equal(12, alliance.Count);
                Assert.All(alliance.Values, v => Assert.InRange(v, 1, 5));
            }

            if (session.RuptureLog is { } log && log["1"] == 0)
            {
                Assert.Single(log);
            }
        }

        var sessions = Courses.SelectMany(c => c.Sessions).ToList();
        var attended = sessions.Count(s => s.Attendance == SessionAttendance.Attended) / (double)sessions.Count;
        Assert.InRange(attended, 0.84, 0.92);
        Assert.InRange(sessions.Count(s => s.Phq9 is not null) / (double)sessions.Count(s => s.Attendance == SessionAttendance.Attended), 0.92, 0.98);
    }

    [Fact]
    public void MediatorArm_PersonCentredAlliance_PredictsTheNextSessionsTotal_WithThePlantedCoefficient()
    {
        var mediator = WithinPersonFit(ArmCode.Mediator, withDose: false);
        var moderator = WithinPersonFit(ArmCode.Moderator, withDose: false);

        // Clearly negative (a model with no planted effect fails here), and near the planted figure.
        Assert.True(mediator[0] < -0.5, $"estimated {mediator[0]:F3}");
        Assert.InRange(mediator[0], DemoModel.MediatorLaggedAllianceEffect - 0.4, DemoModel.MediatorLaggedAllianceEffect + 0.4);
        // In the moderator arm alliance alone carries no planted effect on the next total.
        Assert.InRange(moderator[0], -0.4, 0.4);
        // Symptoms fall over the weeks in both arms.
        Assert.True(mediator[1] < -0.2 && moderator[1] < -0.2);
    }

    [Fact]
    public void ModeratorArm_AllianceTimesDose_PredictsTheNextSessionsTotal_WithThePlantedSign()
    {
        var fit = WithinPersonFit(ArmCode.Moderator, withDose: true);

        Assert.InRange(fit[2], DemoModel.ModeratorAllianceByDoseEffect - 0.25, DemoModel.ModeratorAllianceByDoseEffect + 0.25);
        Assert.True(fit[2] < -0.25, $"estimated {fit[2]:F3}");
    }

    [Fact]
    public void FinalTotal_IsLowerInTheCellTheHypothesisMatches_FormulationByArmInteraction()
    {
        double Mean(Formulation f, ArmCode a) => Courses
            .Where(c => c.Formulation == f && c.Arm == a)
            .Select(c => c.Sessions[DemoModel.Sessions - 1].Phq9)
            .Where(items => items is not null)
            .Average(items => items!.Values.Sum());

        // Matched: cognitive-moderator and interpersonal-mediator, each planted 3 points lower at session 16.
        var interaction = Mean(Formulation.Cognitive, ArmCode.Moderator) - Mean(Formulation.Cognitive, ArmCode.Mediator)
            - (Mean(Formulation.Interpersonal, ArmCode.Moderator) - Mean(Formulation.Interpersonal, ArmCode.Mediator));
        var planted = 2 * DemoModel.MatchedSlopePerWeek * (DemoModel.Sessions - 1);

        Assert.True(interaction < -3.0, $"estimated {interaction:F2}");
        Assert.InRange(interaction, planted - 2.5, planted + 2.5);
    }

    /// <summary>
    /// Least squares with participant fixed effects (every variable centred within participant) of a session's PHQ-9
    /// total on the previous session's person-centred alliance12 total and the week; with dose, also the previous
    /// session's centred technique dose and its product with alliance. Returns the coefficients in that order.
    /// </summary>
    private static double[] WithinPersonFit(ArmCode arm, bool withDose)
    {
        var rows = new List<(int Person, double Y, double[] X)>();
        foreach (var course in Courses.Where(c => c.Arm == arm))
        {
            for (var t = 1; t < course.Sessions.Count; t++)
            {
                var (previous, current) = (course.Sessions[t - 1], course.Sessions[t]);
                if (current.Phq9 is null || previous.Alliance12 is null || (withDose && previous.TechniqueDose is null))
                {
                    continue;
                }

                var alliance = Math.Round(previous.Alliance12.Values.Average(), 2, MidpointRounding.AwayFromZero) - course.AllianceMean;
                var week = current.Number - 1.0;
                double[] x = withDose
                    ? [alliance, week, alliance * Dose(previous), Dose(previous)]
                    : [alliance, week];
                rows.Add((course.Participant, current.Phq9.Values.Sum(), x));
            }
        }

        var centred = rows.GroupBy(r => r.Person).SelectMany(g =>
        {
            var meanY = g.Average(r => r.Y);
            var meanX = Enumerable.Range(0, g.First().X.Length).Select(j => g.Average(r => r.X[j])).ToArray();
            return g.Select(r => (Y: r.Y - meanY, X: r.X.Select((v, j) => v - meanX[j]).ToArray()));
        }).ToList();
        var k = centred[0].X.Length;
        var xtx = new double[k, k];
        var xty = new double[k];
        foreach (var (y, x) in centred)
        {
            for (var i = 0; i < k; i++)
            {
                xty[i] += x[i] * y;
                for (var j = 0; j < k; j++)
                {
                    xtx[i, j] += x[i] * x[j];
                }
            }
        }

        return Solve(xtx, xty);
    }

    private static double Dose(DemoSession session) =>
        session.TechniqueDose!["2"] + session.TechniqueDose["3"] + session.TechniqueDose["4"] - DemoModel.DoseCentre;

    private static double[] Solve(double[,] a, double[] b)
    {
        var n = b.Length;
        for (var col = 0; col < n; col++)
        {
            var pivot = Enumerable.Range(col, n - col).MaxBy(r => Math.Abs(a[r, col]));
            for (var j = 0; j < n; j++)
            {
                (a[col, j], a[pivot, j]) = (a[pivot, j], a[col, j]);
            }

            (b[col], b[pivot]) = (b[pivot], b[col]);
            for (var r = col + 1; r < n; r++)
            {
                var factor = a[r, col] / a[col, col];
                for (var j = col; j < n; j++)
                {
                    a[r, j] -= factor * a[col, j];
                }

                b[r] -= factor * b[col];
            }
        }

        var solution = new double[n];
        for (var r = n - 1; r >= 0; r--)
        {
            var sum = b[r];
            for (var j = r + 1; j < n; j++)
            {
                sum -= a[r, j] * solution[j];
            }

            solution[r] = sum / a[r, r];
        }

        return solution;
    }

    private static List<DemoCourse> Generate(int participants)
    {
        var therapists = Enumerable.Range(0, 6).Select(t => DemoModel.TherapistEffects(Seed, t)).ToArray();
        return [.. Enumerable.Range(0, participants).Select(i => DemoModel.Generate(
            Seed, i, i % 4 < 2 ? Formulation.Cognitive : Formulation.Interpersonal, i % 2 == 0 ? ArmCode.Mediator : ArmCode.Moderator,
            therapists[i % therapists.Length]))];
    }

    private static string Describe(DemoCourse course) => string.Join(";", course.Sessions.Select(s =>
        $"{s.Attendance}:{string.Join(",", s.Phq9?.Values ?? [])}:{string.Join(",", s.Alliance12?.Values ?? [])}"));
}
