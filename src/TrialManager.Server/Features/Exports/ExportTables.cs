using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Common;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Therapy;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Instruments;
using TrialManager.Infrastructure.Persistence;
using static TrialManager.Server.Features.Exports.ExportText;

namespace TrialManager.Server.Features.Exports;

/// <summary>
/// The export's CSV files: what each column is and where its values come from. Participants are read in keyset pages
/// of study ids and measures as one ordered stream, so memory stays flat for any trial size. Identifiers are study ids
/// (and the measure id that the API documents); no free text a person typed is written.
/// </summary>
internal sealed class ExportTables(TrialDbContext db, InstrumentCatalogue catalogue, Trial trial, IReadOnlyDictionary<string, bool> certifiedRaters)
{
    internal const int PageSize = 200;

    /// <summary>Participants a page when only some of their columns are read (no owned rows).</summary>
    private const int ColumnPageSize = 1_000;
    private static readonly Formulation[] Factors = Enum.GetValues<Formulation>();

    private static readonly ExportColumn ParticipantId = new("participantId", "Study id of the participant", "string", "id", Source: "server (assigned at screening)");

    internal const string ItemResponsesFile = "item_responses.csv", ScoresFile = "scores.csv", VisitsFile = "visits.csv";

    private string[]? scoreNames;

    private string Formulations => string.Join("; ", Factors.Select(f => f.Wire()));

    /// <summary>
    /// Where item_responses.csv's read of the measures also hands each measure's scores.csv row and, for a visit measure,
    /// its visits.csv row. The export sets it, so one read of the measures (most of the export's time) writes the three
    /// files; unset, each table reads the measures itself.
    /// </summary>
    internal MeasureRowsAlongside? Alongside { get; set; }

    public IReadOnlyList<ExportTable> All() =>
        [Participants(), Ratings(), Allocations(), Sessions(), ItemResponses(), Scores(), Visits(), Events(), new CorrectionsTable(db, trial).Table()];

