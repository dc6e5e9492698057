using TrialManager.Server.Features.Raters;
using Mediator;
using Microsoft.AspNetCore.Mvc;
using TrialManager.Domain.Common;
using TrialManager.Domain.Documents;
using TrialManager.Domain.Participants;
using TrialManager.Domain.Trials;
using TrialManager.Server.Common;
using TrialManager.Server.Features.Measures;
using TrialManager.Server.Features.Participants;
using TrialManager.Server.Features.Therapy;
using TrialManager.Server.Features.Trials;
using TrialManager.Server.Security;
using TrialManager.Server.Pages.Shared;

namespace TrialManager.Server.Pages.Participants;

/// <summary>One participant's record and every step a coordinator takes on it, each through the API's command.</summary>
[PagePolicy(Policies.Coordinator)]
public sealed class RecordModel(ISender sender, TimeProvider clock) : TrialPageModel
{
    [FromRoute]
    public string Id { get; set; } = string.Empty;

    [BindProperty]
    public string? ConsentVersion { get; set; }

    [BindProperty]
    public DateOnly? ConsentedOn { get; set; }

    [BindProperty]
    public string? Rater { get; set; }

    [BindProperty]
    public ScoresInput Scores { get; set; } = new();

    [BindProperty]
    public string? Rationale { get; set; }

    [BindProperty]
    public string? Category { get; set; }

    [BindProperty]
    public string? Reason { get; set; }

    [BindProperty]
    public string? Type { get; set; }

    [BindProperty]
    public DateOnly? OccurredOn { get; set; }

    [BindProperty]
    public string? Description { get; set; }

    // An adverse event's safety fields; the selects start blank and the expectedness radios unticked, so nothing is defaulted.
    [BindProperty]
    public List<string> Serious { get; set; } = [];

    [BindProperty]
    public string? Severity { get; set; }

    [BindProperty]
    public string? Relatedness { get; set; }

    [BindProperty]
    public bool? Expected { get; set; }

    [BindProperty]
    public string? Outcome { get; set; }

    [BindProperty]
    public DateOnly? ResolvedOn { get; set; }

    // A correction of a screening answer or the consent; named apart from the withdrawal's reason.
    [BindProperty]
    public string? CorrectionField { get; set; }

    [BindProperty]
    public string? CorrectionValue { get; set; }

    [BindProperty]
    public string? CorrectionReason { get; set; }

    [BindProperty]
    public string? Criterion { get; set; }

    [BindProperty]
    public string? IneligibilityNote { get; set; }

    /// <summary>The therapist (their key's name) assigned after randomization.</summary>
    [BindProperty]
    public string? TherapistCode { get; set; }

    public ParticipantView? Participant { get; private set; }

    public TrialView? Trial { get; private set; }

    /// <summary>Which step asks for confirmation: randomize, withdraw or complete.</summary>
    public string? Confirm { get; private set; }

    public DocumentStatus? ProtocolStatus { get; private set; }

