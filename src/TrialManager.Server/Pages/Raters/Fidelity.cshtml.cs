using Mediator;
using Microsoft.AspNetCore.Mvc;
using TrialManager.Server.Common;
using TrialManager.Server.Features.Instruments;
using TrialManager.Server.Features.Raters;
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
/// Below, the fidelity ratings the rater recorded (<see cref="GetMyFidelityRatings"/>: only theirs, only what they typed),
/// one at a time open in the shared correction form, sent through the API's <c>CorrectRecord</c>.
/// </summary>
[PagePolicy(Policies.Rater)]
public sealed class FidelityModel(ISender sender, TimeProvider clock) : TrialPageModel, ICorrectingPage
{
    /// <summary>The id of the measure whose correction form is open; the shared form posts it under this name.</summary>
    [BindProperty]
    public string? CorrectionParticipantId { get; set; }

    [BindProperty]
    public string? CorrectionField { get; set; }

    [BindProperty]
    public string? CorrectionValue { get; set; }

    [BindProperty]
    public string? CorrectionReason { get; set; }

    /// <summary>This page of the rater's own fidelity ratings, newest first.</summary>
    public IReadOnlyList<MyFidelityRatingView> Own { get; private set; } = [];

    /// <summary>The forms of the rater's own ratings, by code, for their titles and item labels.</summary>
    public IReadOnlyDictionary<string, InstrumentView> Forms { get; private set; } = new Dictionary<string, InstrumentView>();

    public MyFidelityRatingView? Correcting { get; private set; }

    public string? NextLink { get; private set; }

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

    public Task<IActionResult> OnGetAsync(string? after, string? correct, CancellationToken ct) =>
        string.IsNullOrWhiteSpace(StudyId)
            ? Show(() =>
            {
                CorrectionParticipantId = string.IsNullOrEmpty(correct) ? null : correct;
                return LoadOwnAsync(after, ct);
            })
            : Attempt("fidelity", async () =>
            {
                await LoadAsync(ct);
                return Page();
            });

    public Task<IActionResult> OnPostCorrectAsync(CancellationToken ct) => Attempt("correction", async () =>
    {
        await LoadOwnAsync(null, ct);
        var rating = Correcting ?? throw new NotFoundException(NotYours);
        // The choices are this rating's values; a field of another measure is not offered here.
        if (string.IsNullOrEmpty(CorrectionField))
        {
            throw RequestValidationException.For("correction.field", "is required: choose the value to correct");
        }

        if (CorrectionForm.Parse(CorrectionField).Target != rating.Target)
        {
            throw RequestValidationException.For("correction.field", "must be one of the values of your rating offered here");
        }

        Notice = await CorrectionForm.SendAsync(sender, rating.ParticipantId, CorrectionField, CorrectionValue, CorrectionReason, ct);
        return Redirect($"/raters/fidelity?correct={Uri.EscapeDataString(CorrectionParticipantId!)}#correction");
    });

    /// <summary>The measure's id, as the page's links and the shared form name the rating.</summary>
    public static string MeasureId(MyFidelityRatingView r) => r.Target["measure:".Length..];

    private const string NotYours = "That is not one of your fidelity ratings; nothing was corrected.";

    /// <summary>A rating's values the form offers, each with what it holds now: its date, and its items in the order the form showed them.</summary>
    public static IReadOnlyList<CorrectionChoice> Choices(MyFidelityRatingView r, InstrumentView? form)
    {
        var items = form is null ? [.. r.Items.Keys.Order(StringComparer.Ordinal).Select(id => (Id: id, Label: $"Item {id}"))]
            : InstrumentForm.BlindOrder(form).Select((item, i) => (item.Id, Label: $"{i + 1}. {item.Label}")).ToList();
        return
        [
            new(r.Target, "completedOn", $"Rated on ({r.CompletedOn:yyyy-MM-dd})"),
            .. items.Select(item => new CorrectionChoice(r.Target, "items." + item.Id,
                $"{item.Label} ({(r.Items.TryGetValue(item.Id, out var answer) ? answer.ToString(System.Globalization.CultureInfo.InvariantCulture) : "not answered")})")),
        ];
    }

    private async Task LoadOwnAsync(string? after, CancellationToken ct)
    {
        var all = await sender.Send(new GetMyFidelityRatings(), ct);
        if (CorrectionParticipantId is { } measureId)
        {
            // Another rater's rating, or none: the same 404.
            Correcting = all.FirstOrDefault(r => string.Equals(r.Target, "measure:" + measureId.Trim(), StringComparison.OrdinalIgnoreCase))
                         ?? throw new NotFoundException(NotYours);
        }

        var codes = all.Select(r => r.Instrument).ToHashSet(StringComparer.Ordinal);
        Forms = (await sender.Send(new GetInstruments(), ct)).Where(i => codes.Contains(i.Code)).ToDictionary(i => i.Code, StringComparer.Ordinal);
        // Newest first: a rating mistyped a moment ago is at the top.
        var page = PageResults.PageOf(all, PageRequest.From(null, after), MyFidelityRatingView.KeyOf);
        Own = page.Items;
        NextLink = page.Next is { } next ? PageResults.NextPageLink(Request, next, "correct") : null;
    }

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