    private ExportTable Participants()
    {
        var exclusions = trial.Definition.Eligibility.Exclusions;
        List<ExportColumn> columns =
        [
            ParticipantId,
            new("site", "Site that screened the participant", "categorical", "baseline", Values: string.Join("; ", trial.Definition.Sites), Source: "screening"),
            new("ageYears", "Age at screening", "integer", "baseline", Unit: "years", Source: "screening"),
            new("severity", "Symptom severity at screening", "integer", "baseline", Unit: "points",
                Values: $"{trial.Definition.Eligibility.MinSeverity}-{trial.Definition.Eligibility.MaxSeverity} eligible", Source: "screening"),
            .. exclusions.Select(e => new ExportColumn($"exclusion_{e}", $"Exclusion criterion {e} applied at screening", "boolean", "baseline",
                Values: "true; false", Source: "screening")),
            new("motivation", "Motivation for change at baseline", "integer", "baseline", Unit: "points", Values: "0-10", Missing: "empty when not recorded", Source: "screening"),
            new("expectancy", "Expectancy of improvement at baseline", "integer", "baseline", Unit: "points", Values: "0-10", Missing: "empty when not recorded", Source: "screening"),
            .. Factors.Select(f => new ExportColumn($"formulation_{f.Wire()}", $"Formulation score for the {f.Wire()} maintaining factor, from the deciding rating",
                "integer", "baseline", Unit: "points", Values: "0=absent; 1=minor; 2=moderate; 3=major; 4=central", Missing: "empty before the first rating",
                Derivation: "scores of the last consensus rating, else of the first rating", Source: "formulation rating")),
            new("primaryFormulation", "Primary formulation", "categorical", "baseline", Values: Formulations + "; indeterminate",
                Missing: "empty before the first rating",
                Derivation: $"the top factor of the deciding rating when it leads the next by at least {trial.Definition.FormulationRule.MinMargin}, else indeterminate",
                Source: "formulation rating"),
            new("formulationDecidedBy", "How the primary formulation was decided", "categorical", "baseline",
                Values: "first=the first independent rating; consensus=a consensus rating", Missing: "empty before the first rating", Source: "formulation rating"),
            new("status", "Participant status when the data were taken", "categorical", "process",
                Values: string.Join("; ", Enum.GetValues<ParticipantStatus>().Select(s => s.Wire())), Source: "server"),
            new("randomized", "Whether the participant was randomized", "boolean", "design", Values: "true; false", Source: "randomization"),
            new("therapist", "Code of the assigned therapist", "string", "process", Missing: "empty until a therapist is assigned", Source: "therapist assignment"),
            new("consentVersion", "Version of the consent form signed", "string", "process", Missing: "empty when not consented", Source: "consent"),
            new("screeningDay", "Day of screening", "integer", "process", Unit: "days from randomization", Missing: NotRandomized, Source: "screening"),
            new("consentDay", "Day of consent", "integer", "process", Unit: "days from randomization", Missing: "empty when not consented or never randomized", Source: "consent"),
            new("treatmentStopCategory", "Why therapy stopped (the participant stays in follow-up)", "categorical", "outcome",
                Values: string.Join("; ", Enum.GetValues<TreatmentStopCategory>().Select(c => c.Wire())), Missing: "empty when therapy did not stop", Source: "treatment stop"),
            new("treatmentStopDay", "Day therapy stopped", "integer", "outcome", Unit: "days from randomization", Missing: "empty when therapy did not stop", Source: "treatment stop"),
            new("withdrawalCategory", "Why the participant withdrew", "categorical", "outcome",
                Values: string.Join("; ", Enum.GetValues<WithdrawalCategory>().Select(c => c.Wire())), Missing: "empty when not withdrawn (or withdrawn before categories existed)", Source: "withdrawal"),
            new("withdrawnAfterAllocation", "Whether the withdrawal came after allocation", "boolean", "outcome", Values: "true; false", Missing: "empty when not withdrawn", Source: "withdrawal"),
            new("withdrawalDay", "Day of withdrawal", "integer", "outcome", Unit: "days from randomization", Missing: "empty when not withdrawn or never randomized", Source: "withdrawal"),
            new("completionDay", "Day the participant completed the trial", "integer", "outcome", Unit: "days from randomization", Missing: "empty when not completed", Source: "completion"),
        ];

        async IAsyncEnumerable<string[]> Rows([EnumeratorCancellation] CancellationToken ct)
        {
            // Pages of the columns written, with the page's ratings: whole participants (every session and event too) cost
            // more than the rest of the file.
            string? after = null;
            while (true)
            {
                var query = db.Participants.AsNoTracking().Where(p => p.TrialId == trial.Id);
                if (after is not null)
                {
                    query = query.Where(p => string.Compare(p.Id, after) > 0);
                }

                var page = await query.OrderBy(p => p.Id).Take(ColumnPageSize).Select(p => new
                {
                    p.Id, p.Site, p.AgeYears, p.Severity, p.Exclusions, p.Motivation, p.Expectancy, p.PrimaryFormulation, p.Status, p.RandomizedAt,
                    p.TherapistCode, p.ConsentVersion, p.ScreenedAt, p.ConsentedOn, p.TreatmentStopCategory, p.TreatmentStoppedAt,
                    p.WithdrawalCategory, p.WithdrawnAfterAllocation, p.WithdrawnAt, p.CompletedAt,
                }).ToListAsync(ct);
                if (page.Count == 0)
                {
                    yield break;
                }

                var (first, last) = (page[0].Id, page[^1].Id);
                var pageRatings = (await (from p in db.Participants.AsNoTracking()
                                          where p.TrialId == trial.Id && string.Compare(p.Id, first) >= 0 && string.Compare(p.Id, last) <= 0
                                          from r in p.Ratings
                                          select new { p.Id, Rating = r }).ToListAsync(ct))
                    .ToLookup(x => x.Id, x => x.Rating, StringComparer.Ordinal);
                foreach (var p in page)
                {
                    // In number order, as Participant.Ratings gives them.
                    var ratings = pageRatings[p.Id].OrderBy(r => r.Number).ToList();
                    var deciding = ratings.LastOrDefault(r => r.Consensus) ?? ratings.FirstOrDefault();
                    var randomized = p.RandomizedAt;
                    yield return
                    [
                        p.Id, p.Site, Int(p.AgeYears), Int(p.Severity),
                        .. exclusions.Select(e => Bool(p.Exclusions.Contains(e))),
                        Int(p.Motivation), Int(p.Expectancy),
                        .. Factors.Select(f => Int(deciding?.Scores[f])),
                        deciding is null ? string.Empty : p.PrimaryFormulation?.Wire() ?? "indeterminate",
                        deciding is null ? string.Empty : deciding.Consensus ? "consensus" : "first",
                        p.Status.Wire(), Bool(randomized is not null), p.TherapistCode ?? string.Empty, p.ConsentVersion ?? string.Empty,
                        Day(p.ScreenedAt, randomized), Day(p.ConsentedOn, randomized),
                        p.TreatmentStopCategory?.Wire() ?? string.Empty, Day(p.TreatmentStoppedAt, randomized),
                        p.WithdrawalCategory?.Wire() ?? string.Empty, p.WithdrawnAt is null ? string.Empty : Bool(p.WithdrawnAfterAllocation),
                        Day(p.WithdrawnAt, randomized), Day(p.CompletedAt, randomized),
                    ];
                }

                if (page.Count < ColumnPageSize)
                {
                    yield break;
                }

                after = last;
            }
        }

        return new ExportTable("participants.csv", columns, Rows);
    }