    public string Today => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime).ToString("yyyy-MM-dd");

    /// <summary>The next rating decides the primary formulation only if it is the first or a consensus rating.</summary>
    public bool NeedsConsensus => Participant?.Status == ParticipantStatus.FormulationPending && Participant.AwaitingFormulation != FormulationAwaiting.SecondRating;

    public Task<IActionResult> OnGetAsync(string? confirm, CancellationToken ct) => Show(async () =>
    {
        Confirm = confirm is "randomize" or "withdraw" or "complete" ? confirm : null;
        await LoadAsync(ct);
    });

    public Task<IActionResult> OnPostConsentAsync(CancellationToken ct) => Step("consent", ct, async () =>
    {
        await sender.Send(new RecordConsent(Id, ConsentVersion, ConsentedOn, null), ct);
        return "Consent recorded. Rate the formulation next.";
    });

    public Task<IActionResult> OnPostDeclineAsync(CancellationToken ct) => Step("consent", ct, async () =>
    {
        await sender.Send(new RecordConsent(Id, null, null, true), ct);
        return "Recorded that the participant declined consent.";
    });

    public Task<IActionResult> OnPostRateAsync(CancellationToken ct) => Step("formulation", ct, async () =>
    {
        var consensus = NeedsConsensus;
        var view = (await sender.Send(
            new RateFormulation(Id, Rater, new ScoresRequest(Scores.Cognitive, Scores.Interpersonal, Scores.Behavioral, Scores.Environmental),
                consensus, Rationale), ct)).Participant!;
        return view.Status switch
        {
            ParticipantStatus.Formulated => $"Primary formulation: {view.PrimaryFormulation?.Wire()}. The participant can be randomized.",
            ParticipantStatus.FormulationPending when view.AwaitingFormulation == FormulationAwaiting.SecondRating =>
                "Drawn for double rating: a second independent rater rates before the primary formulation is decided.",
            ParticipantStatus.FormulationPending => "The raters disagree or the top factor does not lead clearly: a consensus rating decides the primary formulation.",
            ParticipantStatus.Excluded => $"Excluded: {view.ExclusionReason}",
            _ => "Rating recorded (kept for reliability).",
        };
    });

    public Task<IActionResult> OnPostRandomizeAsync(CancellationToken ct) => Step("randomize", ct, async () =>
    {
        var outcome = await sender.Send(new RandomizeParticipant(Id), ct);
        return $"Randomized to {outcome.Allocation.Arm.Wire()} (stratum {outcome.Allocation.Stratum}). The protocol document is being prepared.";
    });

    public Task<IActionResult> OnPostTherapistAsync(CancellationToken ct) => Step("therapist-form", ct, async () =>
    {
        var view = await sender.Send(new AssignTherapist(Id, TherapistCode), ct);
        return $"Therapist {view.Therapist} assigned.";
    });

    public Task<IActionResult> OnPostWithdrawAsync(CancellationToken ct) => Step("withdraw", ct, async () =>
    {
        await sender.Send(new WithdrawParticipant(Id, Category, Reason), ct);
        return "The participant is withdrawn.";
    });

    public Task<IActionResult> OnPostCompleteAsync(CancellationToken ct) => Step("complete", ct, async () =>
    {
        await sender.Send(new CompleteParticipant(Id), ct);
        return "The participant completed the protocol.";
    });

    public Task<IActionResult> OnPostEventAsync(CancellationToken ct) => Step("event", ct, async () =>
    {
        // A deviation sends none of the safety fields; for an adverse event the unticked criteria are the empty list (not serious).
        var adverse = !string.Equals(Type, "protocolDeviation", StringComparison.OrdinalIgnoreCase);
        var recorded = await sender.Send(adverse
            ? new RecordParticipantEvent(Id, Type, OccurredOn, Description, Serious, Blank(Severity), Blank(Relatedness), Expected, Blank(Outcome), ResolvedOn)
            : new RecordParticipantEvent(Id, Type, OccurredOn, Description), ct);
        return $"Event {recorded.Number} recorded.";
    });

    public Task<IActionResult> OnPostCorrectAsync(CancellationToken ct) => Step("correction", ct, () =>
        CorrectionForm.SendAsync(sender, Id, CorrectionField, CorrectionValue, CorrectionReason, ct));

    public Task<IActionResult> OnPostIneligibleAsync(CancellationToken ct) => Step("ineligible", ct, async () =>
    {
        try
        {
            await sender.Send(new DeclareIneligible(Id, Criterion, IneligibilityNote), ct);
            return "The participant is recorded as ineligible after consent.";
        }
        catch (RequestValidationException e) when (e.Errors.ContainsKey("note"))
        {
            throw new RequestValidationException(e.Errors.ToDictionary(kv => kv.Key == "note" ? "ineligibilityNote" : kv.Key, kv => kv.Value));
        }
    });

    /// <summary>
    /// Every value a coordinator enters and so corrects: the screening answers and consent, the paper ratings they entered
    /// for a rater (a rater's own are the rater's), the sessions, the measures' answers and dates, the events' fields.
    /// </summary>
    public IReadOnlyList<CorrectionChoice> CorrectionChoices =>
        Participant is not { } p
            ? []
            :
            [
                .. Enum.GetValues<ParticipantField>().Select(f => new CorrectionChoice(Correction.ParticipantTarget, f.Wire(), f.Wire())),
                .. p.Ratings.Where(r => r.EnteredBy is not null).SelectMany(CorrectionForm.Rating),
                .. (p.Sessions ?? []).SelectMany(CorrectionForm.Session),
                .. Measures.SelectMany(CorrectionForm.Measure),
                .. p.Events.SelectMany(CorrectionForm.Event),
            ];

    public IReadOnlyList<MeasureView> Measures { get; private set; } = [];

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;

    /// <summary>The protocol PDF when ready; otherwise back to the record with its generation status.</summary>
    public async Task<IActionResult> OnGetProtocolAsync(CancellationToken ct)
    {
        ProtocolDocumentResult document;
        try
        {
            document = await sender.Send(new GetProtocolDocument(Id), ct);
        }
        catch (Exception e) when (e is Common.NotFoundException or Common.ForbiddenException)
        {
            Notice = e.Message;
            return Redirect($"/participants/{Id}");
        }

        if (document.Content is { } content)
        {
            return File(content, "application/pdf", $"{Id}-protocol.pdf");
        }

        Notice = $"The protocol document is {document.Status.Wire()}; try again in a moment.";
        return Redirect($"/participants/{Id}#protocol");
    }

    /// <summary>Loads the record, runs one command; success redirects (so a reload repeats nothing), failure shows the form again.</summary>
    private Task<IActionResult> Step(string formKey, CancellationToken ct, Func<Task<string>> command) => Attempt(formKey, async () =>
    {
        await LoadAsync(ct);
        Notice = await command();
        return Redirect($"/participants/{Id}");
    });

    private async Task LoadAsync(CancellationToken ct)
    {
        Participant = await sender.Send(new GetParticipant(Id), ct);
        Trial = await sender.Send(new GetTrial(Participant.TrialId), ct);
        Measures = await sender.Send(new GetMeasures(Id), ct);
        if (Participant.Allocation is not null)
        {
            try
            {
                var document = await sender.Send(new GetProtocolDocument(Id), ct);
                ProtocolStatus = document.Status;
                if (document.Content is { } content)
                {
                    await content.DisposeAsync();
                }
            }
            catch (Common.NotFoundException)
            {
                ProtocolStatus = null;
            }
        }
    }

    public sealed class ScoresInput
    {
        public int? Cognitive { get; set; }

        public int? Interpersonal { get; set; }

        public int? Behavioral { get; set; }

        public int? Environmental { get; set; }
    }
}
