using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TrialManager.Domain.Instruments;
using TrialManager.Domain.Measures;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Schedule;
using TrialManager.Domain.Therapy;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Instruments;
using TrialManager.Integration.Tests.Api;
using TrialManager.Integration.Tests.Documents;
using TrialManager.Integration.Tests.Harness;
using TrialManager.Server.Common;

namespace TrialManager.Integration.Tests.Visits;

/// <summary>The trial's schedule, visit measures entered by a blind assessor, and the due list, over HTTP.</summary>
public abstract class VisitApiTests(TrialServer server)
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow);

    private HttpClient Assessor => server.Client("dev-assessor");

    public static object Schedule(object? visits = null, object? visitInstruments = null) => new
    {
        sessions = 16,
        visits = visits ?? new object[] { new { code = "baseline", day = 0, window = 7 }, new { code = "week4", day = 28, window = 7 }, new { code = "followUp3m", day = 90, window = 14 } },
        sessionIntervalDays = 7,
        sessionInstruments = new[] { "alliance12", "phq9", "ruptureLog" },
        visitInstruments = visitInstruments ?? new[] { "phq9", "gad7" },
    };

    /// <summary>A recruiting trial with the schedule above (and a hypothesis, so there are arms to leak).</summary>
    public static async Task<string> ScheduledTrialAsync(TrialServer server)
    {
        var definition = TestTrials.Definition();
        definition["schedule"] = Schedule();
        definition["hypothesis"] = new Dictionary<string, string?> { ["cognitive"] = "moderator", ["interpersonal"] = "mediator" };
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Admin.PostJsonAsync("/api/trials", definition));
        var id = (string)definition["id"]!;
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await server.Admin.PostJsonAsync($"/api/trials/{id}/status", new { status = "recruiting" }));
        return id;
    }

    /// <summary>
    /// Moves a participant's randomization into the past, as if the schedule had been running for that long; the row is
    /// written straight, so its next-due date is computed again as the server does for rows it did not write.
    /// </summary>
    public static Task BackdateAsync(TrialServer server, string participantId, int days) => server.WithDbAsync(async db =>
    {
        await db.Participants.Where(p => p.Id == participantId)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.RandomizedAt, DateTimeOffset.UtcNow.AddDays(-days)));
        return await NextDues.RecomputeAsync(db, db.Participants.Where(p => p.Id == participantId), CancellationToken.None);
    });

    private Task BackdateAsync(string participantId, int days) => BackdateAsync(server, participantId, days);

    private Task<DateOnly?> NextDueAsync(string participantId) =>
        server.WithDbAsync(db => db.Participants.Where(p => p.Id == participantId).Select(p => p.NextDue).SingleAsync());

    private static Dictionary<string, int> Answers(int count, int value = 1) =>
        Enumerable.Range(1, count).ToDictionary(i => i.ToString(CultureInfo.InvariantCulture), _ => value);

    private static object VisitMeasure(string instrument, string visit, int items) =>
        new { instrument, visit, completedOn = Today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), items = Answers(items) };

    private static async Task<List<JsonElement>> AllPagesAsync(HttpClient client, string path)
    {
        var items = new List<JsonElement>();
        for (Uri? next = new(path, UriKind.Relative); next is not null;)
        {
            var response = await client.GetAsync(next);
            await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, response);
            items.AddRange((await response.JsonAsync()).EnumerateArray());
            next = response.Headers.TryGetValues("Link", out var link) && link.Single() is var l ? new Uri(l[1..l.IndexOf('>', StringComparison.Ordinal)]) : null;
        }

        return items;
    }

    [ServerFact]
    public async Task CreateTrial_WithASchedule_ShowsIt_AndEachBadPartIsA400NamingItsPath()
    {
        var trialId = await ScheduledTrialAsync(server);
        var schedule = (await (await server.Coordinator.GetAsync($"/api/trials/{trialId}")).JsonAsync()).GetProperty("schedule");
        Assert.Equal((16, 7), (schedule.GetProperty("sessions").GetInt32(), schedule.GetProperty("sessionIntervalDays").GetInt32()));
        Assert.Equal(["baseline 0 7", "week4 28 7", "followUp3m 90 14"], schedule.GetProperty("visits").EnumerateArray()
            .Select(v => $"{v.GetProperty("code").GetString()} {v.GetProperty("day").GetInt32()} {v.GetProperty("window").GetInt32()}"));
        Assert.Equal(["phq9", "gad7"], schedule.GetProperty("visitInstruments").EnumerateArray().Select(i => i.GetString()));

        var definition = TestTrials.Definition();
        definition["schedule"] = new
        {
            sessions = 0,
            visits = new object?[] { new { code = "baseline", day = -1, window = 7 }, new { code = "Baseline", day = 10, window = -3 }, new { code = "late", window = 3 } },
            sessionIntervalDays = 7,
            sessionInstruments = new[] { "phq8" },
            visitInstruments = new[] { "phq9", "ruptureLog" },
        };
        var errors = await ProblemAssertions.Assert400Async(await server.Admin.PostJsonAsync("/api/trials", definition));
        foreach (var path in new[]
                 {
                     "schedule.sessions", "schedule.visits[0].day", "schedule.visits[1].code", "schedule.visits[1].window", "schedule.visits[2].day",
                     "schedule.sessionInstruments[0]", "schedule.visitInstruments[1]",
                 })
        {
            errors.AssertNames(path);
        }

        definition["schedule"] = new { sessions = 4, visits = Array.Empty<object>(), sessionInstruments = Array.Empty<string>(), visitInstruments = Array.Empty<string>() };
        (await ProblemAssertions.Assert400Async(await server.Admin.PostJsonAsync("/api/trials", definition))).AssertNames("schedule.sessionIntervalDays");
        definition["schedule"] = new { sessions = 4, sessionIntervalDays = 7, visits = Array.Empty<object>(), sessionInstruments = Array.Empty<string>(), visitInstruments = Array.Empty<string>(), weeks = 3 };
        (await ProblemAssertions.Assert400Async(await server.Admin.PostJsonAsync("/api/trials", definition))).AssertNames("schedule.weeks");
        Assert.Equal(HttpStatusCode.NotFound, (await server.Coordinator.GetAsync($"/api/trials/{definition["id"]}")).StatusCode);
    }

    [ServerFact]
    public async Task VisitMeasure_NeedsAVisitOfTheScheduleAndOneOfItsInstruments_AndIsRecordedOncePerVisit()
    {
        var trialId = await ScheduledTrialAsync(server);
        var id = (await DocumentSupport.RandomizedParticipantAsync(server, trialId)).GetProperty("participantId").GetString()!;
        var path = $"/api/participants/{id}/measures";
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Admin.PostJsonAsync($"/api/trials/{trialId}/therapists",
            new { code = "dev-therapist", site = "AAA", arms = new[] { "mediator", "moderator" } }));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await server.Coordinator.PostJsonAsync($"/api/participants/{id}/therapist", new { therapist = "dev-therapist" }));

        (await ProblemAssertions.Assert400Async(await Assessor.PostJsonAsync(path, VisitMeasure("phq9", "followUp6m", 9)))).AssertNames("visit");
        (await ProblemAssertions.Assert400Async(await Assessor.PostJsonAsync(path, VisitMeasure("alliance12", "baseline", 12)))).AssertNames("instrument");
        (await ProblemAssertions.Assert400Async(await Assessor.PostJsonAsync(path, new { instrument = "phq9", completedOn = Today, items = Answers(9) }))).AssertNames("session");
        Assert.Equal(HttpStatusCode.Forbidden, (await Assessor.PostJsonAsync(path, new { instrument = "phq9", session = 1, completedOn = Today, items = Answers(9) })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await server.Client("dev-therapist").PostJsonAsync(path, VisitMeasure("phq9", "baseline", 9))).StatusCode);

        var recorded = await Assessor.PostJsonAsync(path, VisitMeasure("phq9", "baseline", 9));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, recorded);
        var body = await recorded.JsonAsync();
        Assert.Equal(("baseline", JsonValueKind.Null, 9.0), (body.GetProperty("visit").GetString(), body.GetProperty("session").ValueKind, body.GetProperty("scores").GetProperty("total").GetDouble()));
        await ProblemAssertions.AssertConflictNamingAsync(await server.Coordinator.PostJsonAsync(path, VisitMeasure("phq9", "baseline", 9)), "already recorded for visit baseline");
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Coordinator.PostJsonAsync(path, VisitMeasure("gad7", "baseline", 7)));

        var measures = await AllPagesAsync(server.Statistician, path + "?limit=1");
        Assert.Equal(["baseline gad7", "baseline phq9"], measures.Select(m => $"{m.GetProperty("visit").GetString()} {m.GetProperty("instrument").GetString()}"));

        // A trial without a schedule has no visits: refused, never guessed.
        var plain = await TestTrials.CreateAsync(server, recruiting: true);
        var other = (await DocumentSupport.RandomizedParticipantAsync(server, plain)).GetProperty("participantId").GetString()!;
        (await ProblemAssertions.Assert400Async(await Assessor.PostJsonAsync($"/api/participants/{other}/measures", VisitMeasure("phq9", "baseline", 9)))).AssertNames("visit");
        // Before randomization there is no schedule to follow.
        var formulated = await TestTrials.FormulatedParticipantAsync(server, trialId);
        await ProblemAssertions.AssertConflictNamingAsync(await Assessor.PostJsonAsync($"/api/participants/{formulated}/measures", VisitMeasure("phq9", "baseline", 9)), "formulated");
    }

    [ServerFact]
    public async Task AnAssessor_CorrectsTheVisitMeasuresTheyEntered_ButNoSessionMeasureNorScreeningAnswer()
    {
        var trialId = await ScheduledTrialAsync(server);
        var id = (await DocumentSupport.RandomizedParticipantAsync(server, trialId)).GetProperty("participantId").GetString()!;
        var visit = await (await Assessor.PostJsonAsync($"/api/participants/{id}/measures", VisitMeasure("phq9", "baseline", 9))).JsonAsync();
        var corrections = $"/api/participants/{id}/corrections";

        var corrected = await Assessor.PostJsonAsync(corrections,
            new { target = $"measure:{visit.GetProperty("id").GetString()}", field = "items.1", value = 3, reason = "misread the paper form" });
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, corrected);
        var correction = await corrected.JsonAsync();
        Assert.Equal((1, 3), (correction.GetProperty("oldValue").GetInt32(), correction.GetProperty("newValue").GetInt32()));
        var measures = await AllPagesAsync(Assessor, $"/api/participants/{id}/measures");
        Assert.Equal(11.0, measures.Single().GetProperty("scores").GetProperty("total").GetDouble());

        // A session's measure and the screening answers are not the assessor's to enter, so not to correct.
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Admin.PostJsonAsync($"/api/trials/{trialId}/therapists",
            new { code = "dev-therapist", site = "AAA", arms = new[] { "mediator", "moderator" } }));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await server.Coordinator.PostJsonAsync($"/api/participants/{id}/therapist", new { therapist = "dev-therapist" }));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created,
            await server.Coordinator.PostJsonAsync($"/api/participants/{id}/sessions", new { number = 1, date = Today, attendance = "attended" }));
        var session = await (await server.Coordinator.PostJsonAsync($"/api/participants/{id}/measures",
            new { instrument = "phq9", session = 1, completedOn = Today, items = Answers(9) })).JsonAsync();
        Assert.Equal(HttpStatusCode.Forbidden, (await Assessor.PostJsonAsync(corrections,
            new { target = $"measure:{session.GetProperty("id").GetString()}", field = "items.1", value = 3, reason = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Assessor.PostJsonAsync(corrections, new { field = "severity", value = 20, reason = "x" })).StatusCode);
        Assert.Equal(9.0, (await AllPagesAsync(server.Coordinator, $"/api/participants/{id}/measures"))
            .Single(m => m.GetProperty("session").ValueKind == JsonValueKind.Number).GetProperty("scores").GetProperty("total").GetDouble());
    }

    [ServerFact]
    public async Task DueList_HoldsOpenSessionsAndVisits_OverduePastTheirWindow_DoneOnesLeftOut_BySite()
    {
        var trialId = await ScheduledTrialAsync(server);
        var a = (await DocumentSupport.RandomizedParticipantAsync(server, trialId)).GetProperty("participantId").GetString()!;
        var b = (await DocumentSupport.RandomizedParticipantAsync(server, trialId, site: "BBB")).GetProperty("participantId").GetString()!;
        var withdrawn = (await DocumentSupport.RandomizedParticipantAsync(server, trialId)).GetProperty("participantId").GetString()!;
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await server.Coordinator.PostJsonAsync($"/api/participants/{withdrawn}/withdrawal",
            new { category = "movedAway", reason = "moved away" }));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Admin.PostJsonAsync($"/api/trials/{trialId}/therapists",
            new { code = "dev-therapist", site = "AAA", arms = new[] { "mediator", "moderator" } }));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await server.Coordinator.PostJsonAsync($"/api/participants/{a}/therapist", new { therapist = "dev-therapist" }));
        await BackdateAsync(a, 30);
        await BackdateAsync(b, 30);
        // a: sessions 1 and 2 held; week4's instruments recorded, baseline's half.
        foreach (var number in new[] { 1, 2 })
        {
            await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Coordinator.PostJsonAsync($"/api/participants/{a}/sessions",
                new { number, date = Today.AddDays(-1), attendance = "attended" }));
        }

        foreach (var (instrument, visit, items) in new[] { ("phq9", "week4", 9), ("gad7", "week4", 7), ("phq9", "baseline", 9) })
        {
            await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await Assessor.PostJsonAsync($"/api/participants/{a}/measures", VisitMeasure(instrument, visit, items)));
        }

        static string Line(JsonElement d) =>
            $"{d.GetProperty("site").GetString()} {d.GetProperty("kind").GetString()} {(d.GetProperty("session").ValueKind == JsonValueKind.Number ? d.GetProperty("session").GetInt32().ToString(CultureInfo.InvariantCulture) : d.GetProperty("visit").GetString())} {d.GetProperty("status").GetString()}";

        var due = await AllPagesAsync(Assessor, $"/api/trials/{trialId}/visits/due?limit=2");
        Assert.Equal(
            ["AAA visit baseline overdue", "AAA session 3 overdue", "AAA session 4 overdue", "AAA session 5 due",
             "BBB visit baseline overdue", "BBB session 1 overdue", "BBB session 2 overdue", "BBB session 3 overdue", "BBB session 4 overdue",
             "BBB visit week4 due", "BBB session 5 due"],
            due.Select(Line));
        Assert.All(due.Where(d => d.GetProperty("site").GetString() == "AAA"), d => Assert.Equal(a, d.GetProperty("participantId").GetString()));
        var week4 = due.Single(d => d.GetProperty("visit").GetString() == "week4");
        Assert.Equal((Today.AddDays(-30 + 21), Today.AddDays(-30 + 35)),
            (DateOnly.Parse(week4.GetProperty("from").GetString()!, CultureInfo.InvariantCulture), DateOnly.Parse(week4.GetProperty("to").GetString()!, CultureInfo.InvariantCulture)));

        Assert.Equal(["BBB visit week4 due", "BBB session 5 due"], (await AllPagesAsync(server.Coordinator, $"/api/trials/{trialId}/visits/due?site=BBB&status=due")).Select(Line));
        (await ProblemAssertions.Assert400Async(await server.Coordinator.GetAsync($"/api/trials/{trialId}/visits/due?site=ZZZ"))).AssertNames("site");
        (await ProblemAssertions.Assert400Async(await server.Coordinator.GetAsync($"/api/trials/{trialId}/visits/due?status=late"))).AssertNames("status");
        (await ProblemAssertions.Assert400Async(await server.Coordinator.GetAsync($"/api/trials/{trialId}/visits/due?limit=0"))).AssertNames("limit");
        Assert.Equal(HttpStatusCode.NotFound, (await Assessor.GetAsync("/api/trials/no-such-trial/visits/due")).StatusCode);

        // Stopping treatment leaves the visits and drops the sessions.
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await server.Coordinator.PostJsonAsync($"/api/participants/{b}/treatment-stop", new { category = "participantChoice" }));
        Assert.Equal(["BBB visit baseline overdue", "BBB visit week4 due"], (await AllPagesAsync(server.Coordinator, $"/api/trials/{trialId}/visits/due?site=BBB")).Select(Line));
    }

    [ServerFact]
    public async Task NextDue_FollowsSessions_VisitMeasures_Corrections_TheTreatmentStop_AndCompletion_AsTheRuleSays()
    {
        var trialId = await ScheduledTrialAsync(server);
        var id = (await DocumentSupport.RandomizedParticipantAsync(server, trialId, site: "BBB")).GetProperty("participantId").GetString()!;
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Admin.PostJsonAsync($"/api/trials/{trialId}/therapists",
            new { code = "dev-therapist", site = "BBB", arms = new[] { "mediator", "moderator" } }));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await server.Coordinator.PostJsonAsync($"/api/participants/{id}/therapist", new { therapist = "dev-therapist" }));
        // Randomized by the command today: the baseline window opens a week before.
        Assert.Equal(Today.AddDays(-7), await NextDueAsync(id));
        await BackdateAsync(id, 30);
        var on = DateOnly.FromDateTime((await server.WithDbAsync(db => db.Participants.Where(p => p.Id == id).Select(p => p.RandomizedAt).SingleAsync()))!.Value.UtcDateTime);
        Assert.Equal(on.AddDays(-7), await NextDueAsync(id));

        async Task Post(HttpClient client, string path, object body, HttpStatusCode expected = HttpStatusCode.Created) =>
            await ProblemAssertions.AssertStatusAsync(expected, await client.PostJsonAsync($"/api/participants/{id}/{path}", body));

        // Half the baseline's instruments leave it open; both close it, and session 1 (day 0) is next.
        await Post(Assessor, "measures", VisitMeasure("phq9", "baseline", 9));
        Assert.Equal(on.AddDays(-7), await NextDueAsync(id));
        await Post(Assessor, "measures", VisitMeasure("gad7", "baseline", 7));
        Assert.Equal(on, await NextDueAsync(id));
        await Post(server.Coordinator, "sessions", new { number = 1, date = Today.AddDays(-1), attendance = "attended" });
        Assert.Equal(on.AddDays(7), await NextDueAsync(id));
        // A correction of the session keeps it recorded (done whatever the attendance), and so the date.
        await Post(server.Coordinator, "corrections", new { target = "session:1", field = "attendance", value = "noShow", reason = "the diary was wrong" });
        Assert.Equal(on.AddDays(7), await NextDueAsync(id));
        foreach (var number in new[] { 2, 3, 4 })
        {
            await Post(server.Coordinator, "sessions", new { number, date = Today.AddDays(-1), attendance = "attended" });
        }

        // Sessions 1-4 held: week 4's window (day 21) is the earliest open item, then session 5 (day 28).
        Assert.Equal(on.AddDays(21), await NextDueAsync(id));
        await Post(Assessor, "measures", VisitMeasure("phq9", "week4", 9));
        await Post(Assessor, "measures", VisitMeasure("gad7", "week4", 7));
        Assert.Equal(on.AddDays(28), await NextDueAsync(id));
        Assert.Equal(["BBB session 5"], (await AllPagesAsync(server.Coordinator, $"/api/trials/{trialId}/visits/due?site=BBB")).Select(d =>
            $"{d.GetProperty("site").GetString()} {d.GetProperty("kind").GetString()} {d.GetProperty("session").GetInt32()}"));

        // Stopped treatment: no more sessions, and the follow-up visit's window (day 90 - 14) is not open yet, so nothing is due.
        await Post(server.Coordinator, "treatment-stop", new { category = "participantChoice" }, HttpStatusCode.OK);
        Assert.Equal(on.AddDays(76), await NextDueAsync(id));
        Assert.Empty(await AllPagesAsync(server.Coordinator, $"/api/trials/{trialId}/visits/due?site=BBB"));

        // Completed: no longer followed.
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await server.Coordinator.PostJsonAsync($"/api/participants/{id}/completion", new { }));
        Assert.Null(await NextDueAsync(id));
    }

    [ServerFact]
    public async Task DueList_PagedOverManyParticipants_IsTheRuleAppliedToEveryone_InKeyOrder()
    {
        // More participants at a site than the handler reads at a time, randomized on shared instants (ties), with a
        // session left out before later ones, missing latest sessions, half-recorded and missing visits, stopped treatment.
        var trialId = await ScheduledTrialAsync(server);
        var catalogue = server.Factory.Services.GetRequiredService<InstrumentCatalogue>();
        var now = DateTimeOffset.UtcNow;
        var expected = new List<(string Key, string Line)>();
        await server.WithDbAsync(async db =>
        {
            var trial = await db.Trials.AsNoTracking().SingleAsync(t => t.Id == trialId);
            var schedule = trial.Definition.Schedule!;
            foreach (var (site, count) in new[] { ("AAA", 330), ("BBB", 40) })
            {
                var therapist = Therapist.Register(trial, $"T-{site}-{trialId}", site, [ArmCode.Mediator, ArmCode.Moderator], now.AddDays(-400));
                db.Therapists.Add(therapist);
                for (var i = 0; i < count; i++)
                {
                    var randomizedAt = now.AddDays(-(i % 160) - 1);
                    var randomizedOn = DateOnly.FromDateTime(randomizedAt.UtcDateTime);
                    var p = Participant.Screen($"{trialId}-{site}-{i:D3}", trial, new ScreeningAnswers(site, 30, 15, [], null, null), randomizedAt.AddDays(-10));
                    p.Consent("1.0", randomizedOn.AddDays(-9));
                    p.RateFormulation(trial.Definition, "R01", new FormulationScores(4, 1, 0, 0), false, null, randomizedAt.AddDays(-5));
                    p.MarkRandomized(randomizedAt);
                    p.AssignTherapist(therapist, i % 2 == 0 ? ArmCode.Mediator : ArmCode.Moderator);
                    var held = Math.Min(schedule.Sessions, ((Today.DayNumber - randomizedOn.DayNumber) / schedule.SessionIntervalDays) + 1);
                    var sessions = Enumerable.Range(1, held).Where(n => !(i % 5 == 0 && n == 2) && !(i % 3 == 0 && n == held)).ToHashSet();
                    foreach (var n in sessions)
                    {
                        p.RecordSession(n, randomizedOn.AddDays((n - 1) * schedule.SessionIntervalDays), SessionAttendance.Attended, "dev-coordinator", now);
                    }

                    if (i % 11 == 0)
                    {
                        p.StopTreatment(TreatmentStopCategory.ParticipantChoice, null, now);
                    }

                    db.Participants.Add(p);
                    var visits = new Dictionary<string, IReadOnlySet<string>>();
                    foreach (var (visit, k) in schedule.Visits.Select((v, k) => (v, k)).Where(x => randomizedOn.AddDays(x.v.Day + x.v.Window) < Today && !(i % 7 == 0 && x.k == i % 3)))
                    {
                        var recorded = i % 4 == 1 && k == 0 ? new[] { "phq9" } : new[] { "phq9", "gad7" };
                        visits[visit.Code] = recorded.ToHashSet();
                        foreach (var code in recorded)
                        {
                            var definition = catalogue.Find(code)!.Definition;
                            var scored = MeasureScorer.Score(definition, definition.Items.ToDictionary(item => item.Id, _ => (decimal?)0)).Measure!;
                            db.Measures.Add(Measure.AtVisit(p, schedule, scored, visit.Code, randomizedOn.AddDays(visit.Day), [], "dev-assessor", now));
                        }
                    }

                    var progress = new ScheduleProgress(randomizedOn, i % 11 != 0, sessions, visits);
                    expected.AddRange(DueList.For(schedule, progress, Today).Select(d =>
                    {
                        var what = d.Number?.ToString("D4", CultureInfo.InvariantCulture) ?? d.Visit;
                        return ($"{site}|{d.From:yyyy-MM-dd}|{p.Id}|{d.Kind.ToString().ToLowerInvariant()}|{what}",
                            $"{site} {p.Id} {d.Kind.ToString().ToLowerInvariant()} {d.Number?.ToString(CultureInfo.InvariantCulture) ?? d.Visit} {d.From:yyyy-MM-dd} {d.To:yyyy-MM-dd} {d.Status.ToString().ToLowerInvariant()}");
                    }));
                }
            }

            await db.SaveChangesAsync();
            // Written straight, not by commands: the next-due dates as the server computes them for such rows.
            return await NextDues.RecomputeAsync(db, db.Participants.Where(p => p.TrialId == trialId), CancellationToken.None);
        });

        static string Line(JsonElement d) =>
            $"{d.GetProperty("site").GetString()} {d.GetProperty("participantId").GetString()} {d.GetProperty("kind").GetString()} "
            + $"{(d.GetProperty("session").ValueKind == JsonValueKind.Number ? d.GetProperty("session").GetInt32().ToString(CultureInfo.InvariantCulture) : d.GetProperty("visit").GetString())} "
            + $"{d.GetProperty("from").GetString()} {d.GetProperty("to").GetString()} {d.GetProperty("status").GetString()}";

        var ordered = expected.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => e.Line).ToList();
        Assert.True(ordered.Count > 400, $"only {ordered.Count} entries");
        Assert.Equal(ordered, (await AllPagesAsync(server.Coordinator, $"/api/trials/{trialId}/visits/due?limit=1000")).Select(Line));
        Assert.Equal(ordered, (await AllPagesAsync(server.Coordinator, $"/api/trials/{trialId}/visits/due?limit=37")).Select(Line));
        Assert.Equal(ordered.Where(l => l.StartsWith("AAA ", StringComparison.Ordinal) && l.EndsWith(" overdue", StringComparison.Ordinal)),
            (await AllPagesAsync(Assessor, $"/api/trials/{trialId}/visits/due?site=AAA&status=overdue&limit=9")).Select(Line));
    }

    [ServerFact]
    public async Task DueList_PageEdgeOnADayManyShare_IdsOrderedDifferentlyByCase_GappedAndStoppedSessions_IsTheRule()
    {
        // Twenty participants randomized at one instant, so many share their next-due day and a page often ends on it;
        // their ids differ in case, which the database may order otherwise than the list's ordinal keys. Gapped
        // sessions, none at all, and a gap left behind by a treatment stop; visits half or wholly recorded.
        var trialId = await ScheduledTrialAsync(server);
        var catalogue = server.Factory.Services.GetRequiredService<InstrumentCatalogue>();
        var now = DateTimeOffset.UtcNow;
        var randomizedAt = now.AddDays(-30);
        var randomizedOn = DateOnly.FromDateTime(randomizedAt.UtcDateTime);
        var expected = new List<(string Key, string Line)>();
        await server.WithDbAsync(async db =>
        {
            var trial = await db.Trials.AsNoTracking().SingleAsync(t => t.Id == trialId);
            var schedule = trial.Definition.Schedule!;
            var therapist = Therapist.Register(trial, $"T-edge-{trialId}", "AAA", [ArmCode.Mediator, ArmCode.Moderator], now.AddDays(-400));
            db.Therapists.Add(therapist);
            for (var i = 0; i < 20; i++)
            {
                var p = Participant.Screen($"{trialId}-{(i % 2 == 0 ? "e" : "E")}{i:D2}", trial, new ScreeningAnswers("AAA", 30, 15, [], null, null), randomizedAt.AddDays(-10));
                p.Consent("1.0", randomizedOn.AddDays(-9));
                p.RateFormulation(trial.Definition, "R01", new FormulationScores(4, 1, 0, 0), false, null, randomizedAt.AddDays(-5));
                p.MarkRandomized(randomizedAt);
                p.AssignTherapist(therapist, i % 2 == 0 ? ArmCode.Mediator : ArmCode.Moderator);
                int[] sessions = (i % 4) switch { 0 => [1, 3], 1 => [], 2 => [1, 2, 3, 4], _ => [2] };
                foreach (var n in sessions)
                {
                    p.RecordSession(n, randomizedOn.AddDays((n - 1) * schedule.SessionIntervalDays), SessionAttendance.Attended, "dev-coordinator", now);
                }

                if (i % 5 == 0)
                {
                    p.StopTreatment(TreatmentStopCategory.ParticipantChoice, null, now);
                }

                db.Participants.Add(p);
                string[] baseline = (i % 3) switch { 0 => ["phq9", "gad7"], 1 => ["gad7"], _ => [] };
                foreach (var code in baseline)
                {
                    var definition = catalogue.Find(code)!.Definition;
                    var scored = MeasureScorer.Score(definition, definition.Items.ToDictionary(item => item.Id, _ => (decimal?)0)).Measure!;
                    db.Measures.Add(Measure.AtVisit(p, schedule, scored, "baseline", randomizedOn, [], "dev-assessor", now));
                }

                var progress = new ScheduleProgress(randomizedOn, i % 5 != 0, sessions.ToHashSet(),
                    new Dictionary<string, IReadOnlySet<string>> { ["baseline"] = baseline.ToHashSet() });
                expected.AddRange(DueList.For(schedule, progress, Today).Select(d =>
                {
                    var what = d.Number?.ToString("D4", CultureInfo.InvariantCulture) ?? d.Visit;
                    return ($"AAA|{d.From:yyyy-MM-dd}|{p.Id}|{d.Kind.ToString().ToLowerInvariant()}|{what}",
                        $"{p.Id} {d.Kind.ToString().ToLowerInvariant()} {d.Number?.ToString(CultureInfo.InvariantCulture) ?? d.Visit} {d.Status.ToString().ToLowerInvariant()}");
                }));
            }

            await db.SaveChangesAsync();
            return await NextDues.RecomputeAsync(db, db.Participants.Where(p => p.TrialId == trialId), CancellationToken.None);
        });

        static string Line(JsonElement d) =>
            $"{d.GetProperty("participantId").GetString()} {d.GetProperty("kind").GetString()} "
            + $"{(d.GetProperty("session").ValueKind == JsonValueKind.Number ? d.GetProperty("session").GetInt32().ToString(CultureInfo.InvariantCulture) : d.GetProperty("visit").GetString())} "
            + $"{d.GetProperty("status").GetString()}";

        var ordered = expected.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => e.Line).ToList();
        Assert.True(ordered.Count > 40, $"only {ordered.Count} entries");
        foreach (var limit in new[] { 1, 2, 3, 5, 7, 1000 })
        {
            Assert.Equal(ordered, (await AllPagesAsync(server.Coordinator, $"/api/trials/{trialId}/visits/due?site=AAA&limit={limit}")).Select(Line));
        }

        Assert.Equal(ordered.Where(l => l.EndsWith(" due", StringComparison.Ordinal)),
            (await AllPagesAsync(Assessor, $"/api/trials/{trialId}/visits/due?status=due&limit=4")).Select(Line));
    }
}

[Collection(SqliteServerCollection.Name)]
public sealed class VisitApiTests_Sqlite(SqliteTrialServer server) : VisitApiTests(server);

[Collection(PostgresServerCollection.Name)]
public sealed class VisitApiTests_Postgres(PostgresTrialServer server) : VisitApiTests(server), IRunsOnPostgres;
