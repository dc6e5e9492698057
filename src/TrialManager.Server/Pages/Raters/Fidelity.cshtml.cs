using Mediator;
using Microsoft.AspNetCore.Mvc;
using TrialManager.Domain.Common;
using TrialManager.Domain.Instruments;
using TrialManager.Server.Features.Instruments;
using TrialManager.Server.Features.Measures;
using TrialManager.Server.Pages.Shared;
using TrialManager.Server.Security;

namespace TrialManager.Server.Pages.Raters;

/// <summary>
/// A rater's fidelity rating of a recorded session they were given: the study id and session typed, a formulation's
/// fidelity form (its items as <see cref="InstrumentView"/> gives them, so without the tags that would name an arm),
/// recorded through the API's <see cref="RecordMeasure"/> so every rule and refusal is the API's. A rater cannot read
/// measures through the API, so the page says "recorded" and shows no score; it never loads the participant.
/// </summary>
[PagePolicy(Policies.Rater)]
public sealed class FidelityModel(ISender sender, TimeProvider clock) : TrialPageModel
{
    [BindProperty]
    public string? StudyId { get; set; }

    [BindProperty]
    public int? Session { get; set; }

    [BindProperty]
    public DateOnly? CompletedOn { get; set; }

    /// <summary>The fidelity form chosen (<c>fidelity-cognitive</c>, …), from the query on GET and posted with the form.</summary>
    [BindProperty(SupportsGet = true)]
    public string? Form { get; set; }

    /// <summary>The fidelity forms of this server, one per formulation.</summary>
    public IReadOnlyList<InstrumentView> Forms { get; private set; } = [];

    public InstrumentView? Chosen { get; private set; }

    public bool Posted { get; private set; }

    /// <summary>What was typed in each item, shown again when the form is refused.</summary>
    public Dictionary<string, string> Given { get; } = new(StringComparer.Ordinal);

    public string Today => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    public Task<IActionResult> OnGetAsync(CancellationToken ct) => Show(() => LoadAsync(ct));

    public Task<IActionResult> OnPostRecordAsync(CancellationToken ct)
    {
        Posted = true;
        return Attempt("fidelity", async () =>
        {
            await LoadAsync(ct);
            var form = Chosen ?? throw new DomainValidationException("instrument", $"choose a fidelity form ({string.Join(", ", Forms.Select(f => f.Code))})");
            // A value that is not a number is refused on the page, never sent as missing; a blank study id names no recording.
            var items = InstrumentForm.Read(Request.Form, form, ModelState, Given);
            if (string.IsNullOrWhiteSpace(StudyId))
            {
                ModelState.AddModelError("studyId", "is required: the study id of the recorded session you were given");
            }

            if (items is null || string.IsNullOrWhiteSpace(StudyId))
            {
                Response.StatusCode = StatusCodes.Status400BadRequest;
                return Page();
            }

            var studyId = StudyId.Trim();
            var measure = await sender.Send(new RecordMeasure(studyId, form.Code, Session, null, CompletedOn, items), ct);
            Notice = $"Fidelity rating of {studyId}, session {measure.Session}, recorded.";
            return Redirect($"/raters/fidelity?form={Uri.EscapeDataString(form.Code)}");
        });
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        // The rater's forms are the catalogue's fidelity forms; the formulation rating is entered on the queue page.
        Forms = [.. (await sender.Send(new GetInstruments(), ct))
            .Where(i => i.Respondent == InstrumentRespondent.Rater && i.Code != FormulationInstrument.Code)
            .OrderBy(i => i.Code, StringComparer.Ordinal)];
        Chosen = Forms.FirstOrDefault(f => f.Code == Form);
    }
}
