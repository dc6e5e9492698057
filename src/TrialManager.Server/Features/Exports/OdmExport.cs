using System.Globalization;
using System.Text;
using System.Xml;
using Microsoft.EntityFrameworkCore;
using TrialManager.Domain.Common;
using TrialManager.Domain.Instruments;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Trials;
using TrialManager.Infrastructure.Instruments;
using TrialManager.Infrastructure.Persistence;

namespace TrialManager.Server.Features.Exports;

/// <summary>
/// The trial as CDISC ODM 1.3.2, streamed: the metadata (a baseline event with the screening and randomization forms,
/// a repeating session event with one form per instrument of the catalogue, their item groups, items and code lists
/// from the instrument definitions) and then each subject's data, read a page of participants at a time.
/// </summary>
public sealed class OdmExport(TrialDbContext db, InstrumentCatalogue catalogue)
{
    public const string Namespace = "http://www.cdisc.org/ns/odm/v1.3";
    private const string MetaDataVersionOid = "MDV.1";

    public async Task WriteAsync(Trial trial, Stream output, DateTimeOffset takenAt, CancellationToken cancellationToken)
    {
        await using var snapshot = await ReadSnapshot.BeginAsync(db, cancellationToken);
        var settings = new XmlWriterSettings { Async = true, Encoding = new UTF8Encoding(false), Indent = true, NewLineChars = "\n" };
        await using var xml = XmlWriter.Create(output, settings);
        await xml.WriteStartDocumentAsync();
        await xml.WriteStartElementAsync(null, "ODM", Namespace);
        await xml.WriteAttributeStringAsync(null, "ODMVersion", null, "1.3.2");
        await xml.WriteAttributeStringAsync(null, "FileType", null, "Snapshot");
        await xml.WriteAttributeStringAsync(null, "FileOID", null, $"TrialManager.{trial.Id}.{ExportText.Instant(takenAt)}");
        await xml.WriteAttributeStringAsync(null, "CreationDateTime", null, ExportText.Instant(takenAt));
        await xml.WriteAttributeStringAsync(null, "Originator", null, "TrialManager");

        var studyOid = $"ST.{trial.Id}";
        await xml.WriteStartElementAsync(null, "Study", Namespace);
        await xml.WriteAttributeStringAsync(null, "OID", null, studyOid);
        await xml.WriteStartElementAsync(null, "GlobalVariables", Namespace);
        await xml.WriteElementStringAsync(null, "StudyName", Namespace, trial.Id);
        await xml.WriteElementStringAsync(null, "StudyDescription", Namespace, trial.Definition.Title);
        await xml.WriteElementStringAsync(null, "ProtocolName", Namespace, trial.Definition.Registration ?? trial.Id);
        await xml.WriteEndElementAsync();
        await WriteMetaDataAsync(xml, trial);
        await xml.WriteEndElementAsync(); // Study
        await WriteAdminDataAsync(xml, trial, studyOid, cancellationToken);
        await xml.FlushAsync();

        await xml.WriteStartElementAsync(null, "ClinicalData", Namespace);
        await xml.WriteAttributeStringAsync(null, "StudyOID", null, studyOid);
        await xml.WriteAttributeStringAsync(null, "MetaDataVersionOID", null, MetaDataVersionOid);
        var page = new List<Participant>(ExportTables.PageSize);
        await foreach (var participant in ExportTables.ParticipantPagesAsync(db, trial.Id, cancellationToken))
        {
            page.Add(participant);
            if (page.Count == ExportTables.PageSize)
            {
                await WriteSubjectsAsync(xml, trial, page, cancellationToken);
                page.Clear();
            }
        }

        await WriteSubjectsAsync(xml, trial, page, cancellationToken);
        await xml.WriteEndElementAsync(); // ClinicalData
        await xml.WriteEndElementAsync(); // ODM
        await xml.WriteEndDocumentAsync();
        await xml.FlushAsync();
    }

    private const string VisitEventOid = "SE.VISIT";

    private static string UserOid(string name) => $"USR.{name}";

    private static string LocationOid(string site) => $"LOC.{site}";

    private const string EventsEventOid = "SE.EVENTS";

    /// <summary>The items a correction of the participant's own values changes, by the correction's field.</summary>
    private static readonly Dictionary<string, string> ParticipantFieldItems = new(StringComparer.Ordinal)
    {
        ["site"] = "IT.SITE", ["ageYears"] = "IT.AGEYEARS", ["severity"] = "IT.SEVERITY", ["motivation"] = "IT.MOTIVATION", ["expectancy"] = "IT.EXPECTANCY",
        ["exclusions"] = "IT.EXCLUSIONS", ["consentVersion"] = "IT.CONSENTVERSION", ["consentedOn"] = "IT.CONSENTEDON",
    };

