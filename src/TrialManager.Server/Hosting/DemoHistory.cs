using System.Security.Claims;
using Bogus;
using Mediator;
using TrialManager.Domain.Common;
using TrialManager.Domain.Demo;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Therapy;
using TrialManager.Domain.Trials;
using TrialManager.Server.Common;
using TrialManager.Server.Features.Measures;
using TrialManager.Server.Features.Participants;
using TrialManager.Server.Features.Raters;
using TrialManager.Server.Features.Therapy;
using TrialManager.Server.Features.Trials;

namespace TrialManager.Server.Hosting;

/// <summary>
/// The demo trial's history as an agenda of dated steps, each one command (or a few) sent through the mediator with the
/// <see cref="DemoClock"/> set to its date; a step schedules the participant's next ones, so enrolments and other
/// participants' sessions interleave in date order, as they would have happened.
/// </summary>
internal sealed class DemoHistory(IServiceProvider services, CreateTrial trial, Faker faker, int seed, DateTimeOffset today)
{
    /// <summary>The visits' assessor: the Development key's, so the demo's visit measures are entered by the role that enters them.</summary>
    private static readonly ClaimsPrincipal Assessor = new(new ClaimsIdentity(
        [new Claim(ClaimTypes.Name, "dev-assessor"), new Claim(ClaimTypes.Role, Roles.Assessor)], "demo-seed"));

    private readonly PriorityQueue<Func<Task>, (DateTimeOffset At, long Order)> agenda = new();
    private readonly Dictionary<string, int> assignedPerSite = [];
    private long order;
    private DateTimeOffset now;

    /// <summary>Per site, the two therapists (both arms: therapists are crossed with arms) and their model numbers.</summary>
    public List<(string Code, string Site, int Number)> Therapists { get; } = [];

    public int SessionCount { get; private set; }
    public int MeasureCount { get; private set; }
    public int VisitMeasureCount { get; private set; }

    public void Schedule(DateTimeOffset at, Func<Task> step) => agenda.Enqueue(step, (at, order++));

    public async Task PlayAsync(DemoClock clock)
    {
        while (agenda.TryDequeue(out var step, out var key))
        {
            now = key.At;
            clock.Set(now);
            await step();
        }
    }

    public async Task RegisterTherapistsAsync()
    {
        var sites = trial.Sites!.Select(s => s!).ToArray();
        for (var s = 0; s < sites.Length; s++)
        {
            for (var k = 0; k < 2; k++)
            {
                // The first is the Development key's therapist, so dev-therapist sees demo participants.
                var code = s == 0 && k == 0 ? "dev-therapist" : $"{sites[s].ToLowerInvariant()}-t{k + 1}";
                await SendAsync(new RegisterTherapist(trial.Id!, code, sites[s], ["mediator", "moderator"]));
                Therapists.Add((code, sites[s], (s * 2) + k));
            }
        }
    }

    /// <summary>
    /// Every tenth person fails screening; the rest walk the workflow to a stage chosen by their index: 0 eligible,
    /// 1 declined, 2 consented, 3 formulationPending, 4 formulated, 5 randomized (in therapy, an adverse event in week 4),
    /// 6 withdrawn after some sessions, 7 completed after 16 sessions, 8 excluded (primary formulation outside the trial's).
    /// </summary>
    public async Task ScreenAsync(int index)
    {
        var sites = trial.Sites!.Select(s => s!).ToArray();
        var failsScreening = index % 10 == 9;
        var screened = await SendAsync(new ScreenParticipant(
            trial.Id!, faker.PickRandom(sites),
            failsScreening ? faker.Random.Int(14, 17) : faker.Random.Int(19, 64),
            faker.Random.Int(11, 26), [], faker.Random.Int(2, 10), faker.Random.Int(2, 10)));
        var stage = index % 9;
        if (failsScreening || stage == 0)
        {
            return;
        }

        Schedule(now.AddDays(faker.Random.Int(1, 5)), () => ConsentAsync(index, screened.Id, stage));
    }

    private async Task ConsentAsync(int index, string id, int stage)
    {
        if (stage == 1)
        {
            await SendAsync(new RecordConsent(id, null, null, Declined: true));
            return;
        }

        await SendAsync(new RecordConsent(id, "1.0", DateOnly.FromDateTime(now.UtcDateTime), null));
        if (stage != 2)
        {
            Schedule(now.AddDays(faker.Random.Int(2, 6)), () => FormulateAsync(index, id, stage));
        }
    }