    private ExportTable Ratings()
    {
        var certifies = certifiedRaters.Count > 0 || trial.Definition.FormulationRule.Certification is not null;
        List<ExportColumn> columns =
        [
            ParticipantId,
            new("rating", "Number of the rating for this participant (1 = first)", "integer", "id", Source: "formulation rating"),
            new("rater", "Code of the rater", "string", "process", Source: "formulation rating"),
            new("consensus", "Whether this is a consensus rating", "boolean", "process", Values: "true; false", Source: "formulation rating"),
            new("enteredOnBehalf", "Whether a coordinator entered a paper rating on the rater's behalf", "boolean", "process", Values: "true; false", Source: "formulation rating"),
            new("blinded", "Whether the rating was made before allocation (blind to the arm)", "boolean", "process", Values: "true; false",
                Derivation: "rated before the participant's randomization time, or the participant was never randomized", Source: "formulation rating"),
            new("certification", "The rater's certification on the trial's reference cases when the data were taken", "categorical", "process",
                Values: "certified; notCertified; notRequired=the trial certifies no raters", Derivation: "practice ratings against the trial's certification rule", Source: "reference-case ratings"),
            .. Factors.Select(f => new ExportColumn($"score_{f.Wire()}", $"Score for the {f.Wire()} maintaining factor", "integer", "baseline", Unit: "points",
                Values: "0=absent; 1=minor; 2=moderate; 3=major; 4=central", Source: "formulation rating")),
            new("primary", "This rating's own primary formulation under the trial's rule", "categorical", "baseline", Values: Formulations + "; indeterminate", Source: "formulation rating"),
            new("ratingDay", "Day of the rating", "integer", "process", Unit: "days from randomization", Missing: NotRandomized, Source: "formulation rating"),
        ];

        async IAsyncEnumerable<string[]> Rows([EnumeratorCancellation] CancellationToken ct)
        {
            // One query for the ratings alone: reading whole participants (sessions and events too) cost far more.
            var rows = from p in db.Participants.AsNoTracking()
                       where p.TrialId == trial.Id
                       from r in p.Ratings
                       orderby p.Id, r.Number
                       select new { p.Id, p.RandomizedAt, Rating = r };
            await foreach (var (id, randomizedAt, r) in rows.AsAsyncEnumerable().Select(x => (x.Id, x.RandomizedAt, x.Rating)).WithCancellation(ct))
            {
                var certification = !certifies ? "notRequired" : certifiedRaters.GetValueOrDefault(r.Rater) ? "certified" : "notCertified";
                yield return
                [
                    id, Int(r.Number), r.Rater, Bool(r.Consensus), Bool(r.EnteredBy is not null), Bool(randomizedAt is not { } at || r.RatedAt < at),
                    certification, .. Factors.Select(f => Int(r.Scores[f])), r.Primary?.Wire() ?? "indeterminate", Day(r.RatedAt, randomizedAt),
                ];
            }
        }

        return new ExportTable("ratings.csv", columns, Rows);
    }