    /// <summary>The items a correction of a rating (target <c>rating:N</c>) changes, by field.</summary>
    private static readonly Dictionary<string, string> RatingFieldItems = new(StringComparer.Ordinal)
    {
        ["cognitive"] = "IT.SCORECOGNITIVE", ["interpersonal"] = "IT.SCOREINTERPERSONAL", ["behavioral"] = "IT.SCOREBEHAVIORAL",
        ["environmental"] = "IT.SCOREENVIRONMENTAL", ["rationale"] = "IT.RATIONALE",
    };

    /// <summary>The items a correction of a session (target <c>session:N</c>) changes, by field.</summary>
    private static readonly Dictionary<string, string> SessionFieldItems = new(StringComparer.Ordinal)
    {
        ["date"] = "IT.SESSIONDATE", ["attendance"] = "IT.ATTENDANCE",
    };

    /// <summary>The items a correction of an event (target <c>event:{id}</c>) changes, by field; <c>type</c> follows <c>serious</c>.</summary>
    private static readonly Dictionary<string, string> EventFieldItems = new(StringComparer.Ordinal)
    {
        ["type"] = "IT.EVENTTYPE", ["occurredOn"] = "IT.OCCURREDON", ["description"] = "IT.DESCRIPTION", ["serious"] = "IT.SERIOUS",
        ["severity"] = "IT.EVENTSEVERITY", ["relatedness"] = "IT.RELATEDNESS", ["expected"] = "IT.EXPECTED", ["outcome"] = "IT.OUTCOME",
        ["resolvedOn"] = "IT.RESOLVEDON",
    };

    /// <summary>
    /// Free text (a rater's rationale, an event's description) is never exported, as in the CSV files: the item is defined
    /// only to carry the audit records of its corrections, with the values left out.
    /// </summary>
    private static readonly HashSet<string> FreeTextItems = new(StringComparer.Ordinal) { "IT.RATIONALE", "IT.DESCRIPTION" };

    /// <summary>A measure's completion date, one item shared by every instrument's group.</summary>
    private const string CompletedOnItem = "IT.COMPLETEDON";

