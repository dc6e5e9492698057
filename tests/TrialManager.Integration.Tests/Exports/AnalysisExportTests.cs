using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using TrialManager.Integration.Tests.Api;
using TrialManager.Integration.Tests.Documents;
using TrialManager.Integration.Tests.Harness;

namespace TrialManager.Integration.Tests.Exports;

/// <summary>GET /api/trials/{id}/export, POST /api/trials/{id}/freezes and GET /api/freezes/{id}/export over HTTP.</summary>
public abstract partial class AnalysisExportTests(TrialServer server)
{
    private const string Private = "PRIVATE-NOTE-";
    private static readonly string Today = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static readonly string[] Files =
    [
        "participants.csv", "ratings.csv", "allocations.csv", "sessions.csv", "item_responses.csv", "scores.csv", "visits.csv", "events.csv", "corrections.csv",
        "codebook.csv", "codebook.html", "analysis.R", "manifest.json",
    ];

    private HttpClient Therapist => server.Client("dev-therapist");

    /// <summary>
    /// A trial with a hypothesis: one participant in therapy (two sessions, a PHQ-9 and an alliance form, an adverse event),
    /// one randomized and withdrawn, one screen failure; free text in every place a coordinator may type it.
    /// </summary>
    private async Task<(string TrialId, string InTherapy, string Withdrawn)> TrialWithDataAsync()
    {
        var definition = TestTrials.Definition();
        definition["hypothesis"] = new Dictionary<string, string?> { ["cognitive"] = "moderator", ["interpersonal"] = "mediator" };
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Admin.PostJsonAsync("/api/trials", definition));
        var trialId = (string)definition["id"]!;
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await server.Admin.PostJsonAsync($"/api/trials/{trialId}/status", new { status = "recruiting" }));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Admin.PostJsonAsync($"/api/trials/{trialId}/therapists",
            new { code = "dev-therapist", site = "AAA", arms = new[] { "mediator", "moderator" } }));

        var id = (await DocumentSupport.RandomizedParticipantAsync(server, trialId)).GetProperty("participantId").GetString()!;
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await server.Coordinator.PostJsonAsync($"/api/participants/{id}/therapist", new { therapist = "dev-therapist" }));
        foreach (var (number, attendance) in new[] { (1, "attended"), (2, "noShow") })
        {
            await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await Therapist.PostJsonAsync($"/api/participants/{id}/sessions", new { number, date = Today, attendance }));
        }

        var phq9 = Enumerable.Range(1, 9).ToDictionary(i => i.ToString(CultureInfo.InvariantCulture), i => new[] { 2, 2, 1, 1, 2, 1, 1, 0, 1 }[i - 1]);
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Coordinator.PostJsonAsync($"/api/participants/{id}/measures",
            new { instrument = "phq9", session = 1, completedOn = Today, items = phq9 }));
        var alliance = Enumerable.Range(1, 12).ToDictionary(i => i.ToString(CultureInfo.InvariantCulture), i => 1 + (i % 5));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await Therapist.PostJsonAsync($"/api/participants/{id}/measures",
            new { instrument = "alliance12", session = 1, completedOn = Today, items = alliance }));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Coordinator.PostJsonAsync($"/api/participants/{id}/events",
            TestEvents.Body("adverseEvent", Today, Private + "event")));

        var withdrawn = (await DocumentSupport.RandomizedParticipantAsync(server, trialId, site: "BBB", lead: "interpersonal")).GetProperty("participantId").GetString()!;
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await server.Coordinator.PostJsonAsync($"/api/participants/{withdrawn}/withdrawal",
            new { category = "movedAway", reason = Private + "withdrawal" }));
        var failed = await server.Coordinator.PostJsonAsync($"/api/trials/{trialId}/participants",
            new { site = "AAA", ageYears = 10, severity = 15, exclusions = new[] { "psychosis" }, motivation = 3 });
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, failed);
        return (trialId, id, withdrawn);
    }

    private async Task<ExportZip> DownloadAsync(string path)
    {
        var response = await server.Statistician.GetAsync(path);
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, response);
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        return new ExportZip(await response.Content.ReadAsByteArrayAsync());
    }

    [ServerFact]
    public async Task Export_HoldsEveryFile_TheCodebookDocumentsExactlyTheirColumns_AndTheManifestTheirHashes()
    {
        var (trialId, id, withdrawn) = await TrialWithDataAsync();

        var zip = await DownloadAsync($"/api/trials/{trialId}/export");

        Assert.Equal(Files, zip.Entries.Keys);
        var (codebookHeader, codebook) = zip.Csv("codebook.csv");
        Assert.Equal(["file", "variable", "label", "type", "unit", "values", "missing", "role", "derivation", "source"], codebookHeader);
        var documented = codebook.Select(r => $"{r["file"]}:{r["variable"]}").ToList();
        Assert.Equal(documented.Count, documented.Distinct().Count());
        var columns = Files.Where(f => f.EndsWith(".csv", StringComparison.Ordinal) && f != "codebook.csv")
            .SelectMany(f => zip.Csv(f).Header.Select(c => $"{f}:{c}")).ToList();
        Assert.Equal(columns, documented);
        Assert.All(codebook, r =>
        {
            Assert.Contains(r["role"], new[] { "id", "baseline", "process", "outcome", "design" });
            Assert.False(string.IsNullOrWhiteSpace(r["label"]), r["variable"]);
            Assert.False(string.IsNullOrWhiteSpace(r["type"]), r["variable"]);
        });
        var html = zip.Text("codebook.html");
        Assert.All(codebook, r => Assert.Contains($"<td>{r["variable"]}</td>", html, StringComparison.Ordinal));

        // The pre-specified analysis, with this trial's parameters from its definition (run on the demo trial by DemoAnalysisTests).
        var script = zip.Text("analysis.R");
        Assert.Contains($"trial_id <- \"{trialId}\"\n", script, StringComparison.Ordinal);
        Assert.Contains("arms <- c(\"mediator\", \"moderator\")\n", script, StringComparison.Ordinal);
        Assert.Contains("hypothesis <- c(\"cognitive\" = \"moderator\", \"interpersonal\" = \"mediator\")\n", script, StringComparison.Ordinal);
        Assert.DoesNotContain("#@TRIAL PARAMETERS@", script, StringComparison.Ordinal);

        // The manifest: every other file with its SHA-256 and, for the tables, its row count.
        var manifest = zip.Manifest;
        Assert.Equal(trialId, manifest.GetProperty("trialId").GetString());
        var listed = manifest.GetProperty("files").EnumerateArray().ToList();
        Assert.Equal(Files.Where(f => f != "manifest.json"), listed.Select(f => f.GetProperty("name").GetString()));
        foreach (var file in listed)
        {
            var name = file.GetProperty("name").GetString()!;
            Assert.Equal(ExportZip.Sha256(zip.Entries[name]), file.GetProperty("sha256").GetString());
            if (name.EndsWith(".csv", StringComparison.Ordinal))
            {
                Assert.Equal(zip.Csv(name).Rows.Count, file.GetProperty("rows").GetInt32());
            }
        }

        var takenAt = DateTimeOffset.Parse(manifest.GetProperty("takenAt").GetString()!, CultureInfo.InvariantCulture);
        Assert.InRange(takenAt, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));

        // The data: study ids only, no free text, no randomization restriction, the hypothesis' matched flag.
        var participants = zip.Csv("participants.csv").Rows;
        Assert.Equal(3, participants.Count);
        Assert.Equal(participants.Select(p => p["participantId"]).Order(StringComparer.Ordinal), participants.Select(p => p["participantId"]));
        Assert.All(participants, p => Assert.StartsWith(trialId + "-", p["participantId"], StringComparison.Ordinal));
        var treated = participants.Single(p => p["participantId"] == id);
        Assert.Equal(["randomized", "true", "4", "cognitive", "first", "dev-therapist", "0"],
            [treated["status"], treated["randomized"], treated["formulation_cognitive"], treated["primaryFormulation"], treated["formulationDecidedBy"], treated["therapist"], treated["screeningDay"]]);
        var screenFailed = participants.Single(p => p["status"] == "screenFailed");
        Assert.Equal(["true", "false", "3", "", ""], [screenFailed["exclusion_psychosis"], screenFailed["exclusion_bipolar"], screenFailed["motivation"], screenFailed["expectancy"], screenFailed["screeningDay"]]);
        Assert.Equal("movedAway", participants.Single(p => p["participantId"] == withdrawn)["withdrawalCategory"]);

        var allocations = zip.Csv("allocations.csv");
        Assert.DoesNotContain("block", allocations.Header);
        Assert.DoesNotContain("blockSize", allocations.Header);
        Assert.All(allocations.Rows, a => Assert.Equal(
            (a["formulation"], a["arm"]) is ("cognitive", "moderator") or ("interpersonal", "mediator") ? "true" : "false", a["matched"]));
        Assert.Equal(2, allocations.Rows.Count);
        Assert.All(allocations.Rows, a => Assert.Equal(("false", "false"), (a["misStratified"], a["ineligibleAfterRandomization"])));

        var ratings = zip.Csv("ratings.csv").Rows;
        Assert.Equal(2, ratings.Count);
        Assert.All(ratings, r => Assert.Equal(["R01", "true", "notRequired", "true"], [r["rater"], r["blinded"], r["certification"], r["enteredOnBehalf"]]));

        Assert.Equal([("1", "attended", "0"), ("2", "noShow", "0")], zip.Csv("sessions.csv").Rows.Select(s => (s["session"], s["attendance"], s["sessionDay"])));
        var scores = zip.Csv("scores.csv").Rows;
        Assert.Equal(["alliance12", "phq9"], scores.Select(s => s["instrument"]));
        Assert.Equal(["11", "moderate", "false"], [scores[1]["total"], scores[1]["band"], scores[1]["prorated"]]);
        Assert.NotEqual(string.Empty, scores[0]["subscale_bond"]);
        var items = zip.Csv("item_responses.csv").Rows;
        Assert.Equal(21, items.Count);
        Assert.Equal(Enumerable.Range(1, 9).Select(i => i.ToString(CultureInfo.InvariantCulture)), items.Where(i => i["instrument"] == "phq9").Select(i => i["item"]));
        Assert.All(items, i => Assert.Equal(scores.Single(s => s["instrument"] == i["instrument"])["measureId"], i["measureId"]));
        Assert.Equal([("adverseEvent", "0")], zip.Csv("events.csv").Rows.Select(e => (e["type"], e["occurredDay"])));
        // The safety fields coded, one boolean per seriousness criterion; no free text.
        Assert.Equal(
            [("false", "false", "false", "mild", "unlikely", "false", "recovering", "", "", "false")],
            zip.Csv("events.csv").Rows.Select(e => (e["serious"], e["serious_hospitalisation"], e["serious_death"], e["severity"], e["relatedness"],
                e["expected"], e["outcome"], e["resolvedDay"], e["reviewed"], e["fromAlert"])));
        Assert.Empty(zip.Csv("visits.csv").Rows);

        foreach (var (name, bytes) in zip.Entries)
        {
            var text = System.Text.Encoding.UTF8.GetString(bytes);
            Assert.DoesNotContain(Private, text, StringComparison.Ordinal);
            // The only GUIDs are the measure ids that the measures API documents.
            var guids = Guid().Matches(text).Select(m => m.Value).ToHashSet();
            Assert.Subset(scores.Select(s => s["measureId"]).ToHashSet(), guids);
        }
    }

    [ServerFact]
    public async Task Export_MeasureFiles_AreByteForByteThoseEachTableReadingAloneWrites()
    {
        var (trialId, _, _) = await TrialWithDataAsync();
        var zip = await DownloadAsync($"/api/trials/{trialId}/export");
        Assert.NotEmpty(zip.Csv("scores.csv").Rows);
        MeasureFilesReadAlone.AssertEqual(await MeasureFilesReadAlone.RenderAsync(server, trialId), zip);
    }

    [ServerFact]
    public async Task Freeze_DownloadsTheSameBytesEveryTime_AlsoAfterMoreDataIsRecorded()
    {
        var (trialId, id, _) = await TrialWithDataAsync();

        var frozen = await server.Statistician.PostJsonAsync($"/api/trials/{trialId}/freezes", null);
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, frozen);
        var body = await frozen.JsonAsync();
        var freezeId = body.GetProperty("id").GetString()!;
        var sha256 = body.GetProperty("sha256").GetString()!;
        var frozenAt = body.GetProperty("frozenAt").GetDateTimeOffset();
        Assert.Equal($"/api/freezes/{freezeId}/export", frozen.Headers.Location!.OriginalString);

        var first = await DownloadAsync($"/api/freezes/{freezeId}/export");
        Assert.Equal(sha256, ExportZip.Sha256(first.Bytes));
        Assert.Equal(frozenAt, DateTimeOffset.Parse(first.Manifest.GetProperty("takenAt").GetString()!, CultureInfo.InvariantCulture));
        Assert.Equal(freezeId, first.Manifest.GetProperty("freezeId").GetString());
        Assert.All(first.Stamps.Values, stamp => Assert.InRange((frozenAt - stamp).Duration(), TimeSpan.Zero, TimeSpan.FromDays(1)));

        // More data after the freeze: a session, a measure, a withdrawal.
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await Therapist.PostJsonAsync($"/api/participants/{id}/sessions", new { number = 3, date = Today, attendance = "attended" }));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await server.Coordinator.PostJsonAsync($"/api/participants/{id}/withdrawal", new { category = "other", reason = "x" }));

        var again = await DownloadAsync($"/api/freezes/{freezeId}/export");
        Assert.Equal(first.Bytes, again.Bytes);
        var live = await DownloadAsync($"/api/trials/{trialId}/export");
        Assert.Equal(3, live.Csv("sessions.csv").Rows.Count);
        Assert.Equal(2, again.Csv("sessions.csv").Rows.Count);

        // The freeze is an audited event carrying the export's hash.
        var trail = await (await server.Admin.GetAsync($"/api/audit?trialId={trialId}&limit=1000")).Content.ReadAsStringAsync();
        Assert.Contains("FreezeTrial", trail, StringComparison.Ordinal);
        Assert.Contains(sha256, trail, StringComparison.Ordinal);
    }

    [ServerFact]
    public async Task Export_OfAnUnknownTrialOrFreeze_Is404_AndAnUnofferedFormatIsA400()
    {
        var trialId = await TestTrials.CreateAsync(server, recruiting: true);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Statistician.GetAsync("/api/trials/no-such-trial/export")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Statistician.PostJsonAsync("/api/trials/no-such-trial/freezes", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Statistician.GetAsync($"/api/freezes/{System.Guid.NewGuid()}/export")).StatusCode);
        (await ProblemAssertions.Assert400Async(await server.Statistician.GetAsync($"/api/trials/{trialId}/export?format=sas"))).AssertNames("format");
        var frozen = await (await server.Statistician.PostJsonAsync($"/api/trials/{trialId}/freezes", null)).JsonAsync();
        (await ProblemAssertions.Assert400Async(await server.Statistician.GetAsync($"/api/freezes/{frozen.GetProperty("id").GetString()}/export?format=odm"))).AssertNames("format");

        // A trial with nobody screened yet still exports every file, each CSV with its header.
        var empty = await DownloadAsync($"/api/trials/{trialId}/export?format=zip");
        Assert.Equal(Files, empty.Entries.Keys);
        Assert.Empty(empty.Csv("participants.csv").Rows);
    }

    [ServerFact]
    public async Task Odm_EveryOidReferencedIsDefined_EveryCodedValueIsInItsCodeList_AndEverySubjectsDataIsThere()
    {
        var (trialId, id, withdrawn) = await TrialWithDataAsync();
        // Corrections (a screening answer, twice, and a PHQ-9 item) and an amendment: the ODM carries both.
        foreach (var (value, reason) in new[] { (16, "transcription error"), (17, "second look at the form") })
        {
            await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Coordinator.PostJsonAsync($"/api/participants/{id}/corrections",
                new { field = "severity", value, reason }));
        }

        var phq9Id = (await (await server.Coordinator.GetAsync($"/api/participants/{id}/measures")).JsonAsync()).EnumerateArray()
            .Single(m => m.GetProperty("instrument").GetString() == "phq9").GetProperty("id").GetString();
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Coordinator.PostJsonAsync($"/api/participants/{id}/corrections",
            new { target = $"measure:{phq9Id}", field = "items.2", value = 3, reason = "misread the form" }));
        // One correction of every other kind, each by the role that enters it: the consent, a rating, a session (by its
        // therapist), a measure's date, an event's code and its description (free text: its values are never exported).
        var eventId = (await (await server.Coordinator.GetAsync($"/api/participants/{id}")).JsonAsync()).GetProperty("events")[0].GetProperty("id").GetString();
        var tomorrow = DateTime.UtcNow.AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        foreach (var (client, target, field, value, reason) in new (HttpClient, string, string, object, string)[]
        {
            (server.Coordinator, "participant", "consentedOn", "2026-11-21", "the consent form is dated the 21st"),
            (server.Coordinator, "rating:1", "behavioral", 1, "the paper rating sheet was misread"),
            (Therapist, "session:2", "attendance", "cancelled", "cancelled by phone, not a no-show"),
            (server.Coordinator, $"measure:{phq9Id}", "completedOn", tomorrow, "completed the next morning"),
            (server.Coordinator, $"event:{eventId}", "severity", "moderate", "graded again at the review"),
            (server.Coordinator, $"event:{eventId}", "description", Private + "corrected", "the wording named the wrong drug"),
        })
        {
            await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await client.PostJsonAsync($"/api/participants/{id}/corrections",
                new { target, field, value, reason }));
        }

        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Admin.PostJsonAsync($"/api/trials/{trialId}/amendments", new
        {
            version = "1.1", effectiveOn = "2026-12-05", ethicsApproval = new { reference = "IRB-2026-114", date = "2026-12-04" }, changes = new { targetEnrollment = 300 },
        }));

        var response = await server.Statistician.GetAsync($"/api/trials/{trialId}/export?format=odm");
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, response);
        Assert.Equal("application/xml", response.Content.Headers.ContentType?.MediaType);
        var odm = XDocument.Parse(await response.Content.ReadAsStringAsync());
        XNamespace ns = "http://www.cdisc.org/ns/odm/v1.3";
        Assert.Equal(ns + "ODM", odm.Root!.Name);
        Assert.Equal("1.3.2", (string?)odm.Root.Attribute("ODMVersion"));

        // Every OID referenced (any attribute named ...OID other than the definition's own) is defined exactly once.
        var defined = odm.Descendants().Select(e => (string?)e.Attribute("OID")).OfType<string>().ToList();
        Assert.Equal(defined.Count, defined.Distinct().Count());
        var referenced = odm.Descendants().SelectMany(e => e.Attributes()).Where(a => a.Name.LocalName.EndsWith("OID", StringComparison.Ordinal) && a.Name.LocalName != "OID" && a.Name.LocalName != "FileOID")
            .Select(a => a.Value).Distinct().ToList();
        Assert.Empty(referenced.Except(defined));

        // One form per instrument, with its items; every coded value of the data in the item's code list.
        foreach (var code in new[] { "phq9", "gad7", "alliance12", "ruptureLog" })
        {
            Assert.Contains($"F.{code}", defined);
        }

        var codeLists = odm.Descendants(ns + "CodeList").ToDictionary(c => (string)c.Attribute("OID")!, c => c.Elements(ns + "CodeListItem").Select(i => (string)i.Attribute("CodedValue")!).ToHashSet());
        var itemCodeList = odm.Descendants(ns + "ItemDef").Where(d => d.Element(ns + "CodeListRef") is not null)
            .ToDictionary(d => (string)d.Attribute("OID")!, d => (string)d.Element(ns + "CodeListRef")!.Attribute("CodeListOID")!);
        var groupItems = odm.Descendants(ns + "ItemGroupDef").ToDictionary(g => (string)g.Attribute("OID")!, g => g.Elements(ns + "ItemRef").Select(r => (string)r.Attribute("ItemOID")!).ToHashSet());
        var data = odm.Descendants(ns + "ItemData").ToList();
        Assert.NotEmpty(data);
        foreach (var item in data)
        {
            var oid = (string)item.Attribute("ItemOID")!;
            Assert.Contains(oid, groupItems[(string)item.Parent!.Attribute("ItemGroupOID")!]);
            // An item without a value is one whose corrections are kept although it holds none (cleared, or free text).
            Assert.True(item.Attribute("Value") is not null || ((string?)item.Attribute("IsNull") == "Yes" && item.Element(ns + "AuditRecord") is not null), oid);
            if (itemCodeList.TryGetValue(oid, out var list) && (string?)item.Attribute("Value") is { } coded)
            {
                Assert.Contains(coded, codeLists[list]);
            }
        }

        var subjects = odm.Descendants(ns + "SubjectData").ToDictionary(s => (string)s.Attribute("SubjectKey")!);
        Assert.Equal(3, subjects.Count);
        Assert.Contains(withdrawn, subjects.Keys);
        var treated = subjects[id];
        Assert.Equal(21, treated.Descendants(ns + "ItemData").Count(d => ((string)d.Attribute("ItemOID")!).Count(c => c == '.') == 2));
        // Both sessions, the second (a no-show) with its record and no instrument.
        Assert.Equal(["1", "2"], treated.Elements(ns + "StudyEventData").Where(e => (string?)e.Attribute("StudyEventOID") == "SE.SESSION").Select(e => (string)e.Attribute("StudyEventRepeatKey")!));
        Assert.DoesNotContain(Private, odm.ToString(), StringComparison.Ordinal);

        // The definition version, and corrections as audit records on the corrected item: who (a defined user), where (the
        // participant's site, a defined location), when, why; and the original value in the annotations.
        Assert.Equal("Trial definition version 1.1", (string?)odm.Descendants(ns + "MetaDataVersion").Single().Attribute("Description"));
        Assert.Equal("1.1", (await DownloadAsync($"/api/trials/{trialId}/export")).Manifest.GetProperty("definitionVersion").GetString());
        Assert.Equal("dev-coordinator", (string?)odm.Descendants(ns + "User").Single(u => (string?)u.Attribute("OID") == "USR.dev-coordinator").Element(ns + "LoginName"));
        var severity = treated.Descendants(ns + "ItemData").Single(d => (string?)d.Attribute("ItemOID") == "IT.SEVERITY");
        Assert.Equal("17", (string?)severity.Attribute("Value"));
        var audit = severity.Element(ns + "AuditRecord")!;
        Assert.Equal("USR.dev-coordinator", (string?)audit.Element(ns + "UserRef")!.Attribute("UserOID"));
        Assert.Equal("LOC.AAA", (string?)audit.Element(ns + "LocationRef")!.Attribute("LocationOID"));
        Assert.InRange(DateTimeOffset.Parse((string)audit.Element(ns + "DateTimeStamp")!, CultureInfo.InvariantCulture), DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow);
        Assert.Equal("second look at the form", (string?)audit.Element(ns + "ReasonForChange"));
        var notes = severity.Elements(ns + "Annotation").Select(a => (string)a.Element(ns + "Comment")!).ToList();
        Assert.Equal(2, notes.Count);
        Assert.Contains("original value 15, corrected value 16. Reason: transcription error", notes[0], StringComparison.Ordinal);
        Assert.Contains("original value 16, corrected value 17", notes[1], StringComparison.Ordinal);
        var answer = treated.Descendants(ns + "ItemData").Single(d => (string?)d.Attribute("ItemOID") == "IT.phq9.2");
        Assert.Equal(("3", "misread the form"), ((string)answer.Attribute("Value")!, (string)answer.Element(ns + "AuditRecord")!.Element(ns + "ReasonForChange")!));
        Assert.Contains("original value 2", (string)answer.Element(ns + "Annotation")!.Element(ns + "Comment")!, StringComparison.Ordinal);

        // Every other kind on the item it corrected, in its form (a rating and an event by their numbers, a session by its
        // own): the value now, who, why, and the original in the annotation; the description's values left out.
        XElement ItemData(string studyEvent, string? repeat, string form, string? formRepeat, string item) =>
            treated.Elements(ns + "StudyEventData").Single(e => (string?)e.Attribute("StudyEventOID") == studyEvent && (string?)e.Attribute("StudyEventRepeatKey") == repeat)
                .Elements(ns + "FormData").Single(f => (string?)f.Attribute("FormOID") == form && (string?)f.Attribute("FormRepeatKey") == formRepeat)
                .Descendants(ns + "ItemData").Single(d => (string?)d.Attribute("ItemOID") == item);
        foreach (var (item, value, user, reason, original) in new (XElement, string?, string, string, string?)[]
        {
            (ItemData("SE.BASELINE", null, "F.SCREENING", null, "IT.CONSENTEDON"), "2026-11-21", "dev-coordinator", "the consent form is dated the 21st", "2026-11-20"),
            (ItemData("SE.BASELINE", null, "F.RATING", "1", "IT.SCOREBEHAVIORAL"), "1", "dev-coordinator", "the paper rating sheet was misread", "0"),
            (ItemData("SE.SESSION", "2", "F.SESSION", null, "IT.ATTENDANCE"), "cancelled", "dev-therapist", "cancelled by phone, not a no-show", "noShow"),
            (ItemData("SE.SESSION", "1", "F.phq9", null, "IT.COMPLETEDON"), tomorrow, "dev-coordinator", "completed the next morning", Today),
            (ItemData("SE.EVENTS", null, "F.EVENT", "1", "IT.EVENTSEVERITY"), "moderate", "dev-coordinator", "graded again at the review", "mild"),
            (ItemData("SE.EVENTS", null, "F.EVENT", "1", "IT.DESCRIPTION"), null, "dev-coordinator", "the wording named the wrong drug", null),
        })
        {
            Assert.Equal(value, (string?)item.Attribute("Value"));
            var record = item.Element(ns + "AuditRecord")!;
            Assert.Equal(($"USR.{user}", reason), ((string?)record.Element(ns + "UserRef")!.Attribute("UserOID"), (string?)record.Element(ns + "ReasonForChange")));
            var note = (string)item.Element(ns + "Annotation")!.Element(ns + "Comment")!;
            Assert.Contains(original is null ? "free text, its values not exported" : $"original value {original}, corrected value {value}", note, StringComparison.Ordinal);
        }

        Assert.Equal("Yes", (string?)ItemData("SE.EVENTS", null, "F.EVENT", "1", "IT.DESCRIPTION").Attribute("IsNull"));
        Assert.Equal(
            ["IT.ATTENDANCE", "IT.COMPLETEDON", "IT.CONSENTEDON", "IT.DESCRIPTION", "IT.EVENTSEVERITY", "IT.SCOREBEHAVIORAL", "IT.SEVERITY", "IT.phq9.2"],
            treated.Descendants(ns + "ItemData").Where(d => d.Element(ns + "AuditRecord") is not null).Select(d => (string)d.Attribute("ItemOID")!).Order(StringComparer.Ordinal));
    }

    [ServerFact]
    public async Task StatisticsPage_LinksTheExport_AndServesTheSameFiles()
    {
        var (trialId, _, _) = await TrialWithDataAsync();
        var page = await PageSignIn.SignedInClientAsync(server, "dev-statistician");

        Assert.Contains($"/trials/{trialId}/statistics?handler=Export", await page.GetStringAsync(new Uri($"/trials/{trialId}/statistics", UriKind.Relative)), StringComparison.Ordinal);
        var response = await page.GetAsync(new Uri($"/trials/{trialId}/statistics?handler=Export", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        var zip = new ExportZip(await response.Content.ReadAsByteArrayAsync());
        var api = await DownloadAsync($"/api/trials/{trialId}/export");
        Assert.Equal(Files, zip.Entries.Keys);
        foreach (var name in Files.Where(f => f.EndsWith(".csv", StringComparison.Ordinal)))
        {
            Assert.Equal(api.Entries[name], zip.Entries[name]);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await page.GetAsync(new Uri("/trials/no-such-trial/statistics?handler=Export", UriKind.Relative))).StatusCode);
    }

    [GeneratedRegex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")]
    private static partial Regex Guid();
}

[Collection(SqliteServerCollection.Name)]
public sealed class AnalysisExportTests_Sqlite(SqliteTrialServer server) : AnalysisExportTests(server);

[Collection(PostgresServerCollection.Name)]
public sealed class AnalysisExportTests_Postgres(PostgresTrialServer server) : AnalysisExportTests(server), IRunsOnPostgres;
