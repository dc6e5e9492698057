using System.Globalization;
using Mediator;
using Microsoft.AspNetCore.Mvc;
using TrialManager.Domain.Common;
using TrialManager.Domain.Documents;
using TrialManager.Domain.Instruments;
using TrialManager.Server.Common;
using TrialManager.Server.Features.Instruments;
using TrialManager.Server.Features.Measures;
using TrialManager.Server.Features.Participants;
using TrialManager.Server.Features.Therapy;
using TrialManager.Server.Features.Trials;
using TrialManager.Server.Pages.Shared;
using TrialManager.Server.Security;

namespace TrialManager.Server.Pages.Therapists;

/// <summary>
/// One of the therapist's own participants: sessions, post-session logs, questionnaire links and the cell's protocol
/// document, each through the API's command or query (another therapist's participant is the same 404 as the API's).
/// </summary>
[PagePolicy(Policies.Therapist)]
public sealed class ParticipantModel(ISender sender, TimeProvider clock) : TrialPageModel
{
    [FromRoute]
    public string Id { get; set; } = string.Empty;

    [BindProperty]
    public int? Number { get; set; }

    [BindProperty]
    public DateOnly? Date { get; set; }

    [BindProperty]
    public string? Attendance { get; set; }

    /// <summary>The instrument of a posted log or questionnaire link.</summary>
    [BindProperty]
    public string? Instrument { get; set; }

    [BindProperty]
    public int? Session { get; set; }

    [BindProperty]
    public DateOnly? CompletedOn { get; set; }

    [BindProperty]
    public string? CorrectionField { get; set; }

    [BindProperty]
    public string? CorrectionValue { get; set; }

    [BindProperty]
    public string? CorrectionReason { get; set; }

    /// <summary>Which form was posted (<c>session</c>, <c>link</c> or the log's instrument code): its errors and what was typed show there.</summary>
    public string? Posted { get; private set; }

    /// <summary>A posted log's answers as typed, by item id, to show them again beside a message.</summary>
    public Dictionary<string, string> Given { get; } = new(StringComparer.Ordinal);

    public ParticipantView? Participant { get; private set; }

    /// <summary>The therapist's post-session logs at this trial's sessions.</summary>
    public IReadOnlyList<InstrumentView> Logs { get; private set; } = [];

    /// <summary>The participant's own questionnaires at this trial's sessions, answered through a link.</summary>
    public IReadOnlyList<InstrumentView> Questionnaires { get; private set; } = [];

    public IReadOnlyList<MeasureView> Measures { get; private set; } = [];

    public DocumentStatus? ProtocolStatus { get; private set; }

    /// <summary>The link just made: shown once, as the whole address to hand over (the server keeps only its hash).</summary>
    public string? LinkUrl { get; private set; }

    public DateTimeOffset? LinkExpiresAt { get; private set; }

    public string Today => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public int NextSession => (Participant?.Sessions ?? []).Select(s => s.Number).DefaultIfEmpty(0).Max() + 1;

    public Task<IActionResult> OnGetAsync(CancellationToken ct) => Show(() => LoadAsync(ct));

    public Task<IActionResult> OnPostSessionAsync(CancellationToken ct)
    {
        Posted = "session";
        return Attempt("session", async () =>
        {
            await LoadAsync(ct);
            var session = await sender.Send(new RecordSession(Id, Number, Date, Attendance), ct);
            Notice = $"Session {session.Number} recorded.";
            return Redirect($"/therapists/me/participants/{Id}");
        });
    }

    public Task<IActionResult> OnPostLogAsync(CancellationToken ct)
    {
        Posted = Instrument ?? string.Empty;
        return Attempt("log", async () =>
        {
            await LoadAsync(ct);
            var instrument = Logs.FirstOrDefault(i => i.Code == Instrument)
                ?? throw new DomainValidationException("instrument", $"is not one of your post-session logs ({string.Join(", ", Logs.Select(i => i.Code))})");
            // A value that is not a number is refused on the page, never sent as missing.
            if (InstrumentForm.Read(Request.Form, instrument, ModelState, Given) is not { } items)
            {
                Response.StatusCode = StatusCodes.Status400BadRequest;
                return Page();
            }

            var measure = await sender.Send(new RecordMeasure(Id, instrument.Code, Session, null, CompletedOn, items), ct);
            Notice = $"{instrument.Title} for session {measure.Session} recorded.";
            return Redirect($"/therapists/me/participants/{Id}");
        });
    }

    public Task<IActionResult> OnPostCorrectAsync(CancellationToken ct) => Attempt("correction", async () =>
    {
        await LoadAsync(ct);
        Notice = await CorrectionForm.SendAsync(sender, Id, CorrectionField, CorrectionValue, CorrectionReason, ct);
        return Redirect($"/therapists/me/participants/{Id}#corrections");
    });

    /// <summary>What a therapist enters and so corrects: the sessions they delivered and their post-session logs.</summary>
    public IReadOnlyList<CorrectionChoice> CorrectionChoices =>
    [
        .. (Participant?.Sessions ?? []).Where(s => s.Therapist == Actor.Name).OrderBy(s => s.Number).SelectMany(CorrectionForm.Session),
        .. Measures.Where(m => Logs.Any(l => l.Code == m.Instrument)).SelectMany(CorrectionForm.Measure),
    ];

    public Task<IActionResult> OnPostLinkAsync(CancellationToken ct)
    {
        Posted = "link";
        return Attempt("link", async () =>
        {
            await LoadAsync(ct);
            var link = await sender.Send(new CreateQuestionnaireLink(Id, Instrument, Session, null), ct);
            // Not redirected: the token exists only in this answer, so the page that shows it is this one.
            LinkUrl = $"{Request.Scheme}://{Request.Host}{link.Url}";
            LinkExpiresAt = link.ExpiresAt;
            return Page();
        });
    }

    /// <summary>The protocol PDF of the participant's cell when ready; otherwise back to the page with its status.</summary>
    public async Task<IActionResult> OnGetProtocolAsync(CancellationToken ct)
    {
        ProtocolDocumentResult document;
        try
        {
            document = await sender.Send(new GetProtocolDocument(Id), ct);
        }
        catch (NotFoundException e)
        {
            return ShowProblem(StatusCodes.Status404NotFound, e.Message);
        }

        if (document.Content is { } content)
        {
            return File(content, "application/pdf", $"{Id}-protocol.pdf");
        }

        Notice = $"The protocol document is {document.Status.Wire()}; try again in a moment.";
        return Redirect($"/therapists/me/participants/{Id}#protocol");
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        // The participant first: another therapist's participant stops here with the API's 404.
        Participant = await sender.Send(new GetParticipant(Id), ct);
        var trial = await sender.Send(new GetTrial(Participant.TrialId), ct);
        var instruments = await sender.Send(new GetInstruments(), ct);
        var atSessions = trial.Schedule?.SessionInstruments;
        bool AtSession(InstrumentView i) => atSessions is null || atSessions.Contains(i.Code, StringComparer.Ordinal);
        Logs = [.. instruments.Where(i => i.Respondent == InstrumentRespondent.Therapist && AtSession(i))];
        Questionnaires = [.. instruments.Where(i => i.Respondent == InstrumentRespondent.Participant && AtSession(i))];
        Measures = await sender.Send(new GetMeasures(Id), ct);
        try
        {
            var document = await sender.Send(new GetProtocolDocument(Id), ct);
            ProtocolStatus = document.Status;
            if (document.Content is { } content)
            {
                await content.DisposeAsync();
            }
        }
        catch (NotFoundException)
        {
            ProtocolStatus = null;
        }
    }
}
