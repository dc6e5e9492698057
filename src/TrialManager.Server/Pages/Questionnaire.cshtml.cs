using System.Globalization;
using Mediator;
using Microsoft.AspNetCore.Mvc;
using TrialManager.Domain.Common;
using TrialManager.Server.Common;
using TrialManager.Server.Features.Measures;
using TrialManager.Server.Pages.Shared;
using TrialManager.Server.Security;

namespace TrialManager.Server.Pages;

/// <summary>
/// /q/{token}: a participant answers one questionnaire on their phone, without an account. The page shows the items
/// and nothing about the participant; an unknown, used or expired link gets one polite refusal. Looking up tokens is
/// limited per client address like signing in: every refused token counts as a failed sign-in.
/// </summary>
public sealed class QuestionnaireModel(ISender sender, FailedSignInLimiter limiter) : TrialPageModel
{
    /// <summary>One answer for an unknown, used or expired link alike: it tells nothing about which, or about anyone.</summary>
    private const string Unusable = "This link cannot be used: it has already been used, it has expired, or it is not complete. " +
        "If you were asked to fill in a questionnaire, please ask your therapist or the study team for a new link.";

    [FromRoute]
    public string Token { get; set; } = string.Empty;

    public QuestionnaireForm? Form { get; private set; }

    /// <summary>Why the questionnaire is not shown: a refused link, or too many refused links from this address.</summary>
    public string? Refusal { get; private set; }

    public bool Answered { get; private set; }

    /// <summary>The answers as sent, to show them again beside a message when one is missing.</summary>
    public Dictionary<string, int> Given { get; } = [];

    public static string FieldOf(string itemId) => "item-" + itemId;

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) => await OpenAsync(ct) ?? Page();

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (await OpenAsync(ct) is { } refused)
        {
            return refused;
        }

        var items = new Dictionary<string, decimal?>(StringComparer.Ordinal);
        foreach (var item in Form!.Items)
        {
            var text = Request.Form[FieldOf(item.Id)].ToString();
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                Given[item.Id] = value;
                items[item.Id] = value;
            }
            else
            {
                items[item.Id] = null;
            }
        }

        // The link is the actor of this one command: the measure's recordedBy and its audit event name it. The page is
        // rendered again as the anonymous visitor, whose antiforgery token the next post must carry.
        var visitor = HttpContext.User;
        HttpContext.User = QuestionnaireLinkActor.PrincipalFor(Form.LinkId);
        try
        {
            await sender.Send(new AnswerQuestionnaire(Token, items), ct);
            Answered = true;
            return Page();
        }
        catch (RequestValidationException e)
        {
            foreach (var (field, messages) in e.Errors)
            {
                var id = field.StartsWith("items.", StringComparison.Ordinal) ? field["items.".Length..] : null;
                foreach (var message in messages)
                {
                    ModelState.AddModelError(id is null ? "form" : FieldOf(id), message);
                }
            }

            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        catch (DomainException)
        {
            // Used a moment ago (another tab), or the participant's record changed: the same polite refusal.
            return Refuse(StatusCodes.Status404NotFound, Unusable);
        }
        finally
        {
            HttpContext.User = visitor;
        }
    }

    /// <summary>Loads the form behind the token; null when it is shown, else the refusal page to answer with.</summary>
    private async Task<IActionResult?> OpenAsync(CancellationToken ct)
    {
        if (limiter.IsLockedOut(HttpContext))
        {
            return TooMany();
        }

        // A blank route value (/q/%20) binds as null: refused like any unknown token, never looked up.
        Form = string.IsNullOrWhiteSpace(Token) ? null : await sender.Send(new OpenQuestionnaire(Token), ct);
        if (Form is not null)
        {
            return null;
        }

        limiter.RecordFailure(HttpContext);
        return FailedSignInLimiter.RetryAfter(HttpContext) is not null
            ? TooMany()
            : Refuse(StatusCodes.Status404NotFound, Unusable);
    }

    private IActionResult TooMany()
    {
        var seconds = FailedSignInLimiter.WriteRetryAfter(HttpContext);
        return Refuse(StatusCodes.Status429TooManyRequests, $"Too many links that could not be used were opened from this address. Please try again in {seconds} seconds.");
    }

    private IActionResult Refuse(int status, string message)
    {
        Form = null;
        Refusal = message;
        Response.StatusCode = status;
        return Page();
    }
}
