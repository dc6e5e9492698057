using Mediator;
using Microsoft.AspNetCore.Mvc;
using TrialManager.Domain.Common;
using TrialManager.Server.Common;
using TrialManager.Server.Features.Blinding;
using TrialManager.Server.Features.Corrections;
using TrialManager.Server.Features.Instruments;
using TrialManager.Server.Features.Measures;
using TrialManager.Server.Features.Participants;
using TrialManager.Server.Features.Trials;
using TrialManager.Server.Features.Visits;
using TrialManager.Server.Pages.Shared;
using TrialManager.Server.Security;

namespace TrialManager.Server.Pages.Trials;

/// <summary>
/// The trial's due and overdue sessions and visits, by site: for coordinators and for assessors, who see no arm. A due
/// visit opens its instruments' forms (<c>?record={participantId}&amp;visit={code}</c>), recorded through the API's
/// <c>RecordMeasure</c>, which decides who may enter a visit.
/// </summary>
[PagePolicy(Policies.DueList)]
public sealed class VisitsModel(ISender sender, TimeProvider clock) : TrialPageModel, ICorrectingPage
{
    [FromRoute]
    public string TrialId { get; set; } = string.Empty;

    public string? Site { get; private set; }

    public TrialView? Trial { get; private set; }

    public IReadOnlyList<DueView> Due { get; private set; } = [];

    /// <summary>The next page with the same filter, while more remain.</summary>
    public string? NextLink { get; private set; }

    /// <summary>The participant an unblinding or guess form was posted for.</summary>
    [BindProperty]
    public string? ParticipantId { get; set; }

    [BindProperty]
    public string? Reason { get; set; }

    [BindProperty]
    public string? Guess { get; set; }

    /// <summary>The visit a measure form was posted for.</summary>
    [BindProperty]
    public string? Visit { get; set; }

    [BindProperty]
    public string? Instrument { get; set; }

    [BindProperty]
    public DateOnly? CompletedOn { get; set; }

    /// <summary>The instrument whose form was posted: its errors and what was typed show there.</summary>
    public string? PostedInstrument { get; private set; }

    /// <summary>A posted form's answers as typed, by item id.</summary>
    public Dictionary<string, string> Given { get; } = new(StringComparer.Ordinal);

    /// <summary>The participant and visit whose forms are open, if any.</summary>
    public (string ParticipantId, string Visit)? Recording { get; private set; }

    /// <summary>The trial's visit instruments, each a form at the open visit.</summary>
    public IReadOnlyList<InstrumentView> VisitInstruments { get; private set; } = [];

    /// <summary>The open visit's measures already recorded (the query of <c>GET .../measures</c>: an assessor's has visits only).</summary>
    public IReadOnlyList<MeasureView> RecordedAtVisit { get; private set; } = [];

