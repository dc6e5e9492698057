using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using TrialManager.Integration.Tests.Api;
using TrialManager.Integration.Tests.Documents;
using TrialManager.Integration.Tests.Harness;

namespace TrialManager.Integration.Tests.Security;

/// <summary>
/// Issue 13, blocker 2: the audit trail's readers (admins) never learn the randomization restrictions. Every command
/// the server can audit is driven over HTTP, and every field of every event kind an admin reads is listed here; a
/// new field fails this test until it is listed (or concealed).
/// </summary>
public abstract partial class AuditRedactionTests(TrialServer server)
{
    private const string Concealed = "[concealed]";

    /// <summary>The fields of the restriction details, wherever they occur: only "[concealed]" may stand there.</summary>
    private static readonly HashSet<string> RestrictionFields =
        ["BlockNumber", "BlockSize", "ImbalanceScores", "PreferredArm", "TookPreferred", "Seed", "State", "BlockSizes", "Probability", "Imbalance"];

    private static readonly string[] EventFields = ["sequence", "occurredAt", "actor", "role", "action", "trialId", "recordType", "recordId", "changes", "hash"];

    private static readonly string[] ParticipantScreened =
    [
        "Participant.AgeYears", "Participant.AwaitingFormulation", "Participant.CompletedAt", "Participant.ConsentVersion", "Participant.ConsentedOn", "Participant.DeclinedAt",
        "Participant.ExclusionReason", "Participant.Exclusions", "Participant.Expectancy", "Participant.Id", "Participant.Motivation",
        "Participant.PrimaryFormulation", "Participant.RandomizedAt", "Participant.ScreenedAt", "Participant.ScreeningReasons", "Participant.Severity",
        "Participant.Site", "Participant.Status", "Participant.Version", "Participant.TrialId", "Participant.WithdrawalCategory", "Participant.WithdrawalReason", "Participant.WithdrawnAfterAllocation",
        "Participant.WithdrawnAt", "Participant.TherapistCode", "Participant.TreatmentStopCategory", "Participant.TreatmentStopNote",
        "Participant.TreatmentStoppedAt", "Participant.MisStratified", "Participant.IneligibleAfterRandomization", "Participant.IneligibleCriterion",
        "Participant.IneligibleNote", "Participant.IneligibleAt", "Participant.ReconsentedOn", "Participant.NextDue",
    ];

    private static readonly string[] CorrectionAdded =
    [
        "Correction.CorrectedAt", "Correction.CorrectedBy", "Correction.Field", "Correction.Id", "Correction.NewValue", "Correction.OldValue",
        "Correction.ParticipantId", "Correction.QueryId", "Correction.Reason", "Correction.Target", "Correction.TrialId",
    ];

    private static readonly string[] EventRecorded =
    [
        "ParticipantEvent.AlertId", "ParticipantEvent.Description", "ParticipantEvent.Expected", "ParticipantEvent.Id", "ParticipantEvent.Number",
        "ParticipantEvent.OccurredOn", "ParticipantEvent.Outcome", "ParticipantEvent.ParticipantId", "ParticipantEvent.RecordedAt",
        "ParticipantEvent.Relatedness", "ParticipantEvent.ResolvedOn", "ParticipantEvent.ReviewComment", "ParticipantEvent.ReviewedAt",
        "ParticipantEvent.ReviewedBy", "ParticipantEvent.Serious", "ParticipantEvent.Severity", "ParticipantEvent.Type",
    ];

    private static readonly string[] DocumentOwed =
    [
        "ProtocolDocument.Attempts", "ProtocolDocument.GeneratedAt", "ProtocolDocument.LastError", "ProtocolDocument.ParticipantId", "ProtocolDocument.ProtocolId",
        "ProtocolDocument.ProtocolSha256", "ProtocolDocument.ProtocolVersion", "ProtocolDocument.RequestedAt", "ProtocolDocument.Sha256", "ProtocolDocument.Status",
    ];

