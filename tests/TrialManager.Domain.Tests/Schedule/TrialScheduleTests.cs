using TrialManager.Domain.Instruments;
using TrialManager.Domain.Schedule;

namespace TrialManager.Domain.Tests.Schedule;

public class TrialScheduleTests
{
    private static InstrumentRespondent? Respondent(string code) => code switch
    {
        "phq9" or "gad7" or "alliance12" => InstrumentRespondent.Participant,
        "ruptureLog" => InstrumentRespondent.Therapist,
        "fidelity-cognitive" => InstrumentRespondent.Rater,
        _ => null,
    };

    private static IReadOnlyDictionary<string, string> Problems(
        int? sessions = 16, int? interval = 7, (string?, int?, int?)?[]? visits = null, string?[]? session = null, string?[]? visit = null) =>
        TrialSchedule.Problems(sessions, interval, visits ?? [("baseline", 0, 7), ("followUp3m", 200, 21)], session ?? ["alliance12", "ruptureLog"],
            visit ?? ["phq9", "gad7"], Respondent);

    [Fact]
    public void Problems_OfTheContractsExample_AreNone() => Assert.Empty(Problems());

    [Fact]
    public void Problems_NameEachBadPart_ByItsPath()
    {
        var problems = Problems(
            sessions: 0, interval: null,
            visits: [("baseline", -1, 7), ("Baseline", 10, -2), null, ("3m", null, 1)],
            session: ["alliance12", "alliance12", "phq8"],
            visit: ["phq9", "ruptureLog", "fidelity-cognitive", null]);

        Assert.Equal(
            ["sessionInstruments[1]", "sessionInstruments[2]", "sessionIntervalDays", "sessions", "visitInstruments[1]", "visitInstruments[2]",
             "visitInstruments[3]", "visits[0].day", "visits[1].code", "visits[1].window", "visits[2]", "visits[3].code", "visits[3].day"],
            problems.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("case-insensitive", problems["visits[1].code"], StringComparison.Ordinal);
        Assert.Contains("answered by the therapist", problems["visitInstruments[1]"], StringComparison.Ordinal);
        Assert.Contains("not an instrument", problems["sessionInstruments[2]"], StringComparison.Ordinal);
    }

    [Fact]
    public void Problems_MissingLists_AreRequired_AndVisitsNeedAVisitInstrument()
    {
        var missing = TrialSchedule.Problems(16, 7, null, null, null, Respondent);
        Assert.Equal(["sessionInstruments", "visitInstruments", "visits"], missing.Keys.Order(StringComparer.Ordinal));

        Assert.Equal(["visitInstruments"], Problems(visit: []).Keys);
        Assert.Empty(Problems(visits: [], visit: []));
    }
}
