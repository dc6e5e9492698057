using System.Globalization;
using System.Text.Json;
using Mediator;
using TrialManager.Domain.Common;
using TrialManager.Domain.Participants;
using TrialManager.Server.Common;
using TrialManager.Server.Features.Corrections;
using TrialManager.Server.Features.Measures;
using TrialManager.Server.Features.Participants;

namespace TrialManager.Server.Pages.Shared;

/// <summary>One value a correction form offers: the API's target and field, labelled with the value it holds now.</summary>
public sealed record CorrectionChoice(string Target, string Field, string Label)
{
    /// <summary>The option's value: the field alone for the participant's own answers, <c>target/field</c> otherwise.</summary>
    public string Key => Target == Correction.ParticipantTarget ? Field : $"{Target}/{Field}";
}

/// <summary>
/// What the shared correction form shows: the values the page's role may correct, what was typed, and the corrections
/// it may read (old value, who, when, why). <paramref name="ParticipantId"/> is posted along on pages of many participants.
/// </summary>
public sealed record CorrectionFormCell(
    TrialPageModel Page, IReadOnlyList<CorrectionChoice> Choices, IReadOnlyList<CorrectionView> Corrections,
    string? Chosen, string? Value, string? Reason, string? ParticipantId = null, string Id = "correction")
{
    /// <summary>Errors of the posted form show here only when it was this one (pages with a form per participant).</summary>
    public bool Posted => ParticipantId is null || ParticipantId == (Page as ICorrectingPage)?.CorrectionParticipantId;
}

/// <summary>A page with several correction forms names the participant its posted one was for.</summary>
public interface ICorrectingPage
{
    string? CorrectionParticipantId { get; }
}

/// <summary>The correction form's parsing and sending, shared by every page that corrects: the rules stay in the Corrector.</summary>
public static class CorrectionForm
{
    private static readonly string[] Integers =
        ["ageyears", "severity", "motivation", "expectancy", "cognitive", "interpersonal", "behavioral", "environmental"];

    // Optional values the word "none" clears (JSON null); exclusions and seriousness criteria are then the empty list.
    private static readonly string[] Clearable = ["motivation", "expectancy", "rationale", "resolvedon"];
    private static readonly string[] Lists = ["exclusions", "serious"];

    /// <summary>"rating:2/cognitive" -> ("rating:2", "cognitive"); "severity" -> ("participant", "severity").</summary>
    public static (string Target, string? Field) Parse(string? chosen)
    {
        var slash = chosen?.LastIndexOf('/') ?? -1;
        return slash > 0 ? (chosen![..slash], chosen[(slash + 1)..]) : (Correction.ParticipantTarget, chosen);
    }

    /// <summary>
    /// The typed text as the JSON value the API takes: whole numbers for scores and item answers, a list for exclusions
    /// and seriousness criteria ("none" is the empty list), true/false for expectedness, "none" clears an optional value,
    /// text otherwise. Blank is no value at all, which the command refuses: nothing is defaulted or cleared.
    /// </summary>
    public static JsonElement ValueJson(string? field, string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return default;
        }

        text = text.Trim();
        var name = field?.ToLowerInvariant() ?? string.Empty;
        var none = text.Equals("none", StringComparison.OrdinalIgnoreCase);
        object? value = name switch
        {
            _ when Lists.Contains(name) => none ? Array.Empty<string>() : text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
            _ when none && Clearable.Contains(name) => null,
            _ when (Integers.Contains(name) || name.StartsWith("items.", StringComparison.Ordinal))
                   && int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) => number,
            "expected" when text.ToLowerInvariant() is "yes" or "true" => true,
            "expected" when text.ToLowerInvariant() is "no" or "false" => false,
            _ => text,
        };
        return JsonSerializer.SerializeToElement(value);
    }

    /// <summary>Sends the correction; the API's keys (target, field, value, reason) move under <c>correction.</c>, apart from the page's other forms.</summary>
    public static async Task<string> SendAsync(ISender sender, string participantId, string? chosen, string? value, string? reason, CancellationToken ct)
    {
        var (target, field) = Parse(chosen);
        try
        {
            var correction = await sender.Send(new CorrectRecord(participantId, target, field, ValueJson(field, value), reason), ct);
            return $"{correction.Field} corrected; the old value stays in the record.";
        }
        catch (RequestValidationException e)
        {
            throw new RequestValidationException(e.Errors.ToDictionary(kv => "correction." + kv.Key, kv => kv.Value));
        }
    }

    public static string Text(JsonElement? value) => value is { ValueKind: JsonValueKind.String } s ? s.GetString()! : value?.GetRawText() ?? "–";

    /// <summary>A session's date and attendance.</summary>
    public static IEnumerable<CorrectionChoice> Session(SessionView s) =>
    [
        new($"session:{s.Number}", "date", $"Session {s.Number}: date ({s.Date:yyyy-MM-dd})"),
        new($"session:{s.Number}", "attendance", $"Session {s.Number}: attendance ({s.Attendance.Wire()})"),
    ];

    /// <summary>A measure's completion date and each answered item.</summary>
    public static IEnumerable<CorrectionChoice> Measure(MeasureView m)
    {
        var at = m.Session is { } n ? $"session {n}" : $"visit {m.Visit}";
        yield return new($"measure:{m.Id:D}", "completedOn", $"{m.Instrument} ({at}): completed on ({m.CompletedOn:yyyy-MM-dd})");
        foreach (var (item, answer) in m.Items.OrderBy(i => i.Key, StringComparer.Ordinal))
        {
            yield return new($"measure:{m.Id:D}", "items." + item, $"{m.Instrument} ({at}): item {item} ({answer})");
        }
    }

    /// <summary>A rating's four scores and its rationale.</summary>
    public static IEnumerable<CorrectionChoice> Rating(RatingView r) =>
    [
        new($"rating:{r.Number}", "cognitive", $"Rating {r.Number} by {r.Rater}: cognitive ({r.Scores.Cognitive})"),
        new($"rating:{r.Number}", "interpersonal", $"Rating {r.Number} by {r.Rater}: interpersonal ({r.Scores.Interpersonal})"),
        new($"rating:{r.Number}", "behavioral", $"Rating {r.Number} by {r.Rater}: behavioral ({r.Scores.Behavioral})"),
        new($"rating:{r.Number}", "environmental", $"Rating {r.Number} by {r.Rater}: environmental ({r.Scores.Environmental})"),
        new($"rating:{r.Number}", "rationale", $"Rating {r.Number} by {r.Rater}: rationale"),
    ];

    /// <summary>An event's fields (a deviation's safety fields are refused by the command, with its message).</summary>
    public static IEnumerable<CorrectionChoice> Event(EventView e) =>
        Enum.GetValues<EventField>().Select(f => new CorrectionChoice($"event:{e.Id:D}", f.Wire(), $"Event {e.Number} ({e.Type.Wire()}): {f.Wire()}"));
}