    /// <summary>Every field of every event kind an admin can read: the record and field of each change, or the security event's field.</summary>
    private static readonly Dictionary<string, string[]> Readable = new()
    {
        ["CreateTrial"] =
        [
            "Trial.Amendments", "Trial.CreatedAt", "Trial.Id", "Trial.Seed", "Trial.SeedDerivation", "Trial.Status",
            "Trial.BaseDefinition.AllocationFactors", "Trial.BaseDefinition.Arms[].Code", "Trial.BaseDefinition.Arms[].Ratio", "Trial.BaseDefinition.Eligibility.Exclusions",
            "Trial.BaseDefinition.Eligibility.MaxAge", "Trial.BaseDefinition.Eligibility.MaxSeverity", "Trial.BaseDefinition.Eligibility.MinAge",
            "Trial.BaseDefinition.Eligibility.MinSeverity", "Trial.BaseDefinition.FormulationRule.Certification", "Trial.BaseDefinition.FormulationRule.DoubleRating", "Trial.BaseDefinition.FormulationRule.MinMargin", "Trial.BaseDefinition.Formulations", "Trial.BaseDefinition.Hypothesis", "Trial.BaseDefinition.Id",
            "Trial.BaseDefinition.Randomization.BlockSizes", "Trial.BaseDefinition.Randomization.Factors", "Trial.BaseDefinition.Randomization.Imbalance",
            "Trial.BaseDefinition.Randomization.Method", "Trial.BaseDefinition.Randomization.Probability", "Trial.BaseDefinition.Randomization.SeverityCutoff",
            "Trial.BaseDefinition.Randomization.StratifyBy", "Trial.BaseDefinition.Registration", "Trial.BaseDefinition.SafetyContacts", "Trial.BaseDefinition.Sites", "Trial.BaseDefinition.TargetEnrollment",
            "Trial.BaseDefinition.Title", "Trial.BaseDefinition.Schedule", "Trial.BaseDefinition.Schedule.Sessions", "Trial.BaseDefinition.Schedule.SessionIntervalDays",
            "Trial.BaseDefinition.Schedule.Visits[].Code", "Trial.BaseDefinition.Schedule.Visits[].Day", "Trial.BaseDefinition.Schedule.Visits[].Window",
            "Trial.BaseDefinition.Schedule.SessionInstruments", "Trial.BaseDefinition.Schedule.VisitInstruments",
        ],
        ["ChangeTrialStatus"] = ["Trial.Status"],
        ["AmendTrial"] =
        [
            "Trial.Amendments[].Changes.AddSites", "Trial.Amendments[].Changes.ConsentVersion", "Trial.Amendments[].Changes.ProtocolVersions",
            "Trial.Amendments[].Changes.TargetEnrollment", "Trial.Amendments[].EffectiveOn", "Trial.Amendments[].EthicsApproval.Date",
            "Trial.Amendments[].EthicsApproval.Reference", "Trial.Amendments[].RecordedAt", "Trial.Amendments[].Version",
        ],
        ["ScreenParticipant"] = [.. ParticipantScreened, "SiteCounter.LastNumber", "SiteCounter.Site", "SiteCounter.TrialId"],
        ["RecordConsent"] =
        [
            "Participant.ConsentVersion", "Participant.ConsentedOn", "Participant.DeclinedAt", "Participant.ReconsentedOn", "Participant.Status", "Participant.Version",
        ],
        ["RateFormulation"] =
        [
            "FormulationRating.Consensus", "FormulationRating.Number", "FormulationRating.ParticipantId", "FormulationRating.Primary",
            "FormulationRating.RatedAt", "FormulationRating.Rater", "FormulationRating.Rationale", "FormulationScores.Behavioral", "FormulationScores.Cognitive",
            "FormulationScores.Environmental", "FormulationScores.FormulationRatingNumber", "FormulationScores.FormulationRatingParticipantId",
            "FormulationScores.Interpersonal", "Participant.ExclusionReason", "Participant.PrimaryFormulation", "Participant.Status", "Participant.Version",
            "FormulationRating.EnteredBy", "Participant.AwaitingFormulation",
        ],
        ["AddReferenceCase"] =
        [
            "ReferenceCase.Code", "ReferenceCase.CreatedAt", "ReferenceCase.Material", "ReferenceCase.Primary", "ReferenceCase.TrialId",
            "FormulationScores.Behavioral", "FormulationScores.Cognitive", "FormulationScores.Environmental", "FormulationScores.Interpersonal",
            "FormulationScores.ReferenceCaseCode", "FormulationScores.ReferenceCaseTrialId",
        ],
        ["RateReferenceCase"] =
        [
            "PracticeRating.Agreed", "PracticeRating.CaseCode", "PracticeRating.RatedAt", "PracticeRating.Rater", "PracticeRating.TrialId",
            "FormulationScores.Behavioral", "FormulationScores.Cognitive", "FormulationScores.Environmental", "FormulationScores.Interpersonal",
            "FormulationScores.PracticeRatingCaseCode", "FormulationScores.PracticeRatingRater", "FormulationScores.PracticeRatingTrialId",
        ],
        ["RandomizeParticipant"] =
        [
            "Participant.RandomizedAt", "Participant.Status", "Participant.Version", .. DocumentOwed,
            "ParticipantAllocation.Arm", "ParticipantAllocation.BlockNumber", "ParticipantAllocation.BlockSize", "ParticipantAllocation.Formulation",
            "ParticipantAllocation.ImbalanceScores", "ParticipantAllocation.Levels.formulation", "ParticipantAllocation.Levels.severity",
            "ParticipantAllocation.Levels.site", "ParticipantAllocation.Method", "ParticipantAllocation.ParticipantId", "ParticipantAllocation.PreferredArm",
            "ParticipantAllocation.RandomizedAt", "ParticipantAllocation.RandomizedBy", "ParticipantAllocation.Sequence", "ParticipantAllocation.Site",
            "ParticipantAllocation.StateKey", "ParticipantAllocation.Stratum", "ParticipantAllocation.TookPreferred", "ParticipantAllocation.TrialId",
            "RandomizationState.Allocated", "RandomizationState.State", "RandomizationState.StateKey", "RandomizationState.TrialId",
        ],
        ["WithdrawParticipant"] = ["Participant.Status", "Participant.Version", "Participant.WithdrawalCategory", "Participant.WithdrawalReason", "Participant.WithdrawnAfterAllocation", "Participant.WithdrawnAt"],
        ["CompleteParticipant"] = ["Participant.CompletedAt", "Participant.Status", "Participant.Version"],
        ["RecordParticipantEvent"] = [.. EventRecorded, "Participant.Version"],
        ["ReviewEvent"] = ["ParticipantEvent.ReviewComment", "ParticipantEvent.ReviewedAt", "ParticipantEvent.ReviewedBy", "Participant.Version"],
        ["RecordAlertEvent"] = [.. EventRecorded, "Participant.Version", "SafetyAlert.AcknowledgedAt", "SafetyAlert.AcknowledgedBy", "SafetyAlert.Action"],
        ["RegisterTherapist"] = ["Therapist.Arms", "Therapist.Code", "Therapist.RegisteredAt", "Therapist.Site", "Therapist.TrialId"],
        ["AssignTherapist"] = ["Participant.TherapistCode", "Participant.Version"],
        ["RecordSession"] =
        [
            "Participant.Version", "TherapySession.Attendance", "TherapySession.Date", "TherapySession.Number", "TherapySession.ParticipantId",
            "TherapySession.RecordedAt", "TherapySession.RecordedBy", "TherapySession.Therapist",
        ],
        ["CreateQuestionnaireLink"] =
        [
            "QuestionnaireLink.CreatedAt", "QuestionnaireLink.CreatedBy", "QuestionnaireLink.ExpiresAt", "QuestionnaireLink.Id", "QuestionnaireLink.Instrument",
            "QuestionnaireLink.MeasureId", "QuestionnaireLink.ParticipantId", "QuestionnaireLink.Session", "QuestionnaireLink.TokenHash", "QuestionnaireLink.TrialId",
            "QuestionnaireLink.UsedAt", "QuestionnaireLink.Visit",
        ],
        ["AnswerQuestionnaire"] =
        [
            "Measure.Answers.1", "Measure.Answers.2", "Measure.Answers.3", "Measure.Answers.4", "Measure.Answers.5", "Measure.Answers.6",
            "Measure.Answers.7", "Measure.Answers.8", "Measure.Answers.9", "Measure.Band", "Measure.CompletedOn", "Measure.Id", "Measure.Instrument",
            "Measure.ParticipantId", "Measure.Prorated", "Measure.RecordedAt", "Measure.RecordedBy", "Measure.Scores.total", "Measure.Session",
            "Measure.TrialId", "Measure.Version", "Measure.Visit", "QuestionnaireLink.MeasureId", "QuestionnaireLink.UsedAt",
            "SafetyAlert.AcknowledgedAt", "SafetyAlert.AcknowledgedBy", "SafetyAlert.Action", "SafetyAlert.Id", "SafetyAlert.Instrument", "SafetyAlert.Kind",
            "SafetyAlert.MeasureId", "SafetyAlert.ParticipantId", "SafetyAlert.RaisedAt", "SafetyAlert.Rule", "SafetyAlert.Site", "SafetyAlert.TrialId",
        ],
        ["StopTreatment"] =
        [
            "Participant.Status", "Participant.TreatmentStopCategory", "Participant.TreatmentStopNote", "Participant.TreatmentStoppedAt", "Participant.Version",
        ],
        ["DeclareIneligible"] = ["Participant.IneligibleAt", "Participant.IneligibleCriterion", "Participant.IneligibleNote", "Participant.Status", "Participant.Version"],
        ["RaiseDataQuery"] =
        [
            "DataQuery.Answer", "DataQuery.AnsweredAt", "DataQuery.AnsweredBy", "DataQuery.CorrectionId", "DataQuery.Field", "DataQuery.Id",
            "DataQuery.ParticipantId", "DataQuery.Question", "DataQuery.RaisedAt", "DataQuery.RaisedBy", "DataQuery.Site", "DataQuery.Target",
            "DataQuery.TrialId",
        ],
        ["AnswerDataQuery"] =
        [
            .. CorrectionAdded, "DataQuery.Answer", "DataQuery.AnsweredAt", "DataQuery.AnsweredBy", "DataQuery.CorrectionId", "Participant.Severity",
            "Participant.Version", "Participant.MisStratified", "Participant.IneligibleAfterRandomization",
        ],
        ["CorrectRecord"] =
        [
            .. CorrectionAdded, "Participant.IneligibleAfterRandomization", "Participant.MisStratified", "Participant.Severity", "Participant.Site",
            "Participant.Version", "ParticipantEvent.Severity",
        ],
        ["RequestReport"] =
        [
            "Report.Attempts", "Report.CreatedAt", "Report.FreezeId", "Report.GeneratedAt", "Report.Id", "Report.Kind", "Report.LastError",
            "Report.RequestedBy", "Report.Scheduled", "Report.Sha256", "Report.Status", "Report.TrialId",
        ],
        ["SignReport"] =
        [
            "ReportSignature.ContentSha256", "ReportSignature.Id", "ReportSignature.Meaning", "ReportSignature.ReportId", "ReportSignature.Role",
            "ReportSignature.SignedAt", "ReportSignature.Signer",
        ],
        // Who was told an arm and why; never the arm itself (the row has none).
        ["UnblindParticipant"] =
        [
            "Unblinding.Id", "Unblinding.ParticipantId", "Unblinding.Reason", "Unblinding.Role", "Unblinding.TrialId", "Unblinding.UnblindedAt",
            "Unblinding.UnblindedBy",
        ],
        ["RecordBlindingGuess"] = ["BlindingGuess.Assessor", "BlindingGuess.Guess", "BlindingGuess.GuessedAt", "BlindingGuess.ParticipantId", "BlindingGuess.TrialId"],
        ["FreezeTrial"] =
        [
            "DataFreeze.DsmbReportSha256", "DataFreeze.EthicsReportSha256", "DataFreeze.FrozenAt", "DataFreeze.FrozenBy", "DataFreeze.Id",
            "DataFreeze.Sha256", "DataFreeze.TrialId",
        ],
        ["StartReport"] = ["Report.Attempts", "Report.Status"],
        ["CompleteReport"] = ["Report.GeneratedAt", "Report.Sha256", "Report.Status"],
        ["FailReport"] = ["Report.LastError", "Report.Status"],
        ["StartProtocolDocument"] = ["ProtocolDocument.Attempts", "ProtocolDocument.Status"],
        ["CompleteProtocolDocument"] =
        [
            "ProtocolDocument.GeneratedAt", "ProtocolDocument.ProtocolId", "ProtocolDocument.ProtocolSha256", "ProtocolDocument.ProtocolVersion",
            "ProtocolDocument.Sha256", "ProtocolDocument.Status",
        ],
        ["FailProtocolDocument"] = ["ProtocolDocument.LastError", "ProtocolDocument.Status"],
        ["signIn"] = ["Security.role", "Security.scheme", "Security.sites"],
        ["permissionDenied"] =
        [
            "Security.count", "Security.denials[].count", "Security.denials[].method", "Security.denials[].reason", "Security.denials[].route",
            "Security.from", "Security.role", "Security.seconds", "Security.sites",
        ],
        ["auditChainKeyed"] = ["Security.unkeyedThrough"],
    };