    /// <summary>
    /// The users and locations the audit records of corrections refer to: everyone who corrected a value of the trial,
    /// every site of the trial (the audit record's location is the participant's site).
    /// </summary>
    private async Task WriteAdminDataAsync(XmlWriter xml, Trial trial, string studyOid, CancellationToken cancellationToken)
    {
        var correctors = await db.Corrections.AsNoTracking().Where(c => c.TrialId == trial.Id).Select(c => c.CorrectedBy).Distinct()
            .ToListAsync(cancellationToken);
        await xml.WriteStartElementAsync(null, "AdminData", Namespace);
        await xml.WriteAttributeStringAsync(null, "StudyOID", null, studyOid);
        foreach (var name in correctors.Order(StringComparer.Ordinal))
        {
            await xml.WriteStartElementAsync(null, "User", Namespace);
            await xml.WriteAttributeStringAsync(null, "OID", null, UserOid(name));
            await xml.WriteElementStringAsync(null, "LoginName", Namespace, name);
            await xml.WriteEndElementAsync();
        }

        foreach (var site in trial.Definition.Sites)
        {
            await xml.WriteStartElementAsync(null, "Location", Namespace);
            await xml.WriteAttributeStringAsync(null, "OID", null, LocationOid(site));
            await xml.WriteAttributeStringAsync(null, "Name", null, site);
            await xml.WriteAttributeStringAsync(null, "LocationType", null, "Site");
            await xml.WriteStartElementAsync(null, "MetaDataVersionRef", Namespace);
            await xml.WriteAttributeStringAsync(null, "StudyOID", null, studyOid);
            await xml.WriteAttributeStringAsync(null, "MetaDataVersionOID", null, MetaDataVersionOid);
            await xml.WriteAttributeStringAsync(null, "EffectiveDate", null, ExportText.Date(trial.CreatedAt).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            await xml.WriteEndElementAsync();
            await xml.WriteEndElementAsync();
        }

        await xml.WriteEndElementAsync();
    }

    private static string FormOid(string instrument) => $"F.{instrument}";

    private static string GroupOid(string instrument) => $"IG.{instrument}";

    private static string ItemOid(string instrument, string item) => $"IT.{instrument}.{item}";

    private static string ScaleOid(InstrumentDefinition definition, string scale) => $"CL.{definition.Code}.{scale}";

    private static readonly (string Oid, string Name, string DataType, string? CodeList)[] ScreeningItems =
    [
        ("IT.SITE", "site", "text", "CL.SITE"),
        ("IT.AGEYEARS", "ageYears", "integer", null),
        ("IT.SEVERITY", "severity", "integer", null),
        ("IT.MOTIVATION", "motivation", "integer", null),
        ("IT.EXPECTANCY", "expectancy", "integer", null),
        ("IT.PRIMARYFORMULATION", "primaryFormulation", "text", "CL.FORMULATION"),
        ("IT.EXCLUSIONS", "exclusions", "text", null),
        ("IT.CONSENTVERSION", "consentVersion", "text", null),
        ("IT.CONSENTEDON", "consentedOn", "date", null),
    ];

    private static readonly (string Oid, string Name, string DataType, string? CodeList)[] RatingItems =
    [
        ("IT.RATER", "rater", "text", null),
        ("IT.CONSENSUS", "consensus", "boolean", null),
        ("IT.SCORECOGNITIVE", "cognitive", "integer", "CL.FACTORSCORE"),
        ("IT.SCOREINTERPERSONAL", "interpersonal", "integer", "CL.FACTORSCORE"),
        ("IT.SCOREBEHAVIORAL", "behavioral", "integer", "CL.FACTORSCORE"),
        ("IT.SCOREENVIRONMENTAL", "environmental", "integer", "CL.FACTORSCORE"),
        ("IT.RATIONALE", "rationale (free text, not exported; carries its corrections' audit records)", "text", null),
    ];

    private static readonly (string Oid, string Name, string DataType, string? CodeList)[] SessionItems =
    [
        ("IT.SESSIONDATE", "date", "date", null),
        ("IT.ATTENDANCE", "attendance", "text", "CL.ATTENDANCE"),
    ];

    private static readonly (string Oid, string Name, string DataType, string? CodeList)[] EventItems =
    [
        ("IT.EVENTTYPE", "type", "text", "CL.EVENTTYPE"),
        ("IT.OCCURREDON", "occurredOn", "date", null),
        ("IT.DESCRIPTION", "description (free text, not exported; carries its corrections' audit records)", "text", null),
        ("IT.SERIOUS", "seriousness criteria met (comma-separated, none when none)", "text", null),
        ("IT.EVENTSEVERITY", "severity", "text", "CL.EVENTSEVERITY"),
        ("IT.RELATEDNESS", "relatedness", "text", "CL.RELATEDNESS"),
        ("IT.EXPECTED", "expected", "boolean", null),
        ("IT.OUTCOME", "outcome", "text", "CL.OUTCOME"),
        ("IT.RESOLVEDON", "resolvedOn", "date", null),
    ];

    private static readonly (string Oid, string Name, string DataType, string? CodeList)[] RandomizationItems =
    [
        ("IT.ALLOCFORMULATION", "formulation", "text", "CL.FORMULATION"),
        ("IT.STRATUM", "stratum", "text", null),
        ("IT.SEQUENCE", "sequence", "integer", null),
        ("IT.ARM", "arm", "text", "CL.ARM"),
        ("IT.RANDOMIZEDAT", "randomizedAt", "datetime", null),
    ];

    private async Task WriteMetaDataAsync(XmlWriter xml, Trial trial)
    {
        var instruments = catalogue.All.Select(i => i.Definition).ToList();
        await xml.WriteStartElementAsync(null, "MetaDataVersion", Namespace);
        await xml.WriteAttributeStringAsync(null, "OID", null, MetaDataVersionOid);
        await xml.WriteAttributeStringAsync(null, "Name", null, $"{trial.Id} definition version {trial.DefinitionVersion}");
        await xml.WriteAttributeStringAsync(null, "Description", null, $"Trial definition version {trial.DefinitionVersion}");

        await xml.WriteStartElementAsync(null, "Protocol", Namespace);
        await StudyEventRef(xml, "SE.BASELINE", 1);
        await StudyEventRef(xml, "SE.SESSION", 2);
        await StudyEventRef(xml, VisitEventOid, 3);
        await StudyEventRef(xml, EventsEventOid, 4);
        await xml.WriteEndElementAsync();

        await StudyEventDef(xml, "SE.BASELINE", "Baseline and randomization", repeating: false, ["F.SCREENING", "F.RANDOMIZATION", "F.RATING"]);
        await StudyEventDef(xml, "SE.SESSION", "Therapy session", repeating: true, ["F.SESSION", .. instruments.Select(d => FormOid(d.Code))]);
        // Visits of the trial's schedule: one repeating event keyed by the visit code (StudyEventRepeatKey is text).
        await StudyEventDef(xml, VisitEventOid, "Assessment visit (repeat key: the schedule's visit code)", repeating: true,
            [.. instruments.Select(d => FormOid(d.Code))]);
        await StudyEventDef(xml, EventsEventOid, "Adverse events and protocol deviations", repeating: false, ["F.EVENT"]);

        await FormDef(xml, "F.SCREENING", "Screening and formulation", "IG.SCREENING");
        await FormDef(xml, "F.RANDOMIZATION", "Randomization", "IG.RANDOMIZATION");
        await FormDef(xml, "F.RATING", "Formulation rating (repeat key: the rating's number)", "IG.RATING", repeating: true);
        await FormDef(xml, "F.SESSION", "Session record", "IG.SESSION");
        await FormDef(xml, "F.EVENT", "Event (repeat key: the event's number)", "IG.EVENT", repeating: true);
        foreach (var definition in instruments)
        {
            await FormDef(xml, FormOid(definition.Code), $"{definition.Title} (version {definition.Version})", GroupOid(definition.Code));
        }

        await ItemGroupDef(xml, "IG.SCREENING", "Screening", [.. ScreeningItems.Select(i => i.Oid)]);
        await ItemGroupDef(xml, "IG.RANDOMIZATION", "Randomization", [.. RandomizationItems.Select(i => i.Oid)]);
        await ItemGroupDef(xml, "IG.RATING", "Formulation rating", [.. RatingItems.Select(i => i.Oid)]);
        await ItemGroupDef(xml, "IG.SESSION", "Session record", [.. SessionItems.Select(i => i.Oid)]);
        await ItemGroupDef(xml, "IG.EVENT", "Event", [.. EventItems.Select(i => i.Oid)]);
        foreach (var definition in instruments)
        {
            await ItemGroupDef(xml, GroupOid(definition.Code), definition.Code,
                [.. definition.Items.Select(i => ItemOid(definition.Code, i.Id)), CompletedOnItem]);
        }

        foreach (var (oid, name, dataType, codeList) in ScreeningItems.Concat(RandomizationItems).Concat(RatingItems).Concat(SessionItems).Concat(EventItems))
        {
            await ItemDef(xml, oid, name, dataType, name, codeList);
        }

        await ItemDef(xml, CompletedOnItem, "completedOn", "date", "the date the instrument was completed", null);

        foreach (var definition in instruments)
        {
            var instrument = catalogue.Find(definition.Code, definition.Version)!;
            foreach (var item in definition.Items)
            {
                await ItemDef(xml, ItemOid(definition.Code, item.Id), $"{definition.Code}_{item.Id}", "integer", instrument.LabelOf(item), ScaleOid(definition, item.Scale));
            }
        }

        await CodeList(xml, "CL.SITE", "text", trial.Definition.Sites.Select(s => (s, s)));
        await CodeList(xml, "CL.FORMULATION", "text", Enum.GetValues<Formulation>().Select(f => (f.Wire(), f.Wire())));
        await CodeList(xml, "CL.ARM", "text", trial.Definition.Arms.Select(a => (a.Code.Wire(), a.Code.Wire())));
        await CodeList(xml, "CL.FACTORSCORE", "integer",
            Enumerable.Range(FormulationScores.Min, FormulationScores.Max - FormulationScores.Min + 1).Select(v => (v.ToString(CultureInfo.InvariantCulture), FormulationScores.Anchored(v))));
        await CodeList(xml, "CL.ATTENDANCE", "text", Codes<Domain.Therapy.SessionAttendance>());
        await CodeList(xml, "CL.EVENTTYPE", "text", Codes<ParticipantEventType>());
        await CodeList(xml, "CL.EVENTSEVERITY", "text", Codes<EventSeverity>());
        await CodeList(xml, "CL.RELATEDNESS", "text", Codes<EventRelatedness>());
        await CodeList(xml, "CL.OUTCOME", "text", Codes<EventOutcome>());
        foreach (var definition in instruments)
        {
            foreach (var scale in definition.Scales)
            {
                // Every value of the scale is a coded value, labelled with its anchor where it has one.
                await CodeList(xml, ScaleOid(definition, scale.Code), "integer", Enumerable.Range(scale.Min, scale.Max - scale.Min + 1).Select(v =>
                    (v.ToString(CultureInfo.InvariantCulture), scale.Anchors.FirstOrDefault(a => a.Value == v)?.Label ?? v.ToString(CultureInfo.InvariantCulture))));
            }
        }

        await xml.WriteEndElementAsync(); // MetaDataVersion
    }

    private static IEnumerable<(string, string)> Codes<T>() where T : struct, Enum => Enum.GetValues<T>().Select(v => (v.Wire(), v.Wire()));

    private static async Task StudyEventRef(XmlWriter xml, string oid, int order)
    {
        await xml.WriteStartElementAsync(null, "StudyEventRef", Namespace);
        await xml.WriteAttributeStringAsync(null, "StudyEventOID", null, oid);
        await xml.WriteAttributeStringAsync(null, "OrderNumber", null, order.ToString(CultureInfo.InvariantCulture));
        await xml.WriteAttributeStringAsync(null, "Mandatory", null, "No");
        await xml.WriteEndElementAsync();
    }

    private static async Task StudyEventDef(XmlWriter xml, string oid, string name, bool repeating, IReadOnlyList<string> forms)
    {
        await xml.WriteStartElementAsync(null, "StudyEventDef", Namespace);
        await xml.WriteAttributeStringAsync(null, "OID", null, oid);
        await xml.WriteAttributeStringAsync(null, "Name", null, name);
        await xml.WriteAttributeStringAsync(null, "Repeating", null, repeating ? "Yes" : "No");
        await xml.WriteAttributeStringAsync(null, "Type", null, "Scheduled");
        foreach (var form in forms)
        {
            await xml.WriteStartElementAsync(null, "FormRef", Namespace);
            await xml.WriteAttributeStringAsync(null, "FormOID", null, form);
            await xml.WriteAttributeStringAsync(null, "Mandatory", null, "No");
            await xml.WriteEndElementAsync();
        }

        await xml.WriteEndElementAsync();
    }

    private static async Task FormDef(XmlWriter xml, string oid, string name, string group, bool repeating = false)
    {
        await xml.WriteStartElementAsync(null, "FormDef", Namespace);
        await xml.WriteAttributeStringAsync(null, "OID", null, oid);
        await xml.WriteAttributeStringAsync(null, "Name", null, name);
        await xml.WriteAttributeStringAsync(null, "Repeating", null, repeating ? "Yes" : "No");
        await xml.WriteStartElementAsync(null, "ItemGroupRef", Namespace);
        await xml.WriteAttributeStringAsync(null, "ItemGroupOID", null, group);
        await xml.WriteAttributeStringAsync(null, "Mandatory", null, "Yes");
        await xml.WriteEndElementAsync();
        await xml.WriteEndElementAsync();
    }

    private static async Task ItemGroupDef(XmlWriter xml, string oid, string name, IReadOnlyList<string> items)
    {
        await xml.WriteStartElementAsync(null, "ItemGroupDef", Namespace);
        await xml.WriteAttributeStringAsync(null, "OID", null, oid);
        await xml.WriteAttributeStringAsync(null, "Name", null, name);
        await xml.WriteAttributeStringAsync(null, "Repeating", null, "No");
        foreach (var item in items)
        {
            await xml.WriteStartElementAsync(null, "ItemRef", Namespace);
            await xml.WriteAttributeStringAsync(null, "ItemOID", null, item);
            await xml.WriteAttributeStringAsync(null, "Mandatory", null, "No");
            await xml.WriteEndElementAsync();
        }

        await xml.WriteEndElementAsync();
    }

    private static async Task ItemDef(XmlWriter xml, string oid, string name, string dataType, string question, string? codeList)
    {
        await xml.WriteStartElementAsync(null, "ItemDef", Namespace);
        await xml.WriteAttributeStringAsync(null, "OID", null, oid);
        await xml.WriteAttributeStringAsync(null, "Name", null, name);
        await xml.WriteAttributeStringAsync(null, "DataType", null, dataType);
        await xml.WriteStartElementAsync(null, "Question", Namespace);
        await TranslatedText(xml, question);
        await xml.WriteEndElementAsync();
        if (codeList is not null)
        {
            await xml.WriteStartElementAsync(null, "CodeListRef", Namespace);
            await xml.WriteAttributeStringAsync(null, "CodeListOID", null, codeList);
            await xml.WriteEndElementAsync();
        }

        await xml.WriteEndElementAsync();
    }

    private static async Task CodeList(XmlWriter xml, string oid, string dataType, IEnumerable<(string Value, string Decode)> items)
    {
        await xml.WriteStartElementAsync(null, "CodeList", Namespace);
        await xml.WriteAttributeStringAsync(null, "OID", null, oid);
        await xml.WriteAttributeStringAsync(null, "Name", null, oid);
        await xml.WriteAttributeStringAsync(null, "DataType", null, dataType);
        foreach (var (value, decode) in items)
        {
            await xml.WriteStartElementAsync(null, "CodeListItem", Namespace);
            await xml.WriteAttributeStringAsync(null, "CodedValue", null, value);
            await xml.WriteStartElementAsync(null, "Decode", Namespace);
            await TranslatedText(xml, decode);
            await xml.WriteEndElementAsync();
            await xml.WriteEndElementAsync();
        }

        await xml.WriteEndElementAsync();
    }

    private static async Task TranslatedText(XmlWriter xml, string text)
    {
        await xml.WriteStartElementAsync(null, "TranslatedText", Namespace);
        await xml.WriteAttributeStringAsync("xml", "lang", null, "en");
        await xml.WriteStringAsync(text);
        await xml.WriteEndElementAsync();
    }

    private async Task WriteSubjectsAsync(XmlWriter xml, Trial trial, List<Participant> page, CancellationToken cancellationToken)
    {
        if (page.Count == 0)
        {
            return;
        }

        var ids = page.Select(p => p.Id).ToList();
        var allocations = await db.Allocations.AsNoTracking().Where(a => ids.Contains(a.ParticipantId))
            .Select(a => new { a.ParticipantId, a.Formulation, a.Stratum, a.Sequence, a.Arm, a.RandomizedAt })
            .ToDictionaryAsync(a => a.ParticipantId, StringComparer.Ordinal, cancellationToken);
        var measures = (await db.Measures.AsNoTracking().Where(m => ids.Contains(m.ParticipantId))
                .Select(m => new MeasureRow(m.Id, m.ParticipantId, m.Instrument, m.Version, m.Session, m.Visit, m.CompletedOn, m.Answers)).ToListAsync(cancellationToken))
            .ToLookup(m => m.ParticipantId, StringComparer.Ordinal);
        // Corrections, oldest first, by participant, target and field: each becomes the audit record of the item it changed.
        var corrections = (await db.Corrections.AsNoTracking().Where(c => ids.Contains(c.ParticipantId))
                .Select(c => new CorrectionRecord(c.ParticipantId, c.Target, c.Field, c.OldValue, c.NewValue, c.Reason, c.CorrectedBy, c.CorrectedAt))
                .ToListAsync(cancellationToken))
            .OrderBy(c => c.CorrectedAt)
            .ToLookup(c => (c.ParticipantId, c.Target, c.Field));

        foreach (var participant in page)
        {
            await xml.WriteStartElementAsync(null, "SubjectData", Namespace);
            await xml.WriteAttributeStringAsync(null, "SubjectKey", null, participant.Id);
            await xml.WriteStartElementAsync(null, "StudyEventData", Namespace);
            await xml.WriteAttributeStringAsync(null, "StudyEventOID", null, "SE.BASELINE");
            var site = participant.Site;

            // The corrections of one target, each on the item its field names (the maps above).
            Func<string, IReadOnlyList<CorrectionRecord>?> Corrected(string target, IReadOnlyDictionary<string, string> fieldItems)
            {
                var byItem = fieldItems.ToDictionary(f => f.Value, f => f.Key, StringComparer.Ordinal);
                return item => byItem.TryGetValue(item, out var field) ? [.. corrections[(participant.Id, target, field)]] : null;
            }

            await Form(xml, "F.SCREENING", "IG.SCREENING",
            [
                ("IT.SITE", participant.Site), ("IT.AGEYEARS", ExportText.Int(participant.AgeYears)), ("IT.SEVERITY", ExportText.Int(participant.Severity)),
                ("IT.MOTIVATION", ExportText.Int(participant.Motivation)), ("IT.EXPECTANCY", ExportText.Int(participant.Expectancy)),
                ("IT.PRIMARYFORMULATION", participant.PrimaryFormulation?.Wire() ?? string.Empty),
                ("IT.EXCLUSIONS", participant.Exclusions.Count == 0 ? "none" : string.Join(",", participant.Exclusions)),
                ("IT.CONSENTVERSION", participant.ConsentVersion ?? string.Empty), ("IT.CONSENTEDON", OdmDate(participant.ConsentedOn)),
            ], site, Corrected(Correction.ParticipantTarget, ParticipantFieldItems));
            if (allocations.TryGetValue(participant.Id, out var a))
            {
                await Form(xml, "F.RANDOMIZATION", "IG.RANDOMIZATION",
                [
                    ("IT.ALLOCFORMULATION", a.Formulation.Wire()), ("IT.STRATUM", a.Stratum), ("IT.SEQUENCE", ExportText.Int(a.Sequence)),
                    ("IT.ARM", a.Arm.Wire()), ("IT.RANDOMIZEDAT", ExportText.Instant(a.RandomizedAt)),
                ]);
            }

            foreach (var r in participant.Ratings.OrderBy(r => r.Number))
            {
                await Form(xml, "F.RATING", "IG.RATING",
                [
                    ("IT.RATER", r.Rater), ("IT.CONSENSUS", ExportText.Bool(r.Consensus)),
                    ("IT.SCORECOGNITIVE", ExportText.Int(r.Scores.Cognitive)), ("IT.SCOREINTERPERSONAL", ExportText.Int(r.Scores.Interpersonal)),
                    ("IT.SCOREBEHAVIORAL", ExportText.Int(r.Scores.Behavioral)), ("IT.SCOREENVIRONMENTAL", ExportText.Int(r.Scores.Environmental)),
                    ("IT.RATIONALE", string.Empty),
                ], site, Corrected($"rating:{r.Number}", RatingFieldItems), ExportText.Int(r.Number));
            }

            await xml.WriteEndElementAsync();

            // Sessions in number order (the session record, then its instruments), then visits by code: the same order on every database.
            var sessions = participant.Sessions.ToDictionary(s => s.Number);
            var events = measures[participant.Id]
                .Select(m => (Measure: (MeasureRow?)m, Key: m.Session is { } n ? ("SE.SESSION", n.ToString(CultureInfo.InvariantCulture), n) : (VisitEventOid, m.Visit!, int.MaxValue)))
                .Concat(sessions.Keys.Select(n => (Measure: (MeasureRow?)null, Key: ("SE.SESSION", n.ToString(CultureInfo.InvariantCulture), n))))
                .GroupBy(m => m.Key, m => m.Measure)
                .OrderBy(g => g.Key.Item3).ThenBy(g => g.Key.Item2, StringComparer.Ordinal);
            foreach (var studyEvent in events)
            {
                await xml.WriteStartElementAsync(null, "StudyEventData", Namespace);
                await xml.WriteAttributeStringAsync(null, "StudyEventOID", null, studyEvent.Key.Item1);
                await xml.WriteAttributeStringAsync(null, "StudyEventRepeatKey", null, studyEvent.Key.Item2);
                if (studyEvent.Key.Item1 == "SE.SESSION" && sessions.TryGetValue(studyEvent.Key.Item3, out var session))
                {
                    await Form(xml, "F.SESSION", "IG.SESSION",
                        [("IT.SESSIONDATE", OdmDate(session.Date)), ("IT.ATTENDANCE", session.Attendance.Wire())],
                        site, Corrected($"session:{session.Number}", SessionFieldItems));
                }

                foreach (var m in studyEvent.OfType<MeasureRow>().OrderBy(m => m.Instrument, StringComparer.Ordinal))
                {
                    var definition = catalogue.Find(m.Instrument, m.Version)?.Definition;
                    var items = definition?.Items.Select(i => i.Id) ?? m.Answers.Keys.Order(StringComparer.Ordinal);
                    var target = $"measure:{m.Id}";
                    await Form(xml, FormOid(m.Instrument), GroupOid(m.Instrument),
                        [.. items.Where(m.Answers.ContainsKey).Select(i => (ItemOid(m.Instrument, i), ExportText.Int(m.Answers[i]))), (CompletedOnItem, OdmDate(m.CompletedOn))],
                        site, item => item == CompletedOnItem
                            ? [.. corrections[(participant.Id, target, "completedOn")]]
                            : [.. corrections[(participant.Id, target, "items." + item[(item.LastIndexOf('.') + 1)..])]]);
                }

                await xml.WriteEndElementAsync();
            }

            if (participant.Events.Count > 0)
            {
                await xml.WriteStartElementAsync(null, "StudyEventData", Namespace);
                await xml.WriteAttributeStringAsync(null, "StudyEventOID", null, EventsEventOid);
                foreach (var e in participant.Events.OrderBy(e => e.Number))
                {
                    await Form(xml, "F.EVENT", "IG.EVENT",
                    [
                        ("IT.EVENTTYPE", e.Type.Wire()), ("IT.OCCURREDON", OdmDate(e.OccurredOn)), ("IT.DESCRIPTION", string.Empty),
                        ("IT.SERIOUS", e.Serious is null ? string.Empty : e.Serious.Count == 0 ? "none" : string.Join(",", e.Serious.Select(c => c.Wire()))),
                        ("IT.EVENTSEVERITY", e.Severity?.Wire() ?? string.Empty), ("IT.RELATEDNESS", e.Relatedness?.Wire() ?? string.Empty),
                        ("IT.EXPECTED", ExportText.Bool(e.Expected)), ("IT.OUTCOME", e.Outcome?.Wire() ?? string.Empty), ("IT.RESOLVEDON", OdmDate(e.ResolvedOn)),
                    ], site, Corrected($"event:{e.Id}", EventFieldItems), ExportText.Int(e.Number));
                }

                await xml.WriteEndElementAsync();
            }

            await xml.WriteEndElementAsync(); // SubjectData
        }

        await xml.FlushAsync();
    }

    private static string OdmDate(DateOnly? date) => date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? string.Empty;

    /// <summary>
    /// One form with one item group; an empty value (not recorded) writes no ItemData unless the item was corrected (then
    /// IsNull, so its audit trail is kept: a value cleared, or free text that is never exported). A corrected item carries
    /// the audit record of its latest correction (who, where, when, why) and one annotation per correction with the value
    /// before and after it: the first one's is the value as originally entered.
    /// </summary>
    private static async Task Form(
        XmlWriter xml, string form, string group, IReadOnlyList<(string Item, string Value)> items, string? site = null,
        Func<string, IReadOnlyList<CorrectionRecord>?>? corrections = null, string? repeatKey = null)
    {
        await xml.WriteStartElementAsync(null, "FormData", Namespace);
        await xml.WriteAttributeStringAsync(null, "FormOID", null, form);
        if (repeatKey is not null)
        {
            await xml.WriteAttributeStringAsync(null, "FormRepeatKey", null, repeatKey);
        }

        await xml.WriteStartElementAsync(null, "ItemGroupData", Namespace);
        await xml.WriteAttributeStringAsync(null, "ItemGroupOID", null, group);
        foreach (var (item, value) in items)
        {
            var corrected = corrections?.Invoke(item) ?? [];
            if (value.Length == 0 && corrected.Count == 0)
            {
                continue;
            }

            await xml.WriteStartElementAsync(null, "ItemData", Namespace);
            await xml.WriteAttributeStringAsync(null, "ItemOID", null, item);
            if (value.Length > 0)
            {
                await xml.WriteAttributeStringAsync(null, "Value", null, value);
            }
            else
            {
                await xml.WriteAttributeStringAsync(null, "IsNull", null, "Yes");
            }

            if (corrected.Count > 0)
            {
                await AuditRecord(xml, corrected[^1], site!);
                var freeText = FreeTextItems.Contains(item);
                for (var i = 0; i < corrected.Count; i++)
                {
                    var c = corrected[i];
                    await xml.WriteStartElementAsync(null, "Annotation", Namespace);
                    await xml.WriteAttributeStringAsync(null, "SeqNum", null, (i + 1).ToString(CultureInfo.InvariantCulture));
                    await xml.WriteStartElementAsync(null, "Comment", Namespace);
                    await xml.WriteAttributeStringAsync(null, "SponsorOrSite", null, "Site");
                    await xml.WriteStringAsync(freeText
                        ? $"Corrected {ExportText.Instant(c.CorrectedAt)} by {c.CorrectedBy}: free text, its values not exported. Reason: {c.Reason}"
                        : $"Corrected {ExportText.Instant(c.CorrectedAt)} by {c.CorrectedBy}: original value {Plain(c.OldValue)}, corrected value {Plain(c.NewValue)}. Reason: {c.Reason}");
                    await xml.WriteEndElementAsync();
                    await xml.WriteEndElementAsync();
                }
            }

            await xml.WriteEndElementAsync();
        }

        await xml.WriteEndElementAsync();
        await xml.WriteEndElementAsync();
    }

    private static async Task AuditRecord(XmlWriter xml, CorrectionRecord correction, string site)
    {
        await xml.WriteStartElementAsync(null, "AuditRecord", Namespace);
        await xml.WriteAttributeStringAsync(null, "EditPoint", null, "DataManagement");
        await xml.WriteAttributeStringAsync(null, "UsedImputationMethod", null, "No");
        await xml.WriteStartElementAsync(null, "UserRef", Namespace);
        await xml.WriteAttributeStringAsync(null, "UserOID", null, UserOid(correction.CorrectedBy));
        await xml.WriteEndElementAsync();
        await xml.WriteStartElementAsync(null, "LocationRef", Namespace);
        await xml.WriteAttributeStringAsync(null, "LocationOID", null, LocationOid(site));
        await xml.WriteEndElementAsync();
        await xml.WriteElementStringAsync(null, "DateTimeStamp", Namespace, ExportText.Instant(correction.CorrectedAt));
        await xml.WriteElementStringAsync(null, "ReasonForChange", Namespace, correction.Reason);
        await xml.WriteEndElementAsync();
    }

    /// <summary>A correction's JSON value as text: a string without its quotes, a number as written, null as "none".</summary>
    private static string Plain(string? json)
    {
        var value = json is null ? default : System.Text.Json.JsonDocument.Parse(json).RootElement;
        return value.ValueKind switch
        {
            System.Text.Json.JsonValueKind.Undefined or System.Text.Json.JsonValueKind.Null => "none",
            System.Text.Json.JsonValueKind.String => value.GetString()!,
            System.Text.Json.JsonValueKind.Array => value.GetArrayLength() == 0 ? "none" : string.Join(",", value.EnumerateArray().Select(Plain)),
            _ => value.GetRawText(),
        };
    }

    private static string Plain(System.Text.Json.JsonElement element) =>
        element.ValueKind == System.Text.Json.JsonValueKind.String ? element.GetString()! : element.GetRawText();

    private sealed record CorrectionRecord(
        string ParticipantId, string Target, string Field, string? OldValue, string? NewValue, string Reason, string CorrectedBy, DateTimeOffset CorrectedAt);

    private sealed record MeasureRow(
        Guid Id, string ParticipantId, string Instrument, string Version, int? Session, string? Visit, DateOnly CompletedOn, IReadOnlyDictionary<string, int> Answers);
}