    private async Task FormulateAsync(int index, string id, int stage)
    {
        // Factors in score order; the lead is one of the trial's formulations, except for the excluded case.
        string[] factors = ["cognitive", "interpersonal", "behavioral", "environmental"];
        var inTrial = factors.Where(f => trial.Formulations!.Contains(f, StringComparer.OrdinalIgnoreCase)).ToArray();
        var outside = factors.Except(inTrial).ToArray();
        var lead = Array.IndexOf(factors, stage == 8 && outside.Length > 0 ? faker.PickRandom(outside) : faker.PickRandom(inTrial));
        int Score(int factor) => stage == 3 ? (factor < 2 ? 3 : 1) : factor == lead ? 4 : faker.Random.Int(0, 2);
        var scores = new ScoresRequest(Score(0), Score(1), Score(2), Score(3));
        await SendAsync(new RateFormulation(id, "R01", scores, false, "Demo formulation"));
        var participant = await SendAsync(new GetParticipant(id));
        if (participant.Status != ParticipantStatus.Formulated || stage == 4)
        {
            return;
        }

        await SendAsync(new RateFormulation(id, "R02", index % 4 == 0 ? scores with { Cognitive = 0, Behavioral = 4 } : scores, false, "Second rater"));
        Schedule(now.AddDays(faker.Random.Int(1, 4)), () => RandomizeAsync(index, id, stage));
    }

    private async Task RandomizeAsync(int index, string id, int stage)
    {
        var outcome = await SendAsync(new RandomizeParticipant(id));
        var participant = await SendAsync(new GetParticipant(id));
        var site = participant.Site;
        var k = assignedPerSite[site] = assignedPerSite.GetValueOrDefault(site) + 1;
        var therapist = Therapists.Where(t => t.Site == site).ElementAt(k % 2);
        await SendAsync(new AssignTherapist(id, therapist.Code));

        var course = DemoModel.Generate(
            seed, index, participant.PrimaryFormulation!.Value, outcome.Allocation.Arm, DemoModel.TherapistEffects(seed, therapist.Number));
        var lastSession = stage == 6 ? faker.Random.Int(3, 10) : DemoModel.Sessions;
        var firstSession = now.Date.AddDays(DemoModel.SessionIntervalDays).AddHours(10 + (index % 8));
        foreach (var session in course.Sessions.Where(s => s.Number <= lastSession))
        {
            Schedule(new DateTimeOffset(firstSession.AddDays(session.Day), TimeSpan.Zero), () => SessionAsync(id, session));
        }

        var after = new DateTimeOffset(firstSession.AddDays(course.Sessions[lastSession - 1].Day + 1), TimeSpan.Zero);
        ScheduleVisits(index, id, stage, course.Sessions.Where(s => s.Number <= lastSession).ToList(), now, firstSession);
        switch (stage)
        {
            case 5:
                Schedule(new DateTimeOffset(firstSession.AddDays(3 * DemoModel.SessionIntervalDays + 2), TimeSpan.Zero),
                    () => SendAsync(new RecordParticipantEvent(id, "adverseEvent", DateOnly.FromDateTime(now.UtcDateTime.AddDays(-1)), "Headache after session",
                        Serious: [], Severity: "mild", Relatedness: "unlikely", Expected: true, Outcome: "recovered", ResolvedOn: DateOnly.FromDateTime(now.UtcDateTime))));
                break;
            case 6:
                var category = DemoSeeder.DemoWithdrawalCategories[index / 9 % DemoSeeder.DemoWithdrawalCategories.Length];
                Schedule(after, () => SendAsync(new WithdrawParticipant(id, category, "Demo note")));
                break;
            case 7:
                Schedule(after, () => SendAsync(new CompleteParticipant(id)));
                break;
        }
    }

    /// <summary>One session and the measures taken at it, through the API's commands, so the server scores them.</summary>
    private async Task SessionAsync(string id, DemoSession session)
    {
        var date = DateOnly.FromDateTime(now.UtcDateTime);
        await SendAsync(new RecordSession(id, session.Number, date, session.Attendance.Wire()));
        SessionCount++;
        foreach (var (instrument, items) in new[]
                 {
                     ("phq9", session.Phq9), ("alliance12", session.Alliance12), ("ruptureLog", session.RuptureLog), ("techniqueDose", session.TechniqueDose),
                 })
        {
            if (items is null)
            {
                continue;
            }

            await SendAsync(new RecordMeasure(id, instrument, session.Number, null, date, items.ToDictionary(i => i.Key, i => (decimal?)i.Value)));
            MeasureCount++;
        }
    }