    private static readonly object Minimization = new { method = "minimization", factors = new[] { "formulation", "site" }, probability = 0.8 };

    [ServerFact]
    public async Task AuditTrail_ShowsAdminsEveryListedFieldOfEveryEventKind_AndNoRestrictionDetail()
    {
        var before = await server.WithDbAsync(db => db.AuditChainHeads.Select(h => h.LastSequence).SingleAsync());
        var seeds = new List<string>();
        var trials = new List<string>();
        foreach (var randomization in new[] { null, Minimization })
        {
            var trialId = await TestTrials.CreateAsync(server, recruiting: true, randomization);
            trials.Add(trialId);
            var trial = await (await server.Statistician.GetAsync($"/api/trials/{trialId}")).JsonAsync();
            seeds.Add(trial.GetProperty("randomization").GetProperty("seed").GetString()!);
            await DriveEveryCommandAsync(trialId);
        }

        Assert.Equal(HttpStatusCode.Forbidden, (await server.Coordinator.PostJsonAsync("/api/trials", new { })).StatusCode);

        // Permission failures are written once their window (a second in the tests) has closed.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        var (events, raw) = await ReadTrailAsync(before);
        while (!events.Any(e => e.GetProperty("action").GetString() == "permissionDenied" && e.GetProperty("actor").GetString() == "dev-coordinator"))
        {
            Assert.True(DateTime.UtcNow < deadline, "The permission failure was not written within 30 s.");
            await Task.Delay(200);
            (events, raw) = await ReadTrailAsync(before);
        }

        var seen = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var e in events)
        {
            Assert.Equal(EventFields.Order(StringComparer.Ordinal), e.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
            var action = e.GetProperty("action").GetString()!;
            var fields = seen.TryGetValue(action, out var set) ? set : seen[action] = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var (path, value) in Fields(e))
            {
                fields.Add(path);
                if (RestrictionFields.Contains(path[(path.LastIndexOf('.') + 1)..]))
                {
                    Assert.True(value.ValueKind == JsonValueKind.String && value.GetString() == Concealed,
                        $"{action} shows {path} = {value.GetRawText()} (event {e.GetProperty("sequence")})");
                }
            }
        }

