using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Common;
using TrialManager.Server.Features.Corrections;
using static TrialManager.Server.Features.Exports.ExportText;

namespace TrialManager.Server.Features.Exports;

/// <summary>
/// corrections.csv: one row per correction of the trial's data, addressed as the other files name the value it changed
/// (file, variable and the record's keys), with the value before and after it, who (role, and the code for raters and
/// therapists, as ratings.csv and sessions.csv name them) and when. Never the reason, nor the values of free text: both
/// are in the audit trail and the ODM export.
/// </summary>
internal sealed class CorrectionsTable(TrialDbContext db, Trial trial)
{
    /// <summary>The column a correction changed, by target kind and field, and how its values are written.</summary>
    private static readonly Dictionary<(string Kind, string Field), (string File, string Variable, ValueKind Kind)> Targets = new()
    {
        [(Correction.ParticipantTarget, "site")] = ("participants.csv", "site", ValueKind.Coded),
        [(Correction.ParticipantTarget, "ageYears")] = ("participants.csv", "ageYears", ValueKind.Coded),
        [(Correction.ParticipantTarget, "severity")] = ("participants.csv", "severity", ValueKind.Coded),
        [(Correction.ParticipantTarget, "exclusions")] = ("participants.csv", "exclusion_*", ValueKind.Coded),
        [(Correction.ParticipantTarget, "motivation")] = ("participants.csv", "motivation", ValueKind.Coded),
        [(Correction.ParticipantTarget, "expectancy")] = ("participants.csv", "expectancy", ValueKind.Coded),
        [(Correction.ParticipantTarget, "consentVersion")] = ("participants.csv", "consentVersion", ValueKind.Coded),
        [(Correction.ParticipantTarget, "consentedOn")] = ("participants.csv", "consentDay", ValueKind.Date),
        [("rating", "cognitive")] = ("ratings.csv", "score_cognitive", ValueKind.Coded),
        [("rating", "interpersonal")] = ("ratings.csv", "score_interpersonal", ValueKind.Coded),
        [("rating", "behavioral")] = ("ratings.csv", "score_behavioral", ValueKind.Coded),
        [("rating", "environmental")] = ("ratings.csv", "score_environmental", ValueKind.Coded),
        [("rating", "rationale")] = ("ratings.csv", "rationale", ValueKind.FreeText),
        [("session", "date")] = ("sessions.csv", "sessionDay", ValueKind.Date),
        [("session", "attendance")] = ("sessions.csv", "attendance", ValueKind.Coded),
        [("measure", "completedOn")] = ("scores.csv", "completedDay", ValueKind.Date),
        [("event", "type")] = ("events.csv", "type", ValueKind.Coded),
        [("event", "occurredOn")] = ("events.csv", "occurredDay", ValueKind.Date),
        [("event", "description")] = ("events.csv", "description", ValueKind.FreeText),
        [("event", "serious")] = ("events.csv", "serious_*", ValueKind.Coded),
        [("event", "severity")] = ("events.csv", "severity", ValueKind.Coded),
        [("event", "relatedness")] = ("events.csv", "relatedness", ValueKind.Coded),
        [("event", "expected")] = ("events.csv", "expected", ValueKind.Coded),
        [("event", "outcome")] = ("events.csv", "outcome", ValueKind.Coded),
        [("event", "resolvedOn")] = ("events.csv", "resolvedDay", ValueKind.Date),
    };

    private enum ValueKind
    {
        Coded,
        Date,
        FreeText,
    }

    /// <summary>The commands that correct a value: the audit trail names the role each corrector acted in.</summary>
    private static readonly string[] CorrectingCommands = [nameof(CorrectRecord), nameof(AnswerDataQuery)];