    private ExportTable Allocations()
    {
        var definition = trial.Definition;
        List<ExportColumn> columns =
        [
            ParticipantId,
            new("site", "Site at randomization", "categorical", "design", Values: string.Join("; ", definition.Sites), Source: "randomization"),
            new("formulation", "Primary formulation the participant was stratified by", "categorical", "design", Values: Formulations, Source: "randomization"),
            new("stratum", "Stratum (the levels of the stratification factors) or the minimization profile", "string", "design", Source: "randomization"),
            new("sequence", "Position in the stratum's (or the trial's) allocation sequence", "integer", "design", Source: "randomization"),
            new("arm", "Allocated arm", "categorical", "design", Values: string.Join("; ", definition.Arms.Select(a => a.Code.Wire())), Source: "randomization"),
            new("matched", "Whether the arm is the one the trial's hypothesis predicts for the formulation", "boolean", "design", Values: "true; false",
                Missing: "empty when the hypothesis makes no prediction for the formulation", Derivation: "the trial definition's hypothesis", Source: "trial definition"),
            new("randomizedAt", "Time of randomization (UTC)", "datetime", "design", Unit: "ISO 8601", Source: "randomization"),
            new("misStratified", "Whether a stratification variable was corrected after randomization", "boolean", "design", Values: "true; false",
                Derivation: "the allocation and its stratum stand (analysed as randomized); see the participant's corrections", Source: "corrections"),
            new("ineligibleAfterRandomization", "Whether corrected answers fail an eligibility criterion", "boolean", "design", Values: "true; false",
                Derivation: "kept in the intention-to-treat set", Source: "corrections"),
        ];

        async IAsyncEnumerable<string[]> Rows([EnumeratorCancellation] CancellationToken ct)
        {
            // The randomization restrictions (block numbers and sizes, minimization scores) stay out: SPIRIT 16a.
            var rows = (from a in db.Allocations.AsNoTracking()
                        join p in db.Participants.AsNoTracking() on a.ParticipantId equals p.Id
                        where a.TrialId == trial.Id
                        orderby a.ParticipantId
                        select new { a.ParticipantId, a.Site, a.Formulation, a.Stratum, a.Sequence, a.Arm, a.RandomizedAt, p.MisStratified, p.IneligibleAfterRandomization })
                .AsAsyncEnumerable();
            await foreach (var a in rows.WithCancellation(ct))
            {
                yield return
                [
                    a.ParticipantId, a.Site, a.Formulation.Wire(), a.Stratum, Int(a.Sequence), a.Arm.Wire(), Bool(definition.Matched(a.Formulation, a.Arm)),
                    Instant(a.RandomizedAt), Bool(a.MisStratified), Bool(a.IneligibleAfterRandomization),
                ];
            }
        }

        return new ExportTable("allocations.csv", columns, Rows);
    }

    private ExportTable Sessions()
    {
        List<ExportColumn> columns =
        [
            ParticipantId,
            new("session", "Session number", "integer", "id", Source: "session record"),
            new("sessionDay", "Day of the session", "integer", "process", Unit: "days from randomization", Source: "session record"),
            new("attendance", "Whether the session took place", "categorical", "process",
                Values: string.Join("; ", Enum.GetValues<SessionAttendance>().Select(a => a.Wire())), Source: "session record"),
            new("therapist", "Code of the therapist assigned when the session was recorded", "string", "process", Source: "session record"),
        ];

        async IAsyncEnumerable<string[]> Rows([EnumeratorCancellation] CancellationToken ct)
        {
            var rows = from p in db.Participants.AsNoTracking()
                       where p.TrialId == trial.Id
                       from s in p.Sessions
                       orderby p.Id, s.Number
                       select new { p.Id, p.RandomizedAt, s.Number, s.Date, s.Attendance, s.Therapist };
            await foreach (var s in rows.AsAsyncEnumerable().WithCancellation(ct))
            {
                yield return [s.Id, Int(s.Number), Day(s.Date, s.RandomizedAt), s.Attendance.Wire(), s.Therapist];
            }
        }

        return new ExportTable("sessions.csv", columns, Rows);
    }

    private string InstrumentCodes => string.Join("; ", catalogue.All.Select(i => i.Definition.Code));

    private string ItemScales => string.Join("; ", catalogue.All.Select(i =>
        $"{i.Definition.Code} {i.Definition.Version}: " + string.Join(", ", i.Definition.Scales.Select(s => $"{s.Min}-{s.Max}").Distinct())));

    /// <summary>The columns that name a measure, first in item_responses.csv and scores.csv alike.</summary>
    private ExportColumn[] MeasureKeyColumns =>
    [
        new("measureId", "Id of the completed instrument (as GET /api/participants/{id}/measures shows it)", "string", "id", Source: "measure"),
        ParticipantId,
        new("instrument", "Instrument code", "categorical", "id", Values: InstrumentCodes, Source: "instrument catalogue"),
        new("version", "Instrument version", "string", "id", Source: "instrument catalogue"),
        new("session", "Session the instrument was completed at", "integer", "id", Missing: "empty for a visit measure", Source: "measure"),
        new("visit", "Visit of the trial's schedule the instrument was completed at", "string", "id", Missing: "empty for a session measure", Source: "measure"),
    ];