        var unlisted = seen.SelectMany(s => s.Value.Where(f => !Readable.GetValueOrDefault(s.Key, []).Contains(f)).Select(f => $"{s.Key}: {f}")).ToList();
        Assert.True(unlisted.Count == 0, "Fields an admin can read that this test does not list:\n" + string.Join("\n", unlisted));
        string[] driven =
        [
            "CreateTrial", "ChangeTrialStatus", "ScreenParticipant", "RecordConsent", "RateFormulation", "RandomizeParticipant", "WithdrawParticipant",
            "CompleteParticipant", "RecordParticipantEvent", "RequestReport", "StartReport", "CompleteReport", "StartProtocolDocument",
            "CompleteProtocolDocument", "permissionDenied", "RegisterTherapist", "AssignTherapist", "RecordSession", "StopTreatment",
            "CreateQuestionnaireLink", "AnswerQuestionnaire", "FreezeTrial",
            "CorrectRecord", "DeclareIneligible", "RaiseDataQuery", "AnswerDataQuery", "SignReport", "UnblindParticipant",
            "ReviewEvent", "RecordAlertEvent", "AmendTrial",
        ];
        Assert.Empty(driven.Except(seen.Keys));
        foreach (var seed in seeds)
        {
            Assert.DoesNotContain(seed, raw, StringComparison.Ordinal);
        }