    public ExportTable Table()
    {
        List<ExportColumn> columns =
        [
            new("participantId", "Study id of the participant", "string", "id", Source: "server (assigned at screening)"),
            new("correction", "Number of the correction for this participant (1 = oldest)", "integer", "id",
                Derivation: "corrections in the order they were made; the reason of each is free text, not exported here: it is in the audit trail and the ODM export",
                Source: "corrections"),
            new("file", "File of this export that holds the corrected value (its current, corrected value)", "categorical", "id",
                Values: "participants.csv; ratings.csv; sessions.csv; item_responses.csv; scores.csv; events.csv", Source: "corrections"),
            new("variable", "Column of that file the correction changed", "string", "id",
                Values: "a column of the file; exclusion_*=the exclusion_ columns; serious_*=the serious_ columns (and serious); "
                        + "rationale=a rating's rationale and description=an event's description (free text, not exported)",
                Derivation: "item_responses.csv: the value column of the row of this measureId and item", Source: "corrections"),
            new("rating", "Number of the corrected rating, as in ratings.csv", "integer", "id", Missing: "empty unless file is ratings.csv", Source: "corrections"),
            new("session", "Number of the corrected session, or the session of the corrected measure, as in sessions.csv", "integer", "id",
                Missing: "empty for other records and for visit measures", Source: "corrections"),
            new("event", "Number of the corrected event, as in events.csv", "integer", "id", Missing: "empty unless file is events.csv", Source: "corrections"),
            new("measureId", "Id of the corrected measure, as in item_responses.csv and scores.csv", "string", "id", Missing: "empty unless a measure was corrected",
                Source: "corrections"),
            new("instrument", "Instrument code of the corrected measure", "string", "id", Missing: "empty unless a measure was corrected", Source: "measure"),
            new("visit", "Visit of the corrected measure", "string", "id", Missing: "empty unless a visit measure was corrected", Source: "measure"),
            new("item", "Item id of the corrected answer, as in item_responses.csv", "string", "id", Missing: "empty unless an item answer was corrected",
                Source: "corrections"),
            new("oldValue", "The value before this correction (the first correction's is the value as entered)", "string", "process",
                Values: ValueCoding, Missing: ValueMissing, Derivation: ValueDerivation, Source: "corrections"),
            new("newValue", "The value this correction recorded", "string", "process",
                Values: ValueCoding, Missing: ValueMissing, Derivation: ValueDerivation, Source: "corrections"),
            new("correctedByRole", "Role in which the value was corrected", "categorical", "process",
                Values: string.Join("; ", Roles.Coordinator, Roles.Rater, Roles.Therapist, Roles.Assessor),
                Missing: "empty when the audit trail holds no correcting command of the person", Source: "audit trail"),
            new("correctedBy", "Code of the rater or therapist who corrected the value, as ratings.csv and sessions.csv name them", "string", "process",
                Missing: "empty for the other roles (people are named only by rater and therapist codes)", Source: "corrections"),
            new("correctedAt", "Time of the correction (UTC)", "datetime", "process", Unit: "ISO 8601", Source: "corrections"),
            new("dataQuery", "Whether the correction answered a data query", "boolean", "process", Values: "true; false", Source: "data queries"),
        ];
        return new ExportTable("corrections.csv", columns, Rows);
    }

    private const string ValueCoding =
        "coded as in the file's column; days from randomization for dates; for exclusion_* and serious_* the codes that applied, separated by ; (none=none applied)";

    private const string ValueMissing =
        "empty when there was no value (or, for a date, the participant was never randomized); always empty for free text (rationale, description)";

    private const string ValueDerivation = "the corrected value is the file's current value when this is the record's latest correction of the variable";

