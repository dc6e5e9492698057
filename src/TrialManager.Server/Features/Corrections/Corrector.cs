using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Common;
using TrialManager.Domain.Instruments;
using TrialManager.Domain.Measures;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Therapy;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Instruments;
using TrialManager.Infrastructure.Persistence;
using TrialManager.Server.Features.Notifications;
using TrialManager.Server.Common;

namespace TrialManager.Server.Features.Corrections;

/// <summary>
/// Applies one correction: the value validated exactly as at entry, by a role that may enter the target; the current
/// value becomes the corrected one and a <see cref="Correction"/> row keeps the old value, who, when and why. Shared by
/// the corrections route and the answer to a data query.
/// </summary>
internal sealed class Corrector(TrialDbContext db, InstrumentCatalogue catalogue, TimeProvider clock, NotificationOutbox notifications)
{
    // Enums (attendance, an event's codes) as their wire names, like the API writes them.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public async Task<Correction> CorrectAsync(
        Actor actor, Participant participant, string? target, string field, JsonElement value, string reason, Guid? queryId,
        CancellationToken cancellationToken)
    {
        target ??= Correction.ParticipantTarget;
        var (kind, key) = Correction.SplitTarget(target);
        // One spelling of an id (lower case, with dashes), so the record, the views and the exports find its corrections.
        if (kind is "measure" or "event" && Guid.TryParse(key, out var canonical))
        {
            target = $"{kind}:{canonical:D}";
        }

        var trial = await db.ReadTrialAsync(participant.TrialId, cancellationToken);
        var now = clock.GetUtcNow();
        var (oldValue, newValue) = kind switch
        {
            Correction.ParticipantTarget when key.Length == 0 => await CorrectParticipantAsync(actor, participant, trial.Definition, field, value, cancellationToken),
            "rating" when int.TryParse(key, out var number) => CorrectRating(actor, participant, trial.Definition, number, field, value),
            "session" when int.TryParse(key, out var number) => CorrectSession(actor, participant, number, field, value),
            "measure" when Guid.TryParse(key, out var id) => await CorrectMeasureAsync(actor, participant, id, field, value, cancellationToken),
            "event" when Guid.TryParse(key, out var id) => await CorrectEventAsync(actor, participant, id, target, field, value, reason, queryId, now, cancellationToken),
            _ => throw RequestValidationException.For("target", "must be participant, rating:N, session:N, measure:{id} or event:{id}"),
        };

        var correction = new Correction(
            participant, target, field, Serialize(oldValue), Serialize(newValue), reason, actor.Name, now, queryId);
        db.Corrections.Add(correction);
        return correction;
    }

    private static readonly string[] EventFields = [.. Enum.GetValues<EventField>().Select(f => f.Wire())];

    private static readonly string[] RatingFields = ["cognitive", "interpersonal", "behavioral", "environmental", "rationale"];
    private static readonly string[] SessionFields = ["date", "attendance"];

    /// <summary>
    /// For a data query: the target exists for this participant and the field is one a correction of it may change
    /// (400 otherwise). Who may correct it is the answer's business, not the question's.
    /// </summary>
    public static async Task EnsureTargetAsync(TrialDbContext db, Participant participant, string target, string field, CancellationToken cancellationToken)
    {
        var (kind, key) = Correction.SplitTarget(target);
        var (exists, known) = kind switch
        {
            Correction.ParticipantTarget => (true, Wire.TryParse<ParticipantField>(field, out _)),
            "rating" => (int.TryParse(key, out var n) && participant.Ratings.Any(r => r.Number == n), RatingFields.Contains(field)),
            "session" => (int.TryParse(key, out var n) && participant.Sessions.Any(s => s.Number == n), SessionFields.Contains(field)),
            "measure" => (Guid.TryParse(key, out var id) && await db.Measures.AnyAsync(m => m.Id == id && m.ParticipantId == participant.Id, cancellationToken),
                field == "completedOn" || field.StartsWith("items.", StringComparison.Ordinal)),
            "event" => (Guid.TryParse(key, out var id) && participant.Events.Any(e => e.Id == id), EventFields.Contains(field)),
            _ => (false, false),
        };
        if (!exists)
        {
            throw RequestValidationException.For("target", $"the participant has no {target}");
        }

        if (!known)
        {
            throw RequestValidationException.For("field", $"is not a value of {target} that can be corrected");
        }
    }

    private static string Serialize(object? value) => JsonSerializer.Serialize(
        value switch
        {
            SessionAttendance a => a.Wire(),
            _ => value,
        },
        Json);

    private async Task<(object? Old, object? New)> CorrectParticipantAsync(
        Actor actor, Participant participant, TrialDefinition trial, string field, JsonElement value, CancellationToken cancellationToken)
    {
        RequireRole(actor, "the participant's screening answers and consent", Roles.Coordinator);
        if (!Wire.TryParse<ParticipantField>(field, out var which))
        {
            throw RequestValidationException.For("field", "must be site, ageYears, severity, exclusions, motivation, expectancy, consentVersion or consentedOn");
        }

        object? parsed = which switch
        {
            ParticipantField.Site => Site(actor, trial, value),
            ParticipantField.AgeYears => Integer(value, 0, 120),
            ParticipantField.Severity => Integer(value, 0, 1000),
            ParticipantField.Exclusions => Exclusions(trial, value),
            ParticipantField.Motivation or ParticipantField.Expectancy => value.ValueKind == JsonValueKind.Null ? null : Integer(value, 0, 10),
            ParticipantField.ConsentVersion => Text(value, "^[A-Za-z0-9._-]{1,20}$", "must be a version label such as 1.0"),
            ParticipantField.ConsentedOn => Date(value, new DateOnly(2000, 1, 1)),
            _ => throw new ArgumentOutOfRangeException(nameof(field)),
        };
        var old = participant.CorrectAnswer(which, parsed);
        var allocation = await db.Allocations.AsNoTracking().SingleOrDefaultAsync(a => a.ParticipantId == participant.Id, cancellationToken);
        participant.ReviewAllocation(trial, allocation);
        return (old, parsed);
    }

    private static (object? Old, object? New) CorrectRating(Actor actor, Participant participant, TrialDefinition trial, int number, string field, JsonElement value)
    {
        RequireRole(actor, "a rating", Roles.Coordinator, Roles.Rater);
        var rating = participant.Ratings.FirstOrDefault(r => r.Number == number);
        // A rater corrects only their own ratings, a coordinator only the paper ratings entered for a rater; a blind rater
        // learns nothing of another rating, not even that it exists.
        if (actor.Role == Roles.Rater && (rating is null || rating.Rater != actor.Name || rating.EnteredBy is not null))
        {
            throw new ForbiddenException("A rater corrects only their own ratings.");
        }

        if (rating is null)
        {
            throw RequestValidationException.For("target", $"there is no rating {number}");
        }

        if (actor.Role == Roles.Coordinator && rating.EnteredBy is null)
        {
            throw new ForbiddenException($"Rating {number} was made by rater {rating.Rater} itself; only that rater corrects it.");
        }

        var s = rating.Scores;
        object? parsed;
        FormulationScores scores = s;
        var rationale = rating.Rationale;
        switch (field)
        {
            case "cognitive":
                scores = s with { Cognitive = Integer(value, FormulationScores.Min, FormulationScores.Max) };
                break;
            case "interpersonal":
                scores = s with { Interpersonal = Integer(value, FormulationScores.Min, FormulationScores.Max) };
                break;
            case "behavioral":
                scores = s with { Behavioral = Integer(value, FormulationScores.Min, FormulationScores.Max) };
                break;
            case "environmental":
                scores = s with { Environmental = Integer(value, FormulationScores.Min, FormulationScores.Max) };
                break;
            case "rationale":
                rationale = value.ValueKind == JsonValueKind.Null ? null : Text(value, null, "must be text", 4_000);
                break;
            default:
                throw RequestValidationException.For("field", "must be cognitive, interpersonal, behavioral, environmental or rationale");
        }

        var (oldScores, oldRationale) = participant.CorrectRating(trial, number, scores, rationale);
        (object? old, parsed) = field switch
        {
            "rationale" => ((object?)oldRationale, (object?)rationale),
            _ => (Factor(oldScores, field), Factor(scores, field)),
        };
        return (old, parsed);
    }

    private static int Factor(FormulationScores scores, string field) =>
        scores[Wire.Parse<Formulation>(field)];

    private (object? Old, object? New) CorrectSession(Actor actor, Participant participant, int number, string field, JsonElement value)
    {
        RequireRole(actor, "a session", Roles.Coordinator, Roles.Therapist);
        var session = participant.Sessions.FirstOrDefault(s => s.Number == number)
            ?? throw RequestValidationException.For("target", $"there is no session {number}");
        if (actor.Role == Roles.Therapist && session.Therapist != actor.Name)
        {
            throw new ForbiddenException($"Session {number} was delivered by another therapist; a therapist corrects only their own sessions.");
        }

        switch (field)
        {
            case "date":
                var date = Date(value, DateOnly.MinValue);
                return (participant.CorrectSession(number, date, null), date);
            case "attendance":
                if (value.ValueKind != JsonValueKind.String || !Wire.TryParse<SessionAttendance>(value.GetString(), out var attendance))
                {
                    throw RequestValidationException.For("value", "must be attended, cancelled or noShow");
                }

                return (participant.CorrectSession(number, null, attendance), attendance);
            default:
                throw RequestValidationException.For("field", "must be date or attendance");
        }
    }

    private async Task<(object? Old, object? New)> CorrectMeasureAsync(
        Actor actor, Participant participant, Guid id, string field, JsonElement value, CancellationToken cancellationToken)
    {
        RequireRole(actor, "a measure", Roles.Coordinator, Roles.Therapist, Roles.Rater, Roles.Assessor);
        var measure = await db.Measures.SingleOrDefaultAsync(m => m.Id == id && m.ParticipantId == participant.Id, cancellationToken)
            ?? throw RequestValidationException.For("target", $"the participant has no measure {id}");
        var definition = (catalogue.Find(measure.Instrument, measure.Version) ?? catalogue.Find(measure.Instrument))!.Definition;
        // The same roles as at entry: fidelity forms by raters (their own), questionnaires by coordinators and therapists,
        // visit measures also by assessors (never a session's: its logs would tell them the arm).
        if ((actor.Role == Roles.Therapist && definition.Respondent == InstrumentRespondent.Rater)
            || (actor.Role == Roles.Rater && (definition.Respondent != InstrumentRespondent.Rater || measure.RecordedBy != actor.Name))
            || (actor.Role == Roles.Assessor && measure.Visit is null))
        {
            throw new ForbiddenException($"Your role does not enter this {definition.Code} measure, so it does not correct it.");
        }

        if (field == "completedOn")
        {
            var date = Date(value, DateOnly.MinValue);
            var oldDate = measure.CompletedOn;
            measure.CorrectCompletedOn(participant, date);
            return (oldDate, date);
        }

        const string prefix = "items.";
        if (!field.StartsWith(prefix, StringComparison.Ordinal) || definition.Items.All(i => i.Id != field[prefix.Length..]))
        {
            throw RequestValidationException.For("field", $"must be completedOn or items.{{id}} with an item of {definition.Code}");
        }

        var item = field[prefix.Length..];
        if (value.ValueKind != JsonValueKind.Number)
        {
            throw RequestValidationException.For("value", "must be a number within the item's scale");
        }

        // Re-scored from every answer with the corrected one, exactly as at entry (the scorer checks the item's scale).
        var answers = measure.Answers.ToDictionary(a => a.Key, a => (decimal?)a.Value, StringComparer.Ordinal);
        answers.TryGetValue(item, out var old);
        answers[item] = value.GetDecimal();
        var earlier = await db.Measures.AsNoTracking()
            .Where(m => m.ParticipantId == participant.Id && m.Instrument == measure.Instrument && m.Id != measure.Id)
            .Select(m => new { m.Session, m.CompletedOn, m.Scores })
            .ToListAsync(cancellationToken);
        var previousTotal = PreviousTotal.Before(earlier.Select(m => (m.Session, m.CompletedOn, m.Scores)), measure.Session, measure.CompletedOn);
        var outcome = MeasureScorer.Score(definition, answers, previousTotal);
        if (outcome.Measure is not { } scored)
        {
            throw new RequestValidationException(new Dictionary<string, string[]> { ["value"] = [.. outcome.Errors.SelectMany(e => e.Value)] });
        }

        measure.Rescore(scored);
        // A corrected answer may cross an alert rule: raised once per rule and measure, as the site must act on it.
        var raised = await db.SafetyAlerts.AsNoTracking().Where(a => a.MeasureId == measure.Id).Select(a => a.Rule).ToListAsync(cancellationToken);
        var alerts = SafetyAlert.Raise(measure, participant.Site, scored.Alerts.Where(a => !raised.Contains(a.Rule)), clock.GetUtcNow());
        db.SafetyAlerts.AddRange(alerts);
        await notifications.AddAlertsAsync(participant.TrialId, alerts, cancellationToken);
        object? oldAnswer = old is { } o ? (int)o : null;
        return (oldAnswer, (int)answers[item]!.Value);
    }

    /// <summary>
    /// An event's value, by the coordinator who records events. Correcting <c>serious</c> makes the type follow it, kept
    /// as a second correction of <c>type</c> with the same reason; an event that becomes serious is told to the safety
    /// contacts as at entry.
    /// </summary>
    private async Task<(object? Old, object? New)> CorrectEventAsync(
        Actor actor, Participant participant, Guid id, string target, string field, JsonElement value, string reason, Guid? queryId,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        RequireRole(actor, "events", Roles.Coordinator);
        var recorded = participant.Events.FirstOrDefault(e => e.Id == id) ?? throw RequestValidationException.For("target", $"the participant has no event {id}");
        if (!Wire.TryParse<EventField>(field, out var which) || !EventFields.Contains(field))
        {
            throw RequestValidationException.For("field", $"must be one of {string.Join(", ", EventFields)}");
        }

        object? parsed = which switch
        {
            EventField.OccurredOn => Date(value, new DateOnly(2000, 1, 1)),
            EventField.Description => Text(value, null, "must be the event's description", 4_000).Trim(),
            EventField.Serious => Criteria(value),
            EventField.Severity => Code<EventSeverity>(value),
            EventField.Relatedness => Code<EventRelatedness>(value),
            EventField.Expected => value.ValueKind is JsonValueKind.True or JsonValueKind.False
                ? value.GetBoolean()
                : throw RequestValidationException.For("value", "must be true or false"),
            EventField.Outcome => Code<EventOutcome>(value),
            EventField.ResolvedOn => value.ValueKind == JsonValueKind.Null ? null : Date(value, new DateOnly(2000, 1, 1)),
            _ => throw new ArgumentOutOfRangeException(nameof(field)),
        };
        var wasSerious = recorded.IsSerious;
        var old = participant.CorrectEvent(id, which, parsed, out var oldType);
        if (oldType is { } type)
        {
            db.Corrections.Add(new Correction(
                participant, target, "type", Serialize(type), Serialize(recorded.Type), reason, actor.Name, now, queryId));
        }

        if (!wasSerious && recorded.IsSerious)
        {
            await notifications.AddSeriousEventAsync(participant, recorded, cancellationToken);
        }

        return (old, parsed);
    }

    private static List<SeriousnessCriterion> Criteria(JsonElement value)
    {
        var criteria = new List<SeriousnessCriterion>();
        if (value.ValueKind == JsonValueKind.Array && value.GetArrayLength() <= 5)
        {
            foreach (var c in value.EnumerateArray())
            {
                if (c.ValueKind != JsonValueKind.String || !Wire.TryParse<SeriousnessCriterion>(c.GetString(), out var criterion))
                {
                    break;
                }

                criteria.Add(criterion);
            }

            if (criteria.Count == value.GetArrayLength())
            {
                return criteria;
            }
        }

        throw RequestValidationException.For("value", "must be the list of seriousness criteria met (death, lifeThreatening, hospitalisation, disability, otherImportant), [] when none");
    }

    private static T Code<T>(JsonElement value) where T : struct, Enum =>
        value.ValueKind == JsonValueKind.String && Wire.TryParse<T>(value.GetString(), out var code)
            ? code
            : throw RequestValidationException.For("value", $"must be one of {string.Join(", ", Enum.GetValues<T>().Select(v => v.Wire()))}");

    private static void RequireRole(Actor actor, string what, params string[] roles)
    {
        if (!roles.Contains(actor.Role, StringComparer.Ordinal))
        {
            throw new ForbiddenException($"Your role does not enter {what}, so it does not correct it.");
        }
    }

    private static string Site(Actor actor, TrialDefinition trial, JsonElement value)
    {
        var site = value.ValueKind == JsonValueKind.String
            ? trial.Sites.FirstOrDefault(s => string.Equals(s, value.GetString(), StringComparison.OrdinalIgnoreCase))
            : null;
        if (site is null)
        {
            throw RequestValidationException.For("value", $"must be one of the trial's sites: {string.Join(", ", trial.Sites)}");
        }

        return actor.MaySeeSite(site) ? site : throw new ForbiddenException($"Your key is limited to sites {string.Join(", ", actor.Sites)}.");
    }

    private static List<string> Exclusions(TrialDefinition trial, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() > 50
            || value.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
        {
            throw RequestValidationException.For("value", "must be the list of exclusion criteria that apply ([] when none apply)");
        }

        var exclusions = value.EnumerateArray().Select(e => e.GetString()!).ToList();
        var unknown = exclusions.FirstOrDefault(e => !trial.Eligibility.Exclusions.Contains(e, StringComparer.Ordinal));
        return unknown is null
            ? exclusions
            : throw RequestValidationException.For("value", $"'{unknown}' is not an exclusion criterion of this trial ({string.Join(", ", trial.Eligibility.Exclusions)})");
    }

    private static int Integer(JsonElement value, int min, int max) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) && number >= min && number <= max
            ? number
            : throw RequestValidationException.For("value", $"must be a whole number between {min} and {max}");

    private static string Text(JsonElement value, string? pattern, string message, int maxLength = 200)
    {
        var text = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        return !string.IsNullOrWhiteSpace(text) && text.Length <= maxLength
               && (pattern is null || System.Text.RegularExpressions.Regex.IsMatch(text, pattern, System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1)))
            ? text
            : throw RequestValidationException.For("value", message);
    }

    private DateOnly Date(JsonElement value, DateOnly earliest)
    {
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime.AddDays(1));
        return value.ValueKind == JsonValueKind.String
               && DateOnly.TryParseExact(value.GetString(), "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture,
                   System.Globalization.DateTimeStyles.None, out var date)
               && date >= earliest && date <= today
            ? date
            : throw RequestValidationException.For("value", "must be a date (yyyy-MM-dd), not in the future");
    }
}