        // The admin page shows the same trail.
        var admin = await PageSignIn.SignedInClientAsync(server, "dev-admin");
        foreach (var trialId in trials)
        {
            var page = WebUtility.HtmlDecode(await admin.GetStringAsync(new Uri($"/admin/audit?trialId={trialId}", UriKind.Relative)));
            Assert.Contains("RandomizeParticipant", page, StringComparison.Ordinal);
            Assert.DoesNotMatch(ShownRestriction(), page);
            Assert.DoesNotContain(seeds[trials.IndexOf(trialId)], page, StringComparison.Ordinal);
        }
    }

    /// <summary>Screening (passed and failed), consent and refusal, ratings (first, consensus), randomization, withdrawal, completion, an event, a report, the protocol documents, a pause.</summary>
    private async Task DriveEveryCommandAsync(string trialId)
    {
        var coordinator = server.Coordinator;
        var randomized = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var id = await TestTrials.FormulatedParticipantAsync(server, trialId, site: i % 2 == 0 ? "AAA" : "BBB", lead: i < 2 ? "cognitive" : "interpersonal");
            await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await coordinator.PostJsonAsync($"/api/participants/{id}/randomization", null));
            randomized.Add(id);
        }

        var failed = await coordinator.PostJsonAsync($"/api/trials/{trialId}/participants", new { site = "AAA", ageYears = 10, severity = 15, exclusions = Array.Empty<string>() });
        Assert.Equal("screenFailed", (await failed.JsonAsync()).GetProperty("status").GetString());

        var declining = await ScreenAsync(trialId);
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await coordinator.PostJsonAsync($"/api/participants/{declining}/consent", new { declined = true }));

        var pending = await ScreenAsync(trialId);
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await coordinator.PostJsonAsync($"/api/participants/{pending}/consent",
            new { consentVersion = "1.0", consentedOn = "2026-11-20" }));
        var tie = new Dictionary<string, int> { ["cognitive"] = 3, ["interpersonal"] = 3, ["behavioral"] = 0, ["environmental"] = 0 };
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await coordinator.PostJsonAsync($"/api/participants/{pending}/formulations",
            new { rater = "R01", scores = tie, consensus = false }));
        tie["cognitive"] = 4;
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await coordinator.PostJsonAsync($"/api/participants/{pending}/formulations",
            new { rater = "R02", scores = tie, consensus = true, rationale = "agreed at the case conference" }));

        var ineligible = await ScreenAsync(trialId);
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await coordinator.PostJsonAsync($"/api/participants/{ineligible}/consent",
            new { consentVersion = "1.0", consentedOn = "2026-11-20" }));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await coordinator.PostJsonAsync($"/api/participants/{ineligible}/ineligibility",
            new { criterion = "bipolar", note = "history found in the records" }));

        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await coordinator.PostJsonAsync($"/api/participants/{randomized[0]}/withdrawal",
            new { category = "other", reason = "moved to another city" }));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await coordinator.PostJsonAsync($"/api/participants/{randomized[1]}/completion", null));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await coordinator.PostJsonAsync($"/api/participants/{randomized[2]}/events",
            new { type = "protocolDeviation", occurredOn = "2026-11-21", description = "session held by phone" }));
        // A serious adverse event, reviewed by the DSMB, then corrected.
        var serious = await coordinator.PostJsonAsync($"/api/participants/{randomized[2]}/events", TestEvents.Body("seriousAdverseEvent", "2026-11-21", "admitted overnight"));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, serious);
        var seriousId = (await serious.JsonAsync()).GetProperty("id").GetString();
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await server.Client("dev-dsmb").PostJsonAsync($"/api/events/{seriousId}/review",
            new { comment = "expected course, no action" }));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await coordinator.PostJsonAsync($"/api/participants/{randomized[2]}/corrections",
            new { target = $"event:{seriousId}", field = "severity", value = "moderate", reason = "severity misread" }));

        // Therapy: a therapist (the demo therapist key's name), assigned, a session recorded by them, a treatment stop.
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Admin.PostJsonAsync($"/api/trials/{trialId}/therapists",
            new { code = "dev-therapist", site = "AAA", arms = new[] { "mediator", "moderator" } }));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await coordinator.PostJsonAsync($"/api/participants/{randomized[2]}/therapist", new { therapist = "dev-therapist" }));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Client("dev-therapist").PostJsonAsync($"/api/participants/{randomized[2]}/sessions",
            new { number = 1, date = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), attendance = "attended" }));
        // The participant answers a PHQ-9 through their link (self-harm item above 0: an alert too).
        var link = await coordinator.PostJsonAsync($"/api/participants/{randomized[2]}/questionnaire-links", new { instrument = "phq9", session = 1 });
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, link);
        var (answered, _) = await QuestionnairePage.AnswerAsync(QuestionnairePage.Phone(server), (await link.JsonAsync()).GetProperty("url").GetString()!,
            QuestionnairePage.Answers(1, 1, 1, 1, 1, 1, 1, 1, 1));
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        // The alert it raised becomes an adverse event in one step.
        var alert = (await (await coordinator.GetAsync($"/api/trials/{trialId}/alerts")).JsonAsync()).EnumerateArray()
            .First(a => a.GetProperty("participantId").GetString() == randomized[2]);
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await coordinator.PostJsonAsync($"/api/alerts/{alert.GetProperty("id").GetString()}/event",
            TestEvents.Body("adverseEvent", DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), "passive thoughts, safety plan")));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await coordinator.PostJsonAsync($"/api/participants/{randomized[2]}/treatment-stop",
            new { category = "clinicalDecision", note = "referred to inpatient care" }));

        // Corrections after randomization: a stratification level (site) and an answer that makes the participant ineligible.
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await coordinator.PostJsonAsync($"/api/participants/{randomized[3]}/corrections",
            new { field = "site", value = "AAA", reason = "wrong site picked" }));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await coordinator.PostJsonAsync($"/api/participants/{randomized[3]}/corrections",
            new { field = "severity", value = 28, reason = "transcription error" }));

        // A data query raised by the monitor and answered by the site with a correction.
        var query = await server.Statistician.PostJsonAsync($"/api/participants/{randomized[2]}/queries", new { field = "severity", question = "Please check" });
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, query);
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await coordinator.PostJsonAsync($"/api/queries/{(await query.JsonAsync()).GetProperty("id").GetString()}/answer",
            new { answer = "The form says 16.", correction = new { value = 16 } }));

        // An amendment (a site, the target, a new consent version) and a re-consent under it.
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Admin.PostJsonAsync($"/api/trials/{trialId}/amendments", new
        {
            version = "1.1", effectiveOn = "2026-12-05", ethicsApproval = new { reference = "IRB-2026-114", date = "2026-12-04" },
            changes = new { addSites = new[] { "SEA" }, targetEnrollment = 300, consentVersion = "2.0" },
        }));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await coordinator.PostJsonAsync($"/api/participants/{pending}/consent",
            new { consentVersion = "2.0", consentedOn = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) }));

        var requested = await server.Ethics.PostJsonAsync($"/api/trials/{trialId}/reports", new { kind = "ethicsProgress" });
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Accepted, requested);
        Assert.Equal("ready", (await DocumentSupport.WaitForReportAsync(server.Ethics, requested.Headers.Location!, TimeSpan.FromSeconds(120)))
            .GetProperty("status").GetString());
        foreach (var id in randomized)
        {
            await DocumentSupport.WaitForProtocolDocumentAsync(coordinator, id, TimeSpan.FromSeconds(120));
        }

        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Ethics.PostJsonAsync(
            $"/api/reports/{(await requested.JsonAsync()).GetProperty("id").GetString()}/signatures", new { meaning = "approved", key = "dev-ethics" }));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Admin.PostJsonAsync($"/api/participants/{randomized[3]}/unblinding",
            new { reason = "the treating psychiatrist asked" }));

        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, await server.Statistician.PostJsonAsync($"/api/trials/{trialId}/freezes", null));
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, await server.Admin.PostJsonAsync($"/api/trials/{trialId}/status", new { status = "paused" }));
    }

    private async Task<string> ScreenAsync(string trialId)
    {
        var screened = await server.Coordinator.PostJsonAsync($"/api/trials/{trialId}/participants",
            new { site = "AAA", ageYears = 30, severity = 15, exclusions = Array.Empty<string>() });
        await ProblemAssertions.AssertStatusAsync(HttpStatusCode.Created, screened);
        return (await screened.JsonAsync()).GetProperty("id").GetString()!;
    }

    /// <summary>Every event after <paramref name="after"/>, as an admin reads them following the pages' links, and their text as sent.</summary>
    private async Task<(List<JsonElement> Events, string Raw)> ReadTrailAsync(long after)
    {
        var events = new List<JsonElement>();
        var raw = new System.Text.StringBuilder();
        string? next = "/api/audit?limit=1000";
        while (next is not null)
        {
            var response = await server.Admin.GetAsync(next);
            await ProblemAssertions.AssertStatusAsync(HttpStatusCode.OK, response);
            var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.EnumerateArray()
                .Where(e => e.GetProperty("sequence").GetInt64() > after).Select(e => e.Clone()).ToList();
            events.AddRange(page);
            page.ForEach(e => raw.Append(e.GetRawText()));
            next = response.Headers.TryGetValues("Link", out var link) ? link.Single().Split('<', '>')[1] : null;
        }

        return (events, raw.ToString());
    }

    /// <summary>Every leaf of an event's changes as Record.Field (nested: Record.Field.Member, lists of objects as Field[]).</summary>
    private static IEnumerable<(string Path, JsonElement Value)> Fields(JsonElement e)
    {
        var changes = JsonDocument.Parse(e.GetProperty("changes").GetString()!).RootElement;
        if (changes.ValueKind == JsonValueKind.Object)
        {
            return Leaves("Security", changes);
        }

        return changes.EnumerateArray().SelectMany(change =>
        {
            Assert.Equal(["change", "key", "record", "values"], change.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
            return Leaves(change.GetProperty("record").GetString()!, change.GetProperty("values"));
        }).ToList();
    }

    private static IEnumerable<(string Path, JsonElement Value)> Leaves(string path, JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => value.EnumerateObject().SelectMany(p => Leaves($"{path}.{p.Name}", p.Value)),
        JsonValueKind.Array when value.EnumerateArray().Any(i => i.ValueKind == JsonValueKind.Object) =>
            value.EnumerateArray().SelectMany(i => Leaves(path + "[]", i)),
        _ => [(path, value)],
    };

    /// <summary>A restriction field followed by anything but the concealed marker, in the decoded page.</summary>
    [GeneratedRegex("\"(BlockNumber|BlockSize|BlockSizes|ImbalanceScores|PreferredArm|TookPreferred|Probability|Imbalance)\":(?!\"\\[concealed\\]\")")]
    private static partial Regex ShownRestriction();
}

[Collection(SqliteServerCollection.Name)]
public sealed class AuditRedactionTests_Sqlite(SqliteTrialServer server) : AuditRedactionTests(server);

[Collection(PostgresServerCollection.Name)]
public sealed class AuditRedactionTests_Postgres(PostgresTrialServer server) : AuditRedactionTests(server), IRunsOnPostgres;