    private async IAsyncEnumerable<string[]> Rows([EnumeratorCancellation] CancellationToken ct)
    {
        // Few rows (corrections are exceptions), so read at once and ordered here: a date-time does not sort on every database.
        var corrections = (await db.Corrections.AsNoTracking().Where(c => c.TrialId == trial.Id).ToListAsync(ct))
            .OrderBy(c => c.ParticipantId, StringComparer.Ordinal).ThenBy(c => c.CorrectedAt).ThenBy(c => c.Target, StringComparer.Ordinal)
            .ThenBy(c => c.Field, StringComparer.Ordinal).ThenBy(c => c.Id)
            .ToList();
        if (corrections.Count == 0)
        {
            yield break;
        }

        var roles = await RolesAsync(ct);
        foreach (var batch in corrections.GroupBy(c => c.ParticipantId, StringComparer.Ordinal).Chunk(ExportTables.PageSize))
        {
            var ids = batch.Select(g => g.Key).ToList();
            var participants = await db.Participants.AsNoTracking().AsSplitQuery().Where(p => ids.Contains(p.Id)).ToDictionaryAsync(p => p.Id, StringComparer.Ordinal, ct);
            var measureIds = batch.SelectMany(g => g).Select(c => Correction.SplitTarget(c.Target)).Where(t => t.Kind == "measure")
                .Select(t => Guid.TryParse(t.Key, out var id) ? id : Guid.Empty).Distinct().ToList();
            var measures = await db.Measures.AsNoTracking().Where(m => measureIds.Contains(m.Id))
                .Select(m => new { m.Id, m.Instrument, m.Session, m.Visit }).ToDictionaryAsync(m => m.Id, ct);

            foreach (var group in batch)
            {
                var participant = participants[group.Key];
                var number = 0;
                foreach (var c in group)
                {
                    var (kind, key) = Correction.SplitTarget(c.Target);
                    string rating = "", session = "", @event = "", measureId = "", instrument = "", visit = "", item = "";
                    switch (kind)
                    {
                        case "rating":
                            rating = key;
                            break;
                        case "session":
                            session = key;
                            break;
                        case "event" when Guid.TryParse(key, out var id):
                            @event = Int(participant.Events.FirstOrDefault(e => e.Id == id)?.Number);
                            break;
                        case "measure" when Guid.TryParse(key, out var id) && measures.TryGetValue(id, out var m):
                            (measureId, instrument, session, visit) = (m.Id.ToString(), m.Instrument, Int(m.Session), m.Visit ?? string.Empty);
                            break;
                    }

                    var (file, variable, values) = Targets.TryGetValue((kind, c.Field), out var target) ? target
                        : kind == "measure" && c.Field.StartsWith("items.", StringComparison.Ordinal) ? ("item_responses.csv", "value", ValueKind.Coded)
                        : (string.Empty, c.Field, ValueKind.FreeText);
                    if (file == "item_responses.csv")
                    {
                        item = c.Field["items.".Length..];
                    }

                    var role = RoleOf(roles, c);
                    yield return
                    [
                        c.ParticipantId, Int(++number), file, variable, rating, session, @event, measureId, instrument, visit, item,
                        Value(c.OldValue, values, participant.RandomizedAt), Value(c.NewValue, values, participant.RandomizedAt),
                        role, role is Roles.Rater or Roles.Therapist ? c.CorrectedBy : string.Empty, Instant(c.CorrectedAt), Bool(c.QueryId is not null),
                    ];
                }
            }
        }
    }

    /// <summary>
    /// Each corrector's roles, from the audit trail's correcting commands of this trial (a correction keeps the name only;
    /// a key's name keeps its role, but a renamed or reissued key may not, so each correction takes the nearest command).
    /// </summary>
    private async Task<ILookup<string, (DateTimeOffset At, string Role)>> RolesAsync(CancellationToken ct) =>
        (await db.AuditEvents.AsNoTracking().Where(e => e.TrialId == trial.Id && CorrectingCommands.Contains(e.Action))
            .Select(e => new { e.Actor, e.OccurredAt, e.Role }).ToListAsync(ct))
        .ToLookup(e => e.Actor, e => (e.OccurredAt, e.Role), StringComparer.Ordinal);

    private static string RoleOf(ILookup<string, (DateTimeOffset At, string Role)> roles, Correction c) =>
        roles[c.CorrectedBy].OrderBy(r => (r.At - c.CorrectedAt).Duration()).Select(r => r.Role).FirstOrDefault() ?? string.Empty;

    /// <summary>A correction's JSON value as the export writes it: coded as in its file, a date as days from randomization, free text never.</summary>
    private static string Value(string? json, ValueKind kind, DateTimeOffset? randomizedAt)
    {
        if (json is null || kind == ValueKind.FreeText)
        {
            return string.Empty;
        }

        var value = JsonDocument.Parse(json).RootElement;
        return value.ValueKind switch
        {
            JsonValueKind.Null => string.Empty,
            JsonValueKind.String when kind == ValueKind.Date => DateOnly.TryParse(value.GetString(), System.Globalization.CultureInfo.InvariantCulture, out var date)
                ? Day(date, randomizedAt)
                : string.Empty,
            JsonValueKind.String => value.GetString()!,
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            JsonValueKind.Array => value.GetArrayLength() == 0 ? "none" : string.Join(";", value.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString() : e.GetRawText())),
            _ => value.GetRawText(),
        };
    }
}