    /// <summary>
    /// The schedule's visits (docs/demo-data.md, "Visits"): an assessor records PHQ-9 and GAD-7 at baseline, at the end of
    /// treatment (at the last session, before a completion closes the record) and, for those still in treatment, at
    /// follow-up; each visit is missed with probability <see cref="MissedVisit"/>, and none is recorded after today, so the
    /// due list has overdue and due visits. Drawn from a stream of their own, so the sessions' draws stay as they were.
    /// </summary>
    private void ScheduleVisits(int index, string id, int stage, List<DemoSession> sessions, DateTimeOffset randomizedAt, DateTime firstSession)
    {
        foreach (var (code, at, phq9, gad7) in PlanVisits(seed, index, stage, sessions, randomizedAt, firstSession, today))
        {
            Schedule(at, () => VisitAsync(id, code, phq9, gad7));
        }
    }

    /// <summary>The visits of <see cref="ScheduleVisits"/> that take place (not missed, before today), for the bulk seeder too.</summary>
    internal static List<(string Code, DateTimeOffset At, IReadOnlyDictionary<string, int> Phq9, IReadOnlyDictionary<string, int> Gad7)> PlanVisits(
        int seed, int index, int stage, List<DemoSession> sessions, DateTimeOffset randomizedAt, DateTime firstSession, DateTimeOffset today)
    {
        var random = new Random(unchecked((seed * 31) + (index * 7919) + 104_729));
        var phq = sessions.Where(s => s.Phq9 is not null).Select(s => s.Phq9!).ToList();
        var held = new List<(string, DateTimeOffset, IReadOnlyDictionary<string, int>, IReadOnlyDictionary<string, int>)>();
        if (phq.Count == 0)
        {
            return held;
        }

        // Baseline within three days of randomization (after it, before the first session a week later).
        var visits = new List<(string Code, DateTimeOffset At, IReadOnlyDictionary<string, int> Phq9)>
        {
            ("baseline", randomizedAt.AddDays(random.Next(0, 4)).AddHours(1), phq[0]),
        };
        if (stage is 5 or 7)
        {
            visits.Add(("endOfTreatment", new DateTimeOffset(firstSession.AddDays(sessions[^1].Day).AddHours(2), TimeSpan.Zero), phq[^1]));
        }

        if (stage == 5)
        {
            visits.Add(("followUp", randomizedAt.AddDays(210 + random.Next(-5, 11)), phq[^1]));
        }

        foreach (var (code, at, phq9) in visits)
        {
            var missed = random.NextDouble() < MissedVisit;
            var gad7 = Gad7(phq9.Values.Sum(), random);
            if (!missed && at < today)
            {
                held.Add((code, at, phq9, gad7));
            }
        }

        return held;
    }

    public const double MissedVisit = 0.1;

    /// <summary>GAD-7 answers with a total of round(0.7 x the PHQ-9 total), spread one point at a time (at most 3 an item).</summary>
    private static Dictionary<string, int> Gad7(int phqTotal, Random random)
    {
        var items = Enumerable.Range(1, 7).ToDictionary(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture), _ => 0);
        for (var left = Math.Min(21, (int)Math.Round(0.7 * phqTotal, MidpointRounding.AwayFromZero)); left > 0; left--)
        {
            var open = items.Where(i => i.Value < 3).Select(i => i.Key).ToArray();
            items[open[random.Next(open.Length)]]++;
        }

        return items;
    }

    private async Task VisitAsync(string id, string visit, IReadOnlyDictionary<string, int> phq9, IReadOnlyDictionary<string, int> gad7)
    {
        var date = DateOnly.FromDateTime(now.UtcDateTime);
        foreach (var (instrument, items) in new[] { ("phq9", phq9), ("gad7", gad7) })
        {
            await SendAsAsync(Assessor, new RecordMeasure(id, instrument, null, visit, date, items.ToDictionary(i => i.Key, i => (decimal?)i.Value)));
            VisitMeasureCount++;
        }
    }

    /// <summary>A command as a user of the given role, as the API would see them (the actor is read from the request's user).</summary>
    private async Task<T> SendAsAsync<T>(ClaimsPrincipal user, ICommand<T> command)
    {
        var http = services.GetRequiredService<IHttpContextAccessor>();
        var outside = http.HttpContext;
        http.HttpContext = new DefaultHttpContext { User = user };
        try
        {
            return await SendAsync(command);
        }
        finally
        {
            http.HttpContext = outside;
        }
    }

    public async Task<T> SendAsync<T>(IQuery<T> query)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ISender>().Send(query);
    }

    public async Task<T> SendAsync<T>(ICommand<T> command)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ISender>().Send(command);
    }
}