    public string Today => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The participant whose visit measures an assessor corrects (<c>?correct=</c>, or the posted form's).</summary>
    [BindProperty]
    public string? CorrectionParticipantId { get; set; }

    [BindProperty]
    public string? CorrectionField { get; set; }

    [BindProperty]
    public string? CorrectionValue { get; set; }

    [BindProperty]
    public string? CorrectionReason { get; set; }

    /// <summary>That participant's visit measures (an assessor's measures query holds no session's) and the assessor's own corrections of them.</summary>
    public IReadOnlyList<MeasureView> VisitMeasures { get; private set; } = [];

    public IReadOnlyList<CorrectionView> VisitCorrections { get; private set; } = [];

    public IReadOnlyList<CorrectionChoice> CorrectionChoices => [.. VisitMeasures.Where(m => m.Visit is not null).SelectMany(CorrectionForm.Measure)];

    /// <summary>Set only in the answer to this assessor's own unblinding: the one place on these pages that names an arm.</summary>
    public UnblindingView? Unblinded { get; private set; }

    /// <summary>Assessors (the page's other role, coordinators, neither unblind nor guess) get the forms.</summary>
    public bool IsAssessor => Actor.Role == Roles.Assessor;

    /// <summary>The schedule's last visit, at which the assessor's guess of the arm is made.</summary>
    public string? LastVisit => Trial?.Schedule?.Visits.MaxBy(v => v.Day)?.Code;

    /// <summary>
    /// The open visit is the last one and the reader an assessor: its forms take the guess, also once its measures are
    /// recorded (the visit is then no longer due, so the due list's form is gone).
    /// </summary>
    public bool GuessesAtOpenVisit => IsAssessor && Recording is var (_, visit) && string.Equals(visit, LastVisit, StringComparison.OrdinalIgnoreCase);

    /// <summary>The assessor's own guess for the open last visit's participant, once made.</summary>
    public BlindingGuessView? OwnGuess { get; private set; }

    public Task<IActionResult> OnGetAsync(string? site, string? after, string? record, string? visit, string? correct, CancellationToken ct) => Show(async () =>
    {
        await LoadAsync(site, after, ct);
        CorrectionParticipantId = string.IsNullOrEmpty(correct) ? null : correct;
        await LoadCorrectionsAsync(ct);
        if (!string.IsNullOrEmpty(record) && !string.IsNullOrEmpty(visit))
        {
            await LoadVisitAsync(record, visit, ct);
        }
    });

    /// <summary>One visit instrument's answers; success goes back to the visit's forms (so a reload repeats nothing).</summary>
    public Task<IActionResult> OnPostMeasureAsync(CancellationToken ct)
    {
        PostedInstrument = Instrument ?? string.Empty;
        return Attempt("measure", async () =>
        {
            await LoadAsync(null, null, ct);
            await LoadVisitAsync(ParticipantId ?? string.Empty, Visit ?? string.Empty, ct);
            var instrument = VisitInstruments.FirstOrDefault(i => i.Code == Instrument)
                ?? throw new DomainValidationException("instrument", $"is not one of the trial's visit instruments ({string.Join(", ", VisitInstruments.Select(i => i.Code))})");
            if (InstrumentForm.Read(Request.Form, instrument, ModelState, Given) is not { } items)
            {
                Response.StatusCode = StatusCodes.Status400BadRequest;
                return Page();
            }

            var measure = await sender.Send(new RecordMeasure(ParticipantId ?? string.Empty, instrument.Code, null, Visit, CompletedOn, items), ct);
            Notice = $"{instrument.Title} at visit {measure.Visit} recorded for {ParticipantId}.";
            return Redirect($"/trials/{TrialId}/visits?record={Uri.EscapeDataString(ParticipantId ?? string.Empty)}&visit={Uri.EscapeDataString(measure.Visit ?? string.Empty)}#record");
        });
    }

    /// <summary>An assessor corrects a visit measure; the Corrector refuses a session's measure, as at entry.</summary>
    public Task<IActionResult> OnPostCorrectAsync(CancellationToken ct) => Attempt("correction", async () =>
    {
        await LoadAsync(null, null, ct);
        if (!IsAssessor)
        {
            return ShowProblem(StatusCodes.Status403Forbidden, "Only an assessor corrects visit measures on this page.");
        }

        await LoadCorrectionsAsync(ct);
        Notice = await CorrectionForm.SendAsync(sender, CorrectionParticipantId ?? string.Empty, CorrectionField, CorrectionValue, CorrectionReason, ct);
        return Redirect($"/trials/{TrialId}/visits?correct={Uri.EscapeDataString(CorrectionParticipantId ?? string.Empty)}#corrections");
    });

    private async Task LoadCorrectionsAsync(CancellationToken ct)
    {
        if (IsAssessor && CorrectionParticipantId is { } id)
        {
            VisitMeasures = await sender.Send(new GetMeasures(id, TrialId), ct);
            VisitCorrections = await sender.Send(new GetAssessorCorrections(id), ct);
        }
    }

    /// <summary>Not redirected: the revealed arm is in this answer only, never in a notice carried to the next page.</summary>
    public Task<IActionResult> OnPostUnblindAsync(CancellationToken ct) => Attempt("unblind-" + ParticipantId, async () =>
    {
        await LoadAsync(null, null, ct);
        if (!IsAssessor)
        {
            return ShowProblem(StatusCodes.Status403Forbidden, "Only an assessor unblinds on this page.");
        }

        try
        {
            Unblinded = await sender.Send(new UnblindParticipant(ParticipantId ?? string.Empty, Reason), ct);
        }
        catch (RequestValidationException e)
        {
            // Keyed by participant: each row has its own form.
            throw new RequestValidationException(e.Errors.ToDictionary(kv => $"{kv.Key}-{ParticipantId}", kv => kv.Value));
        }

        return Page();
    });

    public Task<IActionResult> OnPostGuessAsync(CancellationToken ct) => Attempt("guess-" + ParticipantId, async () =>
    {
        await LoadAsync(null, null, ct);
        if (!IsAssessor)
        {
            return ShowProblem(StatusCodes.Status403Forbidden, "Only an assessor records a blinding guess.");
        }

        // From the last visit's forms, or the due list; either way one of this trial's participants (another's is a 404).
        if (!string.IsNullOrEmpty(Visit))
        {
            await LoadVisitAsync(ParticipantId ?? string.Empty, Visit, ct);
        }
        else
        {
            await sender.Send(new GetOwnBlindingGuess(ParticipantId ?? string.Empty, TrialId), ct);
        }

        try
        {
            var guess = await sender.Send(new RecordBlindingGuess(ParticipantId ?? string.Empty, Guess), ct);
            Notice = $"Your guess for {guess.ParticipantId} is recorded.";
        }
        catch (DomainValidationException e)
        {
            throw RequestValidationException.For($"guess-{ParticipantId}", e.Message);
        }
        catch (RequestValidationException e)
        {
            throw new RequestValidationException(e.Errors.ToDictionary(kv => $"{kv.Key}-{ParticipantId}", kv => kv.Value));
        }

        return Redirect(string.IsNullOrEmpty(Visit)
            ? $"/trials/{TrialId}/visits"
            : $"/trials/{TrialId}/visits?record={Uri.EscapeDataString(ParticipantId ?? string.Empty)}&visit={Uri.EscapeDataString(Visit)}#guess");
    });

    private async Task LoadVisitAsync(string participantId, string visit, CancellationToken ct)
    {
        // The participant's measures first: another site's or another trial's participant stops here with the API's 404.
        var measures = await sender.Send(new GetMeasures(participantId, TrialId), ct);
        Recording = (participantId, visit);
        RecordedAtVisit = [.. measures.Where(m => string.Equals(m.Visit, visit, StringComparison.OrdinalIgnoreCase))];
        var codes = Trial?.Schedule?.VisitInstruments ?? [];
        VisitInstruments = [.. (await sender.Send(new GetInstruments(), ct)).Where(i => codes.Contains(i.Code, StringComparer.Ordinal))];
        if (GuessesAtOpenVisit)
        {
            OwnGuess = await sender.Send(new GetOwnBlindingGuess(participantId, TrialId), ct);
        }
    }

    private async Task LoadAsync(string? site, string? after, CancellationToken ct)
    {
        Site = string.IsNullOrEmpty(site) ? null : site;
        // The assessor's trial view has no arms: TrialView withholds them by role.
        Trial = await sender.Send(new GetTrial(TrialId), ct);
        var page = await sender.Send(new GetDueList(TrialId, Site, null, PageRequest.From(null, after)), ct);
        Due = page.Items;
        NextLink = page.Next is { } next ? PageResults.NextPageLink(Request, next) : null;
    }
}
