using System.Diagnostics.CodeAnalysis;
using TrialManager.Domain.Common;
using TrialManager.Domain.Instruments;

namespace TrialManager.Domain.Schedule;

/// <summary>
/// When a randomized participant is seen: numbered therapy sessions every <see cref="SessionIntervalDays"/> and
/// assessment visits, each a day counted from the randomization date with a window either side. Part of the trial's
/// registered definition.
/// </summary>
public sealed record TrialSchedule(
    int Sessions,
    int SessionIntervalDays,
    IReadOnlyList<ScheduledVisit> Visits,
    IReadOnlyList<string> SessionInstruments,
    IReadOnlyList<string> VisitInstruments)
{
    public const int MaxSessions = 200;
    public const int MaxDay = 3_650;
    public const int MaxWindow = 365;
    public const int MaxIntervalDays = 365;
    public const string VisitCodePattern = "^[a-zA-Z][a-zA-Z0-9]{0,39}$";

    /// <summary>The last visit (the latest day), where an assessor guesses the arm; null without visits.</summary>
    public ScheduledVisit? LastVisit => Visits.Count == 0 ? null : Visits.MaxBy(v => v.Day);

    public ScheduledVisit? FindVisit(string code) => Visits.FirstOrDefault(v => string.Equals(v.Code, code, StringComparison.Ordinal));

    /// <summary>
    /// Refuses (a 400 on <c>visit</c> or <c>instrument</c>) a visit that is not one of the schedule's, or an instrument
    /// not among its visit instruments; <paramref name="withoutSchedule"/> tells what to do instead when there is none.
    /// </summary>
    public static void EnsureVisitInstrument([NotNull] TrialSchedule? schedule, string visit, string instrument, string withoutSchedule)
    {
        if (schedule?.FindVisit(visit) is null)
        {
            throw new DomainValidationException("visit", schedule is null
                ? $"the trial has no schedule, so no visits; {withoutSchedule}"
                : $"is not a visit of the trial's schedule ({string.Join(", ", schedule.Visits.Select(v => v.Code))})");
        }

        if (!schedule.VisitInstruments.Contains(instrument, StringComparer.Ordinal))
        {
            throw new DomainValidationException("instrument", $"is not a visit instrument of the trial's schedule ({string.Join(", ", schedule.VisitInstruments)})");
        }
    }

    /// <summary>
    /// What is wrong with a schedule, keyed by its path under <c>schedule</c> (e.g. <c>visits[1].code</c>). The
    /// respondent of an instrument code, or null for a code the server does not know.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Problems(
        int? sessions, int? sessionIntervalDays, IReadOnlyList<(string? Code, int? Day, int? Window)?>? visits,
        IReadOnlyList<string?>? sessionInstruments, IReadOnlyList<string?>? visitInstruments, Func<string, InstrumentRespondent?> respondentOf)
    {
        var problems = new Dictionary<string, string>(StringComparer.Ordinal);
        if (sessions is not { } s)
        {
            problems["sessions"] = "is required: the number of therapy sessions (at least 1)";
        }
        else if (s is < 1 or > MaxSessions)
        {
            problems["sessions"] = $"must be 1 to {MaxSessions}";
        }

        if (sessionIntervalDays is not { } interval)
        {
            problems["sessionIntervalDays"] = "is required: the days between two sessions";
        }
        else if (interval is < 1 or > MaxIntervalDays)
        {
            problems["sessionIntervalDays"] = $"must be 1 to {MaxIntervalDays}";
        }

        if (visits is null)
        {
            problems["visits"] = "is required: the assessment visits ([] for none)";
        }
        else
        {
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < visits.Count; i++)
            {
                var path = $"visits[{i}]";
                if (visits[i] is not var (code, day, window))
                {
                    problems[path] = "must be a visit: {\"code\", \"day\", \"window\"}";
                    continue;
                }

                if (string.IsNullOrEmpty(code) || !System.Text.RegularExpressions.Regex.IsMatch(code, VisitCodePattern))
                {
                    problems[$"{path}.code"] = "a visit code is a letter then up to 39 letters or digits, e.g. followUp3m";
                }
                else if (!seen.Add(code))
                {
                    problems[$"{path}.code"] = $"repeats visit {code} (visit codes are case-insensitive)";
                }

                if (day is not { } d)
                {
                    problems[$"{path}.day"] = "is required: the day counted from the randomization date";
                }
                else if (d is < 0 or > MaxDay)
                {
                    problems[$"{path}.day"] = $"must be 0 to {MaxDay}: days count from the randomization date";
                }

                if (window is not { } w)
                {
                    problems[$"{path}.window"] = "is required: the days allowed either side of the day";
                }
                else if (w is < 0 or > MaxWindow)
                {
                    problems[$"{path}.window"] = $"must be 0 to {MaxWindow}";
                }
            }
        }

        CheckInstruments("sessionInstruments", sessionInstruments, _ => null);
        // Visits are assessments: the participant answers, an assessor blind to the arm enters. A therapist's log or a
        // fidelity form at a visit would show the assessor what the therapy did, and so the arm.
        CheckInstruments("visitInstruments", visitInstruments, r => r == InstrumentRespondent.Participant
            ? null
            : $"is answered by the {r.Wire()}; a visit instrument is answered by the participant");
        if (visits is { Count: > 0 } && visitInstruments is [])
        {
            problems["visitInstruments"] = "must name at least one instrument: a visit is done when its instruments are recorded";
        }

        return problems;

        void CheckInstruments(string name, IReadOnlyList<string?>? codes, Func<InstrumentRespondent, string?> refuse)
        {
            if (codes is null)
            {
                problems[name] = "is required: instrument codes ([] for none)";
                return;
            }

            for (var i = 0; i < codes.Count; i++)
            {
                var code = codes[i];
                if (string.IsNullOrEmpty(code) || respondentOf(code) is not { } respondent)
                {
                    problems[$"{name}[{i}]"] = $"'{code}' is not an instrument of this server";
                }
                else if (codes.Take(i).Contains(code, StringComparer.Ordinal))
                {
                    problems[$"{name}[{i}]"] = $"repeats {code}";
                }
                else if (refuse(respondent) is { } reason)
                {
                    problems[$"{name}[{i}]"] = $"{code} {reason}";
                }
            }
        }
    }
}

/// <summary>An assessment visit: due in [<see cref="Day"/> - <see cref="Window"/>, Day + Window], days from randomization.</summary>
public sealed record ScheduledVisit(string Code, int Day, int Window)
{
    /// <summary>The first day of the visit's window for a participant randomized on <paramref name="randomizedOn"/>.</summary>
    public DateOnly OpensOn(DateOnly randomizedOn) => randomizedOn.AddDays(Day - Window);
}