    private static string[] MeasureKey(MeasureRow m) =>
        [m.Id.ToString(), m.ParticipantId, m.Instrument, m.Version, Int(m.Session), m.Visit ?? string.Empty];

    private ExportTable ItemResponses()
    {
        List<ExportColumn> columns =
        [
            .. MeasureKeyColumns,
            new("item", "Item id within the instrument", "string", "id", Source: "instrument catalogue"),
            new("value", "The answer given", "integer", "process", Values: ItemScales, Missing: "an unanswered item has no row",
                Derivation: "as answered; anchors and coded meanings at GET /api/instruments/{code}", Source: "measure"),
        ];

        async IAsyncEnumerable<string[]> Rows([EnumeratorCancellation] CancellationToken ct)
        {
            var answers = new MeasureJson();
            var scores = new MeasureJson();
            var alongside = Alongside;
            var itemIds = new Dictionary<IReadOnlyList<Domain.Instruments.InstrumentItem>, string[]>(ReferenceEqualityComparer.Instance);
            await foreach (var m in ReadAheadAsync(c => Measures(ct: c), ct))
            {
                var key = MeasureKey(m);
                if (alongside is not null)
                {
                    await alongside.Score(ScoreRow(m, key, scores), ct);
                    if (m.Visit is not null)
                    {
                        await alongside.Visit(VisitRow(m), ct);
                    }
                }

                if (catalogue.Find(m.Instrument, m.Version)?.Definition.Items is not { } items)
                {
                    // An instrument the catalogue no longer has: its answers in item-id order.
                    foreach (var (item, value) in MeasureJson.Answers(m.Answers).OrderBy(a => a.Key, StringComparer.Ordinal))
                    {
                        yield return [.. key, item, Int(value)];
                    }

                    continue;
                }

                if (!itemIds.TryGetValue(items, out var ids))
                {
                    ids = [.. items.Select(i => i.Id)];
                    itemIds[items] = ids;
                }

                answers.Read(m.Answers, ids);
                for (var i = 0; i < items.Count; i++)
                {
                    if (answers.Values[i] is { } value)
                    {
                        yield return [.. key, items[i].Id, Int((int)value)];
                    }
                }
            }
        }

        return new ExportTable(ItemResponsesFile, columns, Rows);
    }

