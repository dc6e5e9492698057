using Mediator;
using Microsoft.AspNetCore.Mvc;
using TrialManager.Server.Features.Instruments;
using TrialManager.Server.Features.Measures;
using TrialManager.Server.Pages.Shared;
using TrialManager.Server.Security;

namespace TrialManager.Server.Pages.Raters;

/// <summary>
/// A rater's fidelity rating of a recorded session they were given: the study id and session typed first, then the one
/// form that rates it, the participant's primary formulation's (<see cref="GetFidelityForm"/>, refused with the API's 409
/// while there is no such session, so no formulation is told before randomization). Its items as
/// <see cref="InstrumentView"/> gives them (without the tags that would name an arm), listed in
/// <see cref="InstrumentForm.BlindOrder"/> rather than the definition's order, which puts the shared elements first and
/// the proscribed last. Recorded through the API's <see cref="RecordMeasure"/>, so every rule and refusal is the API's. A
/// rater cannot read measures through the API, so the page says "recorded" and shows no score, arm or status.
/// </summary>
[PagePolicy(Policies.Rater)]
public sealed class FidelityModel(ISender sender, TimeProvider clock) : TrialPageModel
{
    /// <summary>The recording's study id, from the query on GET and posted with the form.</summary>
    [BindProperty(SupportsGet = true)]
    public string? StudyId { get; set; }

    [BindProperty(SupportsGet = true)]
    public int? Session { get; set; }

    [BindProperty]
    public DateOnly? CompletedOn { get; set; }

    /// <summary>The form of the participant's formulation, once a study id and an attended session are given.</summary>
    public InstrumentView? Chosen { get; private set; }

    public bool Posted { get; private set; }

    /// <summary>What was typed in each item, shown again when the form is refused.</summary>
    public Dictionary<string, string> Given { get; } = new(StringComparer.Ordinal);

    public string Today => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The API's statuses: a session that is not there to rate is its 409.</summary>
    protected override int ConflictStatus => StatusCodes.Status409Conflict;

    public Task<IActionResult> OnGetAsync(CancellationToken ct) =>
        string.IsNullOrWhiteSpace(StudyId) ? Task.FromResult<IActionResult>(Page()) : Attempt("fidelity", async () =>
        {
            await LoadAsync(ct);
            return Page();
        });

    public Task<IActionResult> OnPostRecordAsync(CancellationToken ct)
    {
        Posted = true;
        return Attempt("fidelity", async () =>
        {
            // A blank study id names no recording.
            if (string.IsNullOrWhiteSpace(StudyId))
            {
                ModelState.AddModelError("studyId", "is required: the study id of the recorded session you were given");
                Response.StatusCode = StatusCodes.Status400BadRequest;
                return Page();
            }

            await LoadAsync(ct);
            var form = Chosen!;
            // A value that is not a number is refused on the page, never sent as missing.
            var items = InstrumentForm.Read(Request.Form, form, ModelState, Given);
            if (items is null)
            {
                Response.StatusCode = StatusCodes.Status400BadRequest;
                return Page();
            }

            var studyId = StudyId.Trim();
            var measure = await sender.Send(new RecordMeasure(studyId, form.Code, Session, null, CompletedOn, items), ct);
            Notice = $"Fidelity rating of {studyId}, session {measure.Session}, recorded.";
            return Redirect("/raters/fidelity");
        });
    }

    private async Task LoadAsync(CancellationToken ct) => Chosen = await sender.Send(new GetFidelityForm(StudyId!.Trim(), Session), ct);
}