    private List<IGrouping<string, (string Code, string Instrument, string Label)>> Subscales =>
        catalogue.All.SelectMany(i => i.Definition.SubscaleList.Select(s => (s.Code, Instrument: i.Definition.Code, s.Label)))
            .GroupBy(s => s.Code, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();

    /// <summary>The scores scores.csv writes: the total first, then the subscales in the columns' order (one array, so its names are encoded once).</summary>
    private string[] ScoreNames => scoreNames ??= [Domain.Instruments.InstrumentDefinition.TotalScore, .. Subscales.Select(g => g.Key)];

    private string[] ScoreRow(MeasureRow m, string[] key, MeasureJson scores)
    {
        var names = ScoreNames;
        scores.Read(m.Scores, names);
        return [.. key, Day(m.CompletedOn, m.RandomizedAt), .. scores.Values.Take(names.Length).Select(Number), m.Band ?? string.Empty, Bool(m.Prorated)];
    }

    private static string[] VisitRow(MeasureRow m) => [m.ParticipantId, m.Visit!, m.Instrument, m.Id.ToString(), Day(m.CompletedOn, m.RandomizedAt)];

    private ExportTable Scores()
    {
        var subscales = Subscales;
        List<ExportColumn> columns =
        [
            .. MeasureKeyColumns,
            new("completedDay", "Day the instrument was completed", "integer", "process", Unit: "days from randomization", Missing: NotRandomized, Source: "measure"),
            new("total", "Total score", "number", "process", Missing: "empty when the instrument has no total or too many items were missing",
                Derivation: "the instrument's scoring rule (sum or mean of its items), prorated by its missing-item rule", Source: "server scoring"),
            .. subscales.Select(g => new ExportColumn($"subscale_{g.Key}", $"Subscale {g.Key} ({string.Join(", ", g.Select(s => $"{s.Instrument}: {s.Label}"))})",
                "number", "process", Missing: "empty for instruments without this subscale or too many items missing",
                Derivation: "the instrument's scoring rule over the subscale's items", Source: string.Join("; ", g.Select(s => s.Instrument)))),
            new("band", "Severity band of the total", "categorical", "process",
                Values: string.Join("; ", catalogue.All.Where(i => i.Definition.BandList.Count > 0).Select(i =>
                    $"{i.Definition.Code}: " + string.Join(", ", i.Definition.BandList.Select(b => $"{b.Code}={Number(b.Min)}-{Number(b.Max)}")))),
                Missing: "empty for instruments without bands", Derivation: "the instrument's bands over the total", Source: "server scoring"),
            new("prorated", "Whether missing items were prorated", "boolean", "process", Values: "true; false", Source: "server scoring"),
        ];

        async IAsyncEnumerable<string[]> Rows([EnumeratorCancellation] CancellationToken ct)
        {
            var scores = new MeasureJson();
            await foreach (var m in Measures(ct: ct))
            {
                yield return ScoreRow(m, MeasureKey(m), scores);
            }
        }

        return new ExportTable(ScoresFile, columns, Rows);
    }

    private ExportTable Visits()
    {
        List<ExportColumn> columns =
        [
            ParticipantId,
            new("visit", "Visit code of the trial's schedule", "string", "id", Source: "visit measure"),
            new("instrument", "Instrument code", "string", "id", Source: "instrument catalogue"),
            new("measureId", "Id of the completed instrument", "string", "id", Source: "visit measure"),
            new("visitDay", "Day the instrument was completed", "integer", "outcome", Unit: "days from randomization", Source: "visit measure"),
        ];

        // One row per instrument completed at a visit; its items and scores are in item_responses.csv and scores.csv.
        async IAsyncEnumerable<string[]> Rows([EnumeratorCancellation] CancellationToken ct)
        {
            await foreach (var m in Measures(visitsOnly: true, ct))
            {
                yield return VisitRow(m);
            }
        }

        return new ExportTable(VisitsFile, columns, Rows);
    }

    private ExportTable Events()
    {
        List<ExportColumn> columns =
        [
            ParticipantId,
            new("event", "Number of the event for this participant", "integer", "id", Source: "event record"),
            new("type", "Event type", "categorical", "outcome", Values: string.Join("; ", Enum.GetValues<ParticipantEventType>().Select(t => t.Wire())), Source: "event record"),
            new("occurredDay", "Day the event occurred", "integer", "outcome", Unit: "days from randomization", Missing: NotRandomized,
                Derivation: "negative before randomization", Source: "event record"),
            new("serious", "Whether the adverse event meets a seriousness criterion", "boolean", "outcome", Values: "true; false", Missing: NoSafetyFields,
                Derivation: "true when any serious_ column is true", Source: "event record"),
            .. Enum.GetValues<SeriousnessCriterion>().Select(c => new ExportColumn($"serious_{c.Wire()}", $"Seriousness criterion {c.Wire()} met",
                "boolean", "outcome", Values: "true; false", Missing: NoSafetyFields, Source: "event record")),
            new("severity", "Severity of the adverse event", "categorical", "outcome", Values: Codes<EventSeverity>(), Missing: NoSafetyFields, Source: "event record"),
            new("relatedness", "Relatedness of the adverse event to the therapy", "categorical", "outcome", Values: Codes<EventRelatedness>(),
                Missing: NoSafetyFields, Source: "event record"),
            new("expected", "Whether the adverse event was expected", "boolean", "outcome", Values: "true; false", Missing: NoSafetyFields, Source: "event record"),
            new("outcome", "Outcome of the adverse event", "categorical", "outcome", Values: Codes<EventOutcome>(), Missing: NoSafetyFields, Source: "event record"),
            new("resolvedDay", "Day the adverse event resolved", "integer", "outcome", Unit: "days from randomization",
                Missing: "empty while unresolved, for protocol deviations, or " + NotRandomized, Derivation: "negative before randomization", Source: "event record"),
            new("reviewed", "Whether the serious adverse event has had its medical review", "boolean", "process", Values: "true; false",
                Missing: "empty for events that are not serious", Source: "medical review"),
            new("fromAlert", "Whether the event was recorded from a safety alert of an instrument", "boolean", "process", Values: "true; false", Source: "event record"),
        ];

        async IAsyncEnumerable<string[]> Rows([EnumeratorCancellation] CancellationToken ct)
        {
            var rows = from p in db.Participants.AsNoTracking()
                       where p.TrialId == trial.Id
                       from e in p.Events
                       orderby p.Id, e.Number
                       select new { p.Id, p.RandomizedAt, Event = e };
            await foreach (var (id, randomizedAt, e) in rows.AsAsyncEnumerable().Select(x => (x.Id, x.RandomizedAt, x.Event)).WithCancellation(ct))
            {
                // The description and the review's comment are free text: not exported.
                var criteria = e.Serious;
                yield return
                [
                    id, Int(e.Number), e.Type.Wire(), Day(e.OccurredOn, randomizedAt),
                    Bool(criteria is null ? null : criteria.Count > 0),
                    .. Enum.GetValues<SeriousnessCriterion>().Select(c => Bool(criteria?.Contains(c))),
                    e.Severity?.Wire() ?? string.Empty, e.Relatedness?.Wire() ?? string.Empty, Bool(e.Expected), e.Outcome?.Wire() ?? string.Empty,
                    Day(e.ResolvedOn, randomizedAt), Bool(e.IsSerious ? e.ReviewedAt is not null : null), Bool(e.AlertId is not null),
                ];
            }
        }

        return new ExportTable("events.csv", columns, Rows);
    }

    private const string NoSafetyFields = "empty for protocol deviations and for adverse events recorded before the field existed";

    private static string Codes<T>() where T : struct, Enum => string.Join("; ", Enum.GetValues<T>().Select(v => v.Wire()));

    /// <summary>A trial's participants in study-id order, read a page at a time (with their ratings, sessions and events).</summary>
    internal static async IAsyncEnumerable<Participant> ParticipantPagesAsync(TrialDbContext db, string trialId, [EnumeratorCancellation] CancellationToken ct)
    {
        string? after = null;
        while (true)
        {
            var query = db.Participants.AsNoTracking().AsSplitQuery().Where(p => p.TrialId == trialId);
            if (after is not null)
            {
                query = query.Where(p => string.Compare(p.Id, after) > 0);
            }

            var page = await query.OrderBy(p => p.Id).Take(PageSize).ToListAsync(ct);
            foreach (var participant in page)
            {
                yield return participant;
            }

            if (page.Count < PageSize)
            {
                yield break;
            }

            after = page[^1].Id;
        }
    }

    /// <summary>
    /// The source enumerated on a task of its own, in batches through a bounded channel: the database's reading and
    /// the rows' conversion run beside the formatting of the rows read before (with the zip's deflate, three stages on
    /// two cores). At most a few batches wait, so memory stays flat. The reading has stopped before this returns, so
    /// the context's connection is free again.
    /// </summary>
    private static async IAsyncEnumerable<T> ReadAheadAsync<T>(Func<CancellationToken, IAsyncEnumerable<T>> source, [EnumeratorCancellation] CancellationToken ct)
    {
        const int BatchSize = 512;
        var batches = Channel.CreateBounded<T[]>(new BoundedChannelOptions(4) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var reading = Task.Run(async () =>
        {
            try
            {
                var batch = new List<T>(BatchSize);
                await foreach (var item in source(stop.Token).WithCancellation(stop.Token))
                {
                    batch.Add(item);
                    if (batch.Count == BatchSize)
                    {
                        await batches.Writer.WriteAsync([.. batch], stop.Token);
                        batch.Clear();
                    }
                }

                if (batch.Count > 0)
                {
                    await batches.Writer.WriteAsync([.. batch], stop.Token);
                }

                batches.Writer.TryComplete();
            }
            catch (Exception e)
            {
                batches.Writer.TryComplete(e);
            }
        }, CancellationToken.None);

        try
        {
            await foreach (var batch in batches.Reader.ReadAllAsync(ct))
            {
                foreach (var item in batch)
                {
                    yield return item;
                }
            }
        }
        finally
        {
            await stop.CancelAsync();
            await reading;
        }
    }

    /// <summary>Receives scores.csv's and visits.csv's rows from item_responses.csv's read of the measures, in their order.</summary>
    internal sealed record MeasureRowsAlongside(Func<string[], CancellationToken, ValueTask> Score, Func<string[], CancellationToken, ValueTask> Visit);

    /// <summary>A measure as its columns are stored: the answers and scores as their JSON text, parsed by the table that writes them.</summary>
    private sealed record MeasureRow(
        Guid Id, string ParticipantId, string Instrument, string Version, int? Session, string? Visit, DateOnly CompletedOn, string Answers, string Scores,
        string? Band, bool Prorated, DateTimeOffset? RandomizedAt);

    /// <summary>
    /// Every measure of the trial with its participant's randomization time, streamed in (participant, sessions
    /// before visits, session, visit, instrument) order: spelled out because databases sort a null session apart.
    /// EF writes the query; its rows are read from the command directly, each value through the model's converter,
    /// but the JSON columns as text: deserializing two dictionaries per measure was most of the export's time.
    /// </summary>
    private async IAsyncEnumerable<MeasureRow> Measures(bool visitsOnly = false, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var query = from m in db.Measures.AsNoTracking()
                    join p in db.Participants.AsNoTracking() on m.ParticipantId equals p.Id
                    where m.TrialId == trial.Id && (!visitsOnly || m.Visit != null)
                    orderby m.ParticipantId, m.Visit != null, m.Session, m.Visit, m.Instrument
                    select new { m.Id, m.ParticipantId, m.Instrument, m.Version, m.Session, m.Visit, m.CompletedOn, m.Answers, m.Scores, m.Band, m.Prorated, p.RandomizedAt };
        var measure = db.Model.FindEntityType(typeof(Domain.Measures.Measure))!;
        var participant = db.Model.FindEntityType(typeof(Participant))!;

        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var command = query.CreateDbCommand();
            await using var reader = await command.ExecuteReaderAsync(ct);
            var id = DbColumn.Of(reader, measure, nameof(MeasureRow.Id));
            var participantId = DbColumn.Of(reader, measure, nameof(MeasureRow.ParticipantId));
            var instrument = DbColumn.Of(reader, measure, nameof(MeasureRow.Instrument));
            var version = DbColumn.Of(reader, measure, nameof(MeasureRow.Version));
            var session = DbColumn.Of(reader, measure, nameof(MeasureRow.Session));
            var visit = DbColumn.Of(reader, measure, nameof(MeasureRow.Visit));
            var completedOn = DbColumn.Of(reader, measure, nameof(MeasureRow.CompletedOn));
            var answers = reader.GetOrdinal(measure.FindProperty(nameof(MeasureRow.Answers))!.GetColumnName());
            var scores = reader.GetOrdinal(measure.FindProperty(nameof(MeasureRow.Scores))!.GetColumnName());
            var band = DbColumn.Of(reader, measure, nameof(MeasureRow.Band));
            var prorated = DbColumn.Of(reader, measure, nameof(MeasureRow.Prorated));
            var randomizedAt = DbColumn.Of(reader, participant, nameof(MeasureRow.RandomizedAt));
            while (await reader.ReadAsync(ct))
            {
                yield return new MeasureRow(
                    id.Value<Guid>(reader), participantId.Value<string>(reader), instrument.Value<string>(reader), version.Value<string>(reader),
                    session.Nullable<int>(reader), visit.Reference<string>(reader), completedOn.Value<DateOnly>(reader),
                    visitsOnly ? string.Empty : reader.GetString(answers), visitsOnly ? string.Empty : reader.GetString(scores),
                    band.Reference<string>(reader), prorated.Value<bool>(reader), randomizedAt.Nullable<DateTimeOffset>(reader));
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>One column of a raw query, read as EF would: through the property's value converter when it has one.</summary>
    private sealed class DbColumn(int ordinal, Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter? converter)
    {
        public static DbColumn Of(System.Data.Common.DbDataReader reader, Microsoft.EntityFrameworkCore.Metadata.IEntityType entity, string property)
        {
            var p = entity.FindProperty(property)!;
            return new DbColumn(reader.GetOrdinal(p.GetColumnName()), p.GetTypeMapping().Converter);
        }

        public T Value<T>(System.Data.Common.DbDataReader reader) =>
            converter is null ? reader.GetFieldValue<T>(ordinal) : (T)converter.ConvertFromProvider(reader.GetValue(ordinal))!;

        public T? Nullable<T>(System.Data.Common.DbDataReader reader) where T : struct => reader.IsDBNull(ordinal) ? null : Value<T>(reader);

        public T? Reference<T>(System.Data.Common.DbDataReader reader) where T : class => reader.IsDBNull(ordinal) ? null : Value<T>(reader);
    }
}
